"""What GB-GA (Jensen 2019) accepts as a child molecule, and its cached SMARTS.

A child must sanitize, have more than 5 atoms and fewer than a size drawn from a normal
distribution around GB-GA's average (39.15 +- 3.50 atoms, from the data set of the original
paper, kept by GuacaMol and PMO), and have plausible rings (`ring_ok`).
"""

from __future__ import annotations

import random
from functools import cache

from rdkit import Chem
from rdkit.Chem import AllChem

AVERAGE_SIZE = 39.15  # heavy atoms: GB-GA's size prior (mean and spread of its data set)
SIZE_STDEV = 3.50


@cache
def pattern(smarts: str) -> Chem.Mol:
    """A SMARTS query, parsed once per process."""
    return Chem.MolFromSmarts(smarts)


@cache
def reaction(smarts: str) -> AllChem.ChemicalReaction:
    """A reaction SMARTS, parsed once per process."""
    return AllChem.ReactionFromSmarts(smarts)


def size_ok(mol: Chem.Mol, rng: random.Random) -> bool:
    """Sanitizes, and has more than 5 atoms and fewer than a size drawn around 39 +- 3.5."""
    try:
        Chem.SanitizeMol(mol)
    except (ValueError, RuntimeError):
        return False
    return 5 < mol.GetNumAtoms() < rng.gauss(AVERAGE_SIZE, SIZE_STDEV)


def ring_ok(mol: Chem.Mol) -> bool:
    """No ring allene, no ring larger than 6, no double bond in a 3- or 4-ring."""
    if not mol.HasSubstructMatch(pattern("[R]")):
        return True
    if mol.HasSubstructMatch(pattern("[R]=[R]=[R]")):
        return False
    if max(len(ring) for ring in mol.GetRingInfo().AtomRings()) > 6:
        return False
    return not mol.HasSubstructMatch(pattern("[r3,r4]=[r3,r4]"))
