"""`discover dock --mode hybrid|vina`: Vina samples in a ligand-sized box, a scorer or
Vina ranks, every row written with its scores or its reason."""

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
from docking.network.pose_scorer import PoseScorer
from docking.training.pose_labels import perturb
from science.vina.site import Pose, ligand_box

runner = CliRunner()


def _centre(data_dir) -> list[str]:
    mol = Chem.MolFromMolFile(str(data_dir / "6ce6_ligand.sdf"))
    return [f"{v:.3f}" for v in mol.GetConformer().GetPositions().mean(0)]


def test_ranking_follows_the_mode(data_dir):
    crystal = Chem.MolFromMolFile(str(data_dir / "6ce6_ligand.sdf"), removeHs=False)
    rng = np.random.default_rng(0)
    poses = [
        Pose(perturb(crystal, s, rng), score) for s, score in ((0, -5.0), (2, -7.0), (4, -6.0))
    ]
    by_vina = rank_poses(poses, data_dir / "6ce6_protein.pdb", None, "vina")
    assert [r.pose.vina_score for r in by_vina] == [-7.0, -6.0, -5.0]
    torch.manual_seed(0)
    by_scorer = rank_poses(poses, data_dir / "6ce6_protein.pdb", PoseScorer().eval(), "hybrid")
    probabilities = [r.probability for r in by_scorer]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < probabilities[-1] < 1


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


def test_hybrid_without_a_scorer_checkpoint_is_one_clear_line(data_dir, tmp_path):
    result = runner.invoke(
        app,
        ["dock", "--mode", "hybrid", "--protein", str(data_dir / "6ce6_protein.pdb"),
         "--ligand", "CCO", "--pocket-center", *_centre(data_dir),
         "--scorer", str(tmp_path / "none.pt"),
         "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "none.pt" in result.output


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
