"""Molecules for pretraining poses: MOSES found without importing it, seeded draws that
extend, and the checks (unreadable, salts, held-out test ligands)."""

from __future__ import annotations

import gzip

import pytest

from docking.errors import DockingConfigError
from docking.training.data import held_out_ligand_keys
from docking.training.pose_molecules import check, default_source, draw, read_smiles
from tests.docking.conftest import HELD_OUT_SMILES


def test_default_source_is_the_moses_training_set():
    source = default_source()
    if source.name != "train.csv.gz":
        pytest.skip("molsets is not installed; the ZINC pool is the fallback")
    assert source.parent.name == "data" and "moses" in source.parts
    with gzip.open(source, "rt") as handle:
        assert handle.readline().strip() == "SMILES"


def test_smiles_files_plain_csv_and_gzip(tmp_path):
    (tmp_path / "a.smi").write_text("CCO ethanol\n\n# comment\nc1ccccc1\n")
    with gzip.open(tmp_path / "b.csv.gz", "wt") as handle:
        handle.write("SMILES,name\nCCN,x\nCCC,y\n")
    assert read_smiles(tmp_path / "a.smi") == ["CCO", "c1ccccc1"]
    assert read_smiles(tmp_path / "b.csv.gz") == ["CCN", "CCC"]
    with pytest.raises(DockingConfigError, match="cannot read SMILES"):
        read_smiles(tmp_path / "missing.smi")


def test_a_larger_draw_extends_the_same_draw():
    pool = [f"C{'C' * i}O" for i in range(50)]
    five, ten = draw(pool, 5, seed=3), draw(pool, 10, seed=3)
    assert ten[:5] == five and len(set(ten)) == 10
    assert draw(pool, 5, seed=4) != five


def test_checks_exclude_test_ligands_in_any_protonation_state(mini_data_folder):
    held_out = held_out_ligand_keys(mini_data_folder)
    aspirin_anion = "CC(=O)Oc1ccccc1C(=O)[O-]"  # the form a pH 7.4 file would hold
    for smiles in (HELD_OUT_SMILES, aspirin_anion, "CC[NH+](CC)CC"):
        assert check(smiles, held_out).status == "excluded", smiles
    ok = check("CC(=O)Nc1ccc(O)cc1", held_out)
    assert (ok.status, ok.key) == ("ok", "RZVAJINKPMORJF-UHFFFAOYSA-N")
    broken = check("C1CC(", held_out)
    assert broken.status == "failed" and "cannot parse" in broken.reason
    assert broken.key.startswith("invalid-")
    assert check("CC(=O)[O-].[Na+]", held_out).reason.startswith("more than one fragment")
