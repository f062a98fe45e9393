"""`discover dock --mode hybrid|vina|scorer`: Vina samples in a ligand-sized box, the pose
ranker, Vina or the pose scorer ranks, every row written with its scores or its reason."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import torch
from rdkit import Chem
from typer.testing import CliRunner

from discovery.cli import app
from docking.errors import DockingConfigError
from docking.inference.hybrid import HybridOptions, rank_poses
from docking.inference.pose_ranker import PoseRanker, default_ranker, load_ranker
from docking.network.pose_scorer import PoseScorer
from docking.training.pose_labels import crystal_in_vina_form, perturb
from science.vina.prepare import prepare_ligand
from science.vina.site import Pose, ligand_box, write_receptor

runner = CliRunner()


def _centre(data_dir) -> list[str]:
    mol = Chem.MolFromMolFile(str(data_dir / "6ce6_ligand.sdf"))
    return [f"{v:.3f}" for v in mol.GetConformer().GetPositions().mean(0)]


def test_ranking_follows_the_mode(data_dir, tmp_path):
    crystal = Chem.MolFromMolFile(str(data_dir / "6ce6_ligand.sdf"))
    native = crystal_in_vina_form(crystal, prepare_ligand(crystal, seed=1).mol)
    rng = np.random.default_rng(0)
    poses = [Pose(perturb(native, s, rng), score) for s, score in ((0, -5.0), (2, -7.0), (4, -6.0))]
    site = (
        data_dir / "6ce6_protein.pdb",
        write_receptor(data_dir / "6ce6_protein.pdb", tmp_path / "r.pdbqt"),
    )
    by_vina = rank_poses(poses, site, None, "vina")
    assert [r.pose.vina_score for r in by_vina] == [-7.0, -6.0, -5.0]
    torch.manual_seed(0)
    by_scorer = rank_poses(poses, site, PoseScorer().eval(), "scorer")
    probabilities = [r.probability for r in by_scorer]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < probabilities[-1] < 1
    # a ranker that trusts only Vinardo puts the crystal pose above the one moved 4 Å
    vinardo_only = PoseRanker(("vinardo_delta",), (0.0,), (1.0,), (-1.0,))
    by_ranker = rank_poses(poses, site, vinardo_only, "hybrid")
    order = [poses.index(r.pose) for r in by_ranker]
    assert order.index(0) < order.index(2)
    assert sum(r.probability for r in by_ranker) == pytest.approx(1.0)


def test_shipped_ranker_loads_and_uses_known_features():
    ranker = load_ranker(default_ranker())
    assert ranker.features and ranker.fit["complexes"] >= 20


def test_box_is_the_ligand_span_plus_eight(data_dir):
    mol = Chem.MolFromMolFile(str(data_dir / "6ce6_ligand.sdf"))
    xyz = mol.GetConformer().GetPositions()
    span = max(np.linalg.norm(a - b) for a in xyz for b in xyz)
    assert ligand_box(mol) == pytest.approx(max(span + 8.0, 12.0))


def test_bad_options_are_refused():
    with pytest.raises(DockingConfigError):
        HybridOptions(mode="fast")
    with pytest.raises(DockingConfigError):
        HybridOptions(seeds=(0,))


@pytest.mark.parametrize("mode,name", [("hybrid", "none.json"), ("scorer", "none.pt")])
def test_missing_ranking_model_is_one_clear_line(data_dir, tmp_path, mode, name):
    result = runner.invoke(
        app,
        ["dock", "--mode", mode, "--protein", str(data_dir / "6ce6_protein.pdb"),
         "--ligand", "CCO", "--pocket-center", *_centre(data_dir),
         "--scorer", str(tmp_path / name),
         "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert name in result.output


@pytest.mark.slow  # Vina docks twice (about a minute on a loaded 2-core machine)
def test_vina_mode_docks_near_the_crystal_and_fails_bad_rows(data_dir, tmp_path):
    protein = data_dir / "6ce6_protein.pdb"
    table = tmp_path / "batch.csv"
    table.write_text(
        "complex_name,protein_path,ligand,pocket_center\n"
        f"good,{protein},{data_dir / '6ce6_ligand.sdf'},{' '.join(_centre(data_dir))}\n"
        f"radical,{protein},C[CH]c1ccccc1,{' '.join(_centre(data_dir))}\n"
    )
    result = runner.invoke(
        app,
        ["dock", "--csv", str(table), "--mode", "vina", "--exhaustiveness", "2",
         "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 1
    good, radical = csv.DictReader(open(tmp_path / "out" / "results.csv"))
    assert good["status"] == "ok" and good["mode"] == "vina" and float(good["vina_score"]) < -4
    assert radical["status"] == "failed" and "unpaired electrons" in radical["error"]
    pose = Chem.MolFromMolFile(good["rank1_sdf"])
    crystal = Chem.MolFromMolFile(str(data_dir / "6ce6_ligand.sdf"))
    from docking.poses.pose_rmsd import centroid_distance

    assert centroid_distance(pose, crystal) < 6.0
    assert (tmp_path / "out" / "good" / "rank3.sdf").exists()


@pytest.mark.slow  # Vina docks and rescores once (about half a minute on a loaded machine)
def test_hybrid_mode_ranks_with_the_shipped_ranker(data_dir, tmp_path):
    result = runner.invoke(
        app,
        ["dock", "--mode", "hybrid", "--protein", str(data_dir / "6ce6_protein.pdb"),
         "--ligand", str(data_dir / "6ce6_ligand.sdf"), "--pocket-center", *_centre(data_dir),
         "--exhaustiveness", "2", "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(open(tmp_path / "out" / "results.csv"))
    assert row["status"] == "ok" and row["mode"] == "hybrid"
    assert 0 < float(row["scorer_probability"]) <= 1
    folder = tmp_path / "out" / row["complex_name"]
    rank1, rank2 = (next(Chem.SDMolSupplier(str(folder / f"rank{i}.sdf"))) for i in (1, 2))
    assert float(rank1.GetProp("scorer_probability")) >= float(rank2.GetProp("scorer_probability"))
