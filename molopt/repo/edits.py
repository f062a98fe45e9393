"""What an editing instruction asks for, and whether an output did it, exactly as TOMG-Bench.

TOMG-Bench (Li et al. 2024, `phenixace/TOMG-Bench`, ``evaluate.py`` and
``utils/evaluation.py``) judges MolOpt by the direction of a raw RDKit descriptor
(``Descriptors.qed`` / ``MolLogP`` / ``MolMR``, strictly lower when the instruction says
"lower" or "decrease", strictly higher otherwise) and MolEdit by functional-group counts
(SMARTS substructure matches): AddComponent succeeds when the added group's count is the
source's plus one, DelComponent when the removed group's is minus one, SubComponent when
both hold. Validity is "RDKit parses it" (`Chem.MolFromSmiles` is not None); no
standardization, so the numbers match the benchmark's own script.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdkit import Chem
from rdkit.Chem import Descriptors

PROPERTIES = {"QED": Descriptors.qed, "LogP": Descriptors.MolLogP, "MR": Descriptors.MolMR}
OPT_TASKS = tuple(PROPERTIES)
EDIT_TASKS = ("AddComponent", "DelComponent", "SubComponent")

# TOMG-Bench's functional-group SMARTS (utils/evaluation.py), keyed by the names in the CSVs.
GROUP_SMARTS = {
    "benzene ring": "[cX3]1[cX3][cX3][cX3][cX3][cX3]1",
    "hydroxyl": "[OH]",
    "anhydride": "[CX3](=O)[OX2][CX3](=O)",
    "aldehyde": "[CX3H](=O)",
    "ketone": "[CX3](=O)[CX4]",
    "carboxyl": "[CX3](=O)[OX2H]",
    "ester": "[CX3](=O)[OX2][CX4]",
    "amide": "[NX3][CX3](=O)",
    "amine": "[NX3;H2,H1;!$(NC=O)]",
    "nitro": "[NX3](=O)=O",
    "halo": "[F,Cl,Br,I]",
    "thioether": "[SX2][CX4]",
    "nitrile": "C#N",
    "thiol": "[SH]",
    "sulfide": "[SX2H0]",
}


@dataclass(frozen=True)
class EditGoal:
    """One instruction's goal: a property direction (MolOpt) or group changes (MolEdit).

    `task` is a TOMG-Bench subtask name; `direction` is +1 / -1 for MolOpt;
    `added` / `removed` name functional groups for MolEdit.
    """

    task: str
    direction: int = 0
    added: str | None = None
    removed: str | None = None


def direction_of(instruction: str) -> int:
    """-1 when the instruction says "lower" or "decrease" (TOMG-Bench's test), else +1."""
    return -1 if ("lower" in instruction or "decrease" in instruction) else 1


@cache
def _pattern(group: str) -> Chem.Mol:
    return Chem.MolFromSmarts(GROUP_SMARTS[group])


def group_count(mol: Chem.Mol, group: str) -> int:
    """Number of SMARTS matches of TOMG-Bench functional group `group` in `mol`.

    The test CSVs spell one group two ways ("benzene ring" in AddComponent,
    "benzene_ring" in DelComponent); TOMG-Bench's evaluate.py reads both as one group.
    """
    return len(mol.GetSubstructMatches(_pattern(group.replace("_", " "))))


def achieved(source: Chem.Mol, output: Chem.Mol, goal: EditGoal) -> bool:
    """Whether `output` does what `goal` asks of `source`, by TOMG-Bench's rule."""
    if goal.task in PROPERTIES:
        prop = PROPERTIES[goal.task]
        change = prop(output) - prop(source)
        return change < 0 if goal.direction < 0 else change > 0
    ok = True
    if goal.added is not None:
        ok = group_count(output, goal.added) == group_count(source, goal.added) + 1
    if goal.removed is not None:
        ok = ok and group_count(output, goal.removed) == group_count(source, goal.removed) - 1
    return ok
