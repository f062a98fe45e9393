"""RDKit property oracles: raw scores of one molecule, before any shaping.

Each function takes a sanitized RDKit `Mol` (see `molopt.molecules.standardize`) and returns
a float, in the spirit of GuacaMol's `utils/descriptors.py` (Brown et al. 2019): QED
(Bickerton et al. 2012), Crippen logP and molar refractivity (Wildman & Crippen 1999), TPSA
(Ertl et al. 2000), the synthetic accessibility score (Ertl & Schuffenhauer 2009, RDKit's
bundled `Contrib/SA_Score`, nothing downloaded), ring and atom counts, SMARTS presence, and
GuacaMol's molecular-formula closeness (`isomer_score`). Shaping into [0, 1] is the job of
`molopt.modifiers`; composition into benchmark objectives that of `molopt.objectives`.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path
from types import ModuleType

from rdkit import Chem
from rdkit.Chem import QED, Crippen, Descriptors, RDConfig, rdMolDescriptors

from molopt.errors import MoloptError
from molopt.modifiers import MEANS, Gaussian

FORMULA_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)")


def qed(mol: Chem.Mol) -> float:
    """Quantitative estimate of drug-likeness (Bickerton et al. 2012), in [0, 1]."""
    return float(QED.qed(mol))


def logp(mol: Chem.Mol) -> float:
    """Crippen's octanol/water logP (Wildman & Crippen 1999)."""
    return float(Crippen.MolLogP(mol))


def molar_refractivity(mol: Chem.Mol) -> float:
    """Crippen's molar refractivity (Wildman & Crippen 1999)."""
    return float(Crippen.MolMR(mol))


def tpsa(mol: Chem.Mol) -> float:
    """Topological polar surface area in square angstroms (Ertl et al. 2000)."""
    return float(rdMolDescriptors.CalcTPSA(mol))


def mol_weight(mol: Chem.Mol) -> float:
    """Average molecular weight."""
    return float(Descriptors.MolWt(mol))


def bertz(mol: Chem.Mol) -> float:
    """Bertz's topological complexity index."""
    return float(Descriptors.BertzCT(mol))


def num_rings(mol: Chem.Mol) -> float:
    """Number of rings (smallest set of smallest rings)."""
    return float(rdMolDescriptors.CalcNumRings(mol))


def num_aromatic_rings(mol: Chem.Mol) -> float:
    """Number of aromatic rings."""
    return float(rdMolDescriptors.CalcNumAromaticRings(mol))


def num_rotatable_bonds(mol: Chem.Mol) -> float:
    """Number of rotatable bonds."""
    return float(rdMolDescriptors.CalcNumRotatableBonds(mol))


def num_heavy_atoms(mol: Chem.Mol) -> float:
    """Number of non-hydrogen atoms."""
    return float(mol.GetNumHeavyAtoms())


def num_atoms(mol: Chem.Mol) -> float:
    """Number of atoms, hydrogens included (GuacaMol's `num_atoms`)."""
    return float(Chem.AddHs(mol).GetNumAtoms())


def atom_count(mol: Chem.Mol, element: str) -> float:
    """Number of atoms of one element; hydrogens are made explicit when `element` is H."""
    if element == "H":
        mol = Chem.AddHs(mol)
    return float(sum(1 for atom in mol.GetAtoms() if atom.GetSymbol() == element))


@cache
def _smarts(pattern: str) -> Chem.Mol:
    query = Chem.MolFromSmarts(pattern)
    if query is None:
        raise MoloptError(f"invalid SMARTS pattern '{pattern}': check its syntax")
    return query


def smarts_present(mol: Chem.Mol, pattern: str) -> float:
    """1.0 when the SMARTS `pattern` matches `mol`, else 0.0."""
    return 1.0 if mol.HasSubstructMatch(_smarts(pattern)) else 0.0


def parse_formula(formula: str) -> dict[str, int]:
    """Element counts of a molecular formula such as ``C9H10N2O2PF2Cl``."""
    tokens = FORMULA_TOKEN.findall(formula)
    if not tokens or "".join(e + n for e, n in tokens) != formula:
        raise MoloptError(f"cannot read molecular formula '{formula}': write it like 'C7H8N2O2'")
    counts: dict[str, int] = {}
    for element, number in tokens:
        counts[element] = counts.get(element, 0) + (int(number) if number else 1)
    return counts


def isomer_score(mol: Chem.Mol, formula: str, mean: str = "geometric") -> float:
    """Closeness of `mol`'s formula to `formula` (GuacaMol's IsomerScoringFunction).

    One Gaussian (sigma 1) per element of the target on that element's count, one (sigma 2)
    on the total atom count with hydrogens, combined by `mean`; 1.0 exactly for an isomer.
    """
    target = parse_formula(formula)
    scores = [Gaussian(n, 1.0)(atom_count(mol, element)) for element, n in target.items()]
    scores.append(Gaussian(sum(target.values()), 2.0)(num_atoms(mol)))
    return MEANS[mean](scores)


@cache
def _sascorer() -> ModuleType:
    path = Path(RDConfig.RDContribDir) / "SA_Score" / "sascorer.py"
    spec = importlib.util.spec_from_file_location("rdkit_contrib_sascorer", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise MoloptError(f"RDKit's SA_Score is missing at {path}: reinstall rdkit")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sa_score(mol: Chem.Mol) -> float:
    """Synthetic accessibility (Ertl & Schuffenhauer 2009): 1 (easy) to 10 (hard)."""
    return float(_sascorer().calculateScore(mol))
