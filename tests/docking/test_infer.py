"""Inference: files written per complex, batch CSV with failures kept, given pocket centre."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from rdkit import Chem

from docking.checkpoint import default_checkpoint, load_model
from docking.errors import CheckpointError
from docking.infer import DockingOptions, DockingRequest, dock_all, dock_one, read_batch_csv


@pytest.fixture(scope="module")
def model(tiny_checkpoint):
    return load_model(tiny_checkpoint)


def test_docking_writes_pose_with_hydrogens_and_pocket(model, data_dir, tmp_path):
    request = DockingRequest(
        "6ce6", data_dir / "6ce6_protein.pdb", str(data_dir / "6ce6_ligand.sdf")
    )
    result = dock_one(request, model, tmp_path)
    assert result.status == "ok", result.error
    pose = Chem.MolFromMolFile(result.rank1_sdf, removeHs=False)
    given = Chem.MolFromMolFile(str(data_dir / "6ce6_ligand.sdf"))
    assert any(atom.GetAtomicNum() == 1 for atom in pose.GetAtoms())
    assert Chem.MolToSmiles(Chem.RemoveHs(pose)) == Chem.MolToSmiles(given)
    pocket = [ln for ln in open(result.pocket_pdb) if ln.startswith("ATOM") and ln[12:16] == " CA "]
    assert len(pocket) == model.config.pocket_residues
    assert result.confidence_rmsd_angstrom >= 0


def test_given_pocket_center_is_used(model, data_dir, tmp_path):
    centre = tuple(np.array([1.0, 2.0, 3.0]))  # numpy float64, as computed centres are
    request = DockingRequest("c", data_dir / "6ce6_protein.pdb", "c1ccccc1O", centre)
    result = dock_one(request, model, tmp_path)
    assert result.pocket_center == "1.000 2.000 3.000"
    pose = Chem.MolFromMolFile(result.rank1_sdf)
    centroid = pose.GetConformer().GetPositions().mean(0)
    assert ((centroid - [1.0, 2.0, 3.0]) ** 2).sum() ** 0.5 < 5.0


def test_batch_keeps_every_row_and_says_why_one_failed(model, data_dir, tmp_path):
    table = tmp_path / "batch.csv"
    protein = data_dir / "6ce6_protein.pdb"
    table.write_text(
        "complex_name,protein_path,ligand\n"
        f"good,{protein},CCO\n"
        f"bad_smiles,{protein},C1CC(\n"
        "no_protein,missing.pdb,CCO\n"
        f"good,{protein},CCO\n"
        f"../escape,{protein},CCO\n"
    )
    results = dock_all(read_batch_csv(table), model, tmp_path / "out")
    rows = list(csv.DictReader(open(tmp_path / "out" / "results.csv")))
    names = ["good", "bad_smiles", "no_protein", "good", "../escape"]
    assert [r["complex_name"] for r in rows] == names
    assert [r["status"] for r in rows] == ["ok", "failed", "failed", "failed", "failed"]
    assert "cannot parse" in rows[1]["error"] and "missing.pdb" in rows[2]["error"]
    assert "duplicate" in rows[3]["error"] and "without /" in rows[4]["error"]
    assert not (tmp_path / "escape").exists()
    assert results[0].seconds_total > 0


def test_corrupt_checkpoint_is_a_checkpoint_error(tmp_path):
    path = tmp_path / "bad.pt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="bad.pt"):
        load_model(path)


def test_posebusters_flags_are_reported(model, data_dir, tmp_path):
    pytest.importorskip("posebusters")
    request = DockingRequest("6ce6", data_dir / "6ce6_protein.pdb", "CCO")
    result = dock_one(request, model, tmp_path, DockingOptions(posebusters=True))
    passed, total = map(int, result.posebusters_passed.split("/"))
    assert total > 10 and 0 <= passed <= total
    assert result.posebusters_failed.count(";") == max(total - passed - 1, 0)


def test_batch_csv_reads_relative_paths_and_optional_pocket_center(data_dir, tmp_path):
    table = tmp_path / "batch.csv"
    table.write_text(
        "complex_name,protein_path,ligand,pocket_center\na,p.pdb,l.sdf,1 2 3\nb,/abs/p.pdb,CCO,\n"
    )
    first, second = read_batch_csv(table)
    assert first.protein_path == tmp_path / "p.pdb" and first.ligand == str(tmp_path / "l.sdf")
    assert first.pocket_center == (1.0, 2.0, 3.0)
    assert second.ligand == "CCO" and second.pocket_center is None


def test_samples_are_ranked_by_predicted_rmsd(model, data_dir, tmp_path):
    request = DockingRequest("s", data_dir / "6ce6_protein.pdb", "CC(=O)Oc1ccccc1C(=O)O")
    result = dock_one(request, model, tmp_path, DockingOptions(samples=3))
    assert result.status == "ok", result.error
    poses = [next(Chem.SDMolSupplier(str(tmp_path / "s" / f"rank{k}.sdf"))) for k in (1, 2, 3)]
    confidences = [float(p.GetProp("confidence_rmsd_angstrom")) for p in poses]
    assert confidences == sorted(confidences) and len(set(confidences)) > 1
    assert confidences[0] == pytest.approx(result.confidence_rmsd_angstrom, abs=1e-3)


def test_shipped_checkpoint_loads_with_its_card():
    path = default_checkpoint()
    assert path.stat().st_size < 16 * 2**20
    assert (path.parent / "small_cpu.md").exists()
    assert load_model(path).config.hidden == 64
