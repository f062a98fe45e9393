"""Molecular fingerprints and Tanimoto similarity.

Two families:

- ``morgan2048``: the everyday bit vector, Morgan radius 2 folded to 2048 bits (RDKit's
  `rdFingerprintGenerator`), for similarity oracles that GuacaMol does not define.
- GuacaMol's fingerprints (Brown et al. 2019, `guacamol/utils/fingerprints.py`), which its
  objectives and the TDC/PMO oracles are defined with: *unfolded count* fingerprints
  ``ECFP4`` / ``ECFP6`` (Morgan radius 2 / 3), ``FCFP4`` (Morgan radius 2 on pharmacophoric
  feature invariants), ``AP`` (atom pairs up to distance 10), and ``PHCO`` (Gobbi & Poppinger
  2D pharmacophore bits). The generators give the same vectors as the deprecated
  `AllChem.GetMorganFingerprint` / `GetAtomPairFingerprint` calls those packages use.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator
from rdkit.Chem.Pharm2D import Generate, Gobbi_Pharm2D

from molopt.molecules import parse_smiles


@cache
def _morgan(radius: int, features: bool = False, size: int = 2048) -> Any:
    invariants = rdFingerprintGenerator.GetMorganFeatureAtomInvGen() if features else None
    return rdFingerprintGenerator.GetMorganGenerator(
        radius=radius, fpSize=size, atomInvariantsGenerator=invariants
    )


@cache
def _atom_pairs() -> Any:
    return rdFingerprintGenerator.GetAtomPairGenerator(maxDistance=10)


def _pharmacophore(mol: Chem.Mol) -> Any:
    return Generate.Gen2DFingerprint(mol, Gobbi_Pharm2D.factory)


FINGERPRINTS: dict[str, Callable[[Chem.Mol], Any]] = {
    "morgan2048": lambda mol: _morgan(2).GetFingerprint(mol),
    "ECFP4": lambda mol: _morgan(2).GetSparseCountFingerprint(mol),
    "ECFP6": lambda mol: _morgan(3).GetSparseCountFingerprint(mol),
    "FCFP4": lambda mol: _morgan(2, features=True).GetSparseCountFingerprint(mol),
    "AP": lambda mol: _atom_pairs().GetSparseCountFingerprint(mol),
    "PHCO": _pharmacophore,
}


def fingerprint(mol: Chem.Mol, kind: str = "morgan2048") -> Any:
    """The `kind` fingerprint of `mol` (see `FINGERPRINTS` for the kinds)."""
    try:
        make = FINGERPRINTS[kind]
    except KeyError:
        raise ValueError(
            f"unknown fingerprint '{kind}'; choose one of {', '.join(FINGERPRINTS)}"
        ) from None
    return make(mol)


def tanimoto(a: Any, b: Any) -> float:
    """Tanimoto similarity of two fingerprints of the same kind (counts: min/max sums)."""
    return float(DataStructs.TanimotoSimilarity(a, b))


@cache
def target_fingerprint(smiles: str, kind: str) -> Any:
    """Fingerprint of a fixed target molecule, computed once per process."""
    return fingerprint(parse_smiles(smiles), kind)


def molecule_similarity(first: Chem.Mol, second: Chem.Mol, kind: str = "morgan2048") -> float:
    """Tanimoto similarity of two molecules' `kind` fingerprints (by default Morgan radius 2,
    2048 bits: the similarity of the constrained-optimization benchmarks and TOMG-Bench)."""
    return tanimoto(fingerprint(first, kind), fingerprint(second, kind))


def similarity(mol: Chem.Mol, target_smiles: str, kind: str = "morgan2048") -> float:
    """Tanimoto similarity of `mol` to the molecule `target_smiles`."""
    return tanimoto(fingerprint(mol, kind), target_fingerprint(target_smiles, kind))
