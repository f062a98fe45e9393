"""Fixtures for docking tests: small complexes cut from the shared PDBbind subset (train ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docking.network.featurize import ComplexData, featurize_complex
from docking.structures import Protein, embed_conformer, load_ligand_file, load_protein

DATA = Path(__file__).resolve().parent.parent / "data" / "docking"
HELD_OUT_SMILES = "CC(=O)Oc1ccccc1C(=O)O"  # aspirin: the mini data folder's FABFlex test ligand


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


@pytest.fixture
def mini_data_folder(tmp_path) -> Path:
    """A shared-data folder in miniature: the PDBbind-subset archive and index CSV holding
    6ce6 (train), 5i7x (val; its SDF needs the MOL2 fallback) and a test id; the time-split
    test list; the FABFlex test index (its ligand: `HELD_OUT_SMILES`); and a
    `small_example_sets` extra source (one good row, one unsanitizable)."""
    import tarfile

    folder = tmp_path / "data"
    (folder / "docking").mkdir(parents=True)
    with tarfile.open(folder / "docking/pdbbind_equibind_subset213.tar.gz", "w:gz") as tar:
        for pdb_id in ("6ce6", "5i7x"):
            for part in ("protein.pdb", "ligand.sdf", "ligand.mol2"):
                name = f"{pdb_id}_{part}"
                tar.add(DATA / name, arcname=f"pdbbind_subset213/{pdb_id}/{name}")
    (folder / "docking/pdbbind_equibind_subset213_index.csv").write_text(
        "pdb_id,diffdock_timesplit,sdf_sanitizes,mol2_sanitizes,ligand_smiles\n"
        "6ce6,train,1,1,x\n5i7x,val,0,1,x\n6qqq,test,1,1,CCN(CC)CC\n"
    )
    (folder / "docking/fabflex_timesplit_test_index.csv").write_text(
        f"pdb_id,ligand_smiles\n6d08,{HELD_OUT_SMILES}\n"
    )
    (folder / "splits/diffdock").mkdir(parents=True)
    (folder / "splits/diffdock/timesplit_test").write_text("6qqq\n6d08\n")
    extra = folder / "docking/train_extra"
    extra.mkdir()
    with tarfile.open(extra / "small_example_sets.tar.gz", "w:gz") as tar:
        for name in ("6ce6_protein.pdb", "6ce6_ligand.sdf"):
            tar.add(DATA / name, arcname=f"small_example_sets/x/{name}")
    (extra / "small_example_sets_index.csv").write_text(
        "complex_id,pdb_id,protein_path,ligand_path,ligand_sanitizes\n"
        "x/6ce6,6ce6,small_example_sets/x/6ce6_protein.pdb,small_example_sets/x/6ce6_ligand.sdf,1\n"
        "x/bad,1abc,small_example_sets/x/6ce6_protein.pdb,small_example_sets/x/none.sdf,0\n"
    )
    return folder


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """An untrained tiny model saved as a checkpoint (inference plumbing, not accuracy)."""
    import torch

    from docking.network.checkpoint import save_checkpoint
    from docking.network.model import FlexibleDocker, ModelConfig

    torch.manual_seed(0)
    model = FlexibleDocker(ModelConfig(hidden=16, pocket_layers=1, docking_layers=1, rounds=1))
    path = tmp_path_factory.mktemp("checkpoint") / "tiny.pt"
    save_checkpoint(path, model)
    return path
