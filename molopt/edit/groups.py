"""TOMG-Bench's functional groups as fragments to attach, beside the SMARTS that count them.

The SMARTS (`molopt.repo.edits.GROUP_SMARTS`, 15 groups) decide success and say what a
remove edit can take away; the fragments here, for the ten groups TOMG-Bench's MolEdit asks
to add (AddComponent / SubComponent), are what an attach or substitute edit bonds to the
molecule, written with the attaching atom first
(bonded by a single bond). "halo" has one fragment per halogen; "nitro" is written the way
RDKit stores it ([N+](=O)[O-]), which TOMG's ``[NX3](=O)=O`` pattern never matches, so no
edit can add a nitro group by TOMG's count.
"""

from __future__ import annotations

from functools import cache

from rdkit import Chem

from molopt.repo.edits import GROUP_SMARTS

GROUP_FRAGMENTS: dict[str, tuple[str, ...]] = {
    "benzene ring": ("c1ccccc1",),
    "hydroxyl": ("O",),
    "aldehyde": ("C=O",),
    "carboxyl": ("C(=O)O",),
    "amide": ("C(N)=O",),
    "amine": ("N",),
    "nitro": ("[N+](=O)[O-]",),
    "halo": ("F", "Cl", "Br", "I"),
    "nitrile": ("C#N",),
    "thiol": ("S",),
}
GROUPS = tuple(GROUP_SMARTS)  # every group TOMG counts (what a remove edit can take away)
ATTACHABLE = tuple(GROUP_FRAGMENTS)  # the ten groups TOMG's MolEdit asks to add


def group_name(text: str) -> str:
    """The canonical name of a TOMG group ("benzene_ring" and "Benzene ring" -> "benzene ring")."""
    return text.strip().lower().replace("_", " ")


@cache
def group_pattern(group: str) -> Chem.Mol:
    """The TOMG SMARTS query of `group`, parsed once."""
    return Chem.MolFromSmarts(GROUP_SMARTS[group])


@cache
def fragment(smiles: str) -> Chem.Mol:
    """A group fragment as a molecule, its attaching atom at index 0."""
    return Chem.MolFromSmiles(smiles)
