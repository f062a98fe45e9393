"""Fixtures for docking tests: small complexes cut from the shared PDBbind subset (train ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docking.featurize import ComplexData, featurize_complex
from docking.structures import Protein, embed_conformer, load_ligand_file, load_protein

DATA = Path(__file__).resolve().parent.parent / "data" / "docking"


@pytest.fixture
def data_dir() -> Path:
    """Folder of the docking fixture files."""
    return DATA


@pytest.fixture(scope="session")
def protein_6ce6() -> Protein:
    """PDBbind 6ce6 protein (101 residues)."""
    return load_protein(DATA / "6ce6_protein.pdb")


def _complex(pdb_id: str, ligand_suffix: str) -> ComplexData:
    protein = load_protein(DATA / f"{pdb_id}_protein.pdb")
    ligand = load_ligand_file(DATA / f"{pdb_id}_ligand.{ligand_suffix}")
    return featurize_complex(protein, ligand, embed_conformer(ligand, seed=0), holo_ca=protein.ca)


@pytest.fixture(scope="session")
def complex_6ce6() -> ComplexData:
    """6ce6 featurized, ETKDG start conformer (seed 0), crystal pose as target."""
    return _complex("6ce6", "sdf")


@pytest.fixture(scope="session")
def complex_5i7x() -> ComplexData:
    """5i7x featurized from its MOL2 ligand (its SDF does not sanitize)."""
    return _complex("5i7x", "mol2")
