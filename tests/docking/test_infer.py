"""Inference: files written per complex, batch CSV with failures kept, given pocket centre."""

from __future__ import annotations

import csv
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from rdkit import Chem

from docking.errors import CheckpointError
from docking.inference.infer import DockingOptions, DockingRequest, dock_all, dock_one
from docking.inference.table import read_batch_csv
from docking.network.checkpoint import default_checkpoint, load_model
from docking.structures import load_protein


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


def _positions(path: str) -> np.ndarray:
    return Chem.MolFromMolFile(path, removeHs=False).GetConformer().GetPositions()


def _mixed_requests(data_dir) -> list[DockingRequest]:
    """Two proteins, SMILES and file ligands, blind, given centre and given residues, and a
    row that cannot be prepared in the middle."""
    p6, p5 = data_dir / "6ce6_protein.pdb", data_dir / "5i7x_protein.pdb"
    return [
        DockingRequest("a", p6, "CC(=O)Oc1ccccc1C(=O)O"),
        DockingRequest("b", p5, str(data_dir / "5i7x_ligand.mol2")),
        DockingRequest("bad", p6, "C1CC("),
        DockingRequest("c", p6, str(data_dir / "6ce6_ligand.sdf"), (1.0, 2.0, 3.0)),
        DockingRequest("d", p6, "c1ccccc1O", pocket_residues=(("A", 1150, ""), ("A", 1151, ""))),
    ]


def test_batched_docking_equals_one_by_one(model, data_dir, tmp_path):
    requests = _mixed_requests(data_dir)
    runs = {
        size: dock_all(
            requests, model, tmp_path / str(size), DockingOptions(samples=2, batch_size=size)
        )
        for size in (1, 4)
    }
    assert [r.status for r in runs[4]] == ["ok", "ok", "failed", "ok", "ok"]
    assert "cannot parse" in runs[4][2].error
    for alone, batched in zip(runs[1], runs[4], strict=True):
        assert alone.status == batched.status and alone.error == batched.error
        if alone.status != "ok":
            continue
        assert batched.confidence_rmsd_angstrom == pytest.approx(
            alone.confidence_rmsd_angstrom, abs=1e-5
        )
        assert (batched.pocket_center, batched.pocket_residues) == (
            alone.pocket_center,
            alone.pocket_residues,
        )
        for rank in (1, 2):
            name = f"{alone.complex_name}/rank{rank}.sdf"
            np.testing.assert_allclose(
                _positions(str(tmp_path / "4" / name)),
                _positions(str(tmp_path / "1" / name)),
                atol=2e-4,
            )
    assert runs[4][1].seconds_model == pytest.approx(runs[4][0].seconds_model)  # one batch's share


def test_row_timings_add_up_to_no_more_than_the_run(model, data_dir, tmp_path):
    began = time.perf_counter()
    results = dock_all(_mixed_requests(data_dir), model, tmp_path, DockingOptions(batch_size=2))
    wall = time.perf_counter() - began
    assert sum(r.seconds_total for r in results) <= wall
    ok = [r for r in results if r.status == "ok"]
    assert all(r.seconds_prepare > 0 and r.seconds_model > 0 and r.seconds_write > 0 for r in ok)


class _FailsOn(torch.nn.Module):
    """The model, but its forward raises on any batch holding complex `name`."""

    def __init__(self, model, name: str) -> None:
        super().__init__()
        self.model, self.name = model, name

    def forward(self, batch, pocket_center=None):
        if self.name in batch.name:
            raise RuntimeError(f"cannot dock {self.name}")
        return self.model(batch, pocket_center=pocket_center)


def test_model_failure_in_a_batch_fails_only_that_row(model, data_dir, tmp_path):
    protein = data_dir / "6ce6_protein.pdb"
    requests = [DockingRequest(name, protein, "CCO") for name in ("x", "poison", "y")]
    results = dock_all(requests, _FailsOn(model, "poison"), tmp_path, DockingOptions(batch_size=3))
    assert [r.status for r in results] == ["ok", "failed", "ok"]
    assert results[1].error == "RuntimeError: cannot dock poison"
    rows = list(csv.DictReader(open(tmp_path / "results.csv")))
    assert [r["complex_name"] for r in rows] == ["x", "poison", "y"]


def test_a_protein_reused_across_rows_is_parsed_once(model, data_dir, tmp_path, monkeypatch):
    import docking.inference.protein_cache

    calls = []
    original = docking.inference.protein_cache.read_model
    monkeypatch.setattr(
        docking.inference.protein_cache,
        "read_model",
        lambda text, name: calls.append(name) or original(text, name),
    )
    requests = _mixed_requests(data_dir)
    results = dock_all(requests, model, tmp_path, DockingOptions(batch_size=2))
    assert len(results) == len(requests)
    assert sorted(Path(name).name for name in calls) == ["5i7x_protein.pdb", "6ce6_protein.pdb"]


def test_protein_cache_parses_an_edited_file_again(data_dir, tmp_path):
    from docking.inference.protein_cache import ProteinCache

    path = tmp_path / "p.pdb"
    path.write_bytes((data_dir / "6ce6_protein.pdb").read_bytes())
    cache = ProteinCache()
    first = cache.get(path)
    assert cache.get(tmp_path / "." / "p.pdb") is first and cache.parses == 1
    os.utime(path, ns=(0, 0))
    assert cache.get(path) is not first and cache.parses == 2


def test_pocket_residues_give_the_centre_and_a_missing_one_fails_its_row(model, data_dir, tmp_path):
    protein = data_dir / "6ce6_protein.pdb"
    residues = (("A", 1150, ""), ("A", 1160, ""))
    requests = [
        DockingRequest("given", protein, "CCO", pocket_residues=residues),
        DockingRequest("missing", protein, "CCO", pocket_residues=(("B", 1150, ""),)),
        DockingRequest("blind", protein, "CCO"),
    ]
    given, missing, blind = dock_all(requests, model, tmp_path)
    ca = load_protein(protein)
    rows = [ca.residue_ids.index(r) for r in residues]
    used = [float(v) for v in given.pocket_center.split()]
    assert given.status == "ok" and used == pytest.approx(ca.ca[rows].mean(0), abs=2e-3)
    assert {"A:1150", "A:1160"} <= set(given.pocket_residues.split(","))
    assert len(given.pocket_residues.split(",")) == model.config.pocket_residues
    assert missing.status == "failed" and "B:1150" in missing.error and "chains A" in missing.error
    assert blind.status == "ok" and blind.pocket_residues


def test_batch_csv_reads_pocket_residues_and_names_the_bad_line(tmp_path):
    table = tmp_path / "batch.csv"
    table.write_text('complex_name,protein_path,ligand,pocket_residues\na,p.pdb,CCO,"A:45,A:46B"\n')
    assert read_batch_csv(table)[0].pocket_residues == (("A", 45, ""), ("A", 46, "B"))
    table.write_text(
        "complex_name,protein_path,ligand,pocket_residues\na,p.pdb,CCO,A:45\nb,p.pdb,CCO,A45\n"
    )
    good, bad = read_batch_csv(table)
    assert not good.error and re.search("line 3.*'A45'", bad.error)


def test_conformers_embedded_in_worker_processes_change_nothing(model, data_dir, tmp_path):
    requests = _mixed_requests(data_dir)
    alone = dock_all(requests, model, tmp_path / "1", DockingOptions(samples=2, batch_size=2))
    pooled = dock_all(
        requests, model, tmp_path / "2", DockingOptions(samples=2, batch_size=2, workers=2)
    )
    assert [r.status for r in pooled] == [r.status for r in alone]
    assert "cannot parse" in pooled[2].error
    for one, two in zip(alone, pooled, strict=True):
        assert one.confidence_rmsd_angstrom == two.confidence_rmsd_angstrom
        if one.status == "ok":
            assert Path(one.rank1_sdf).read_text() == Path(two.rank1_sdf).read_text()
