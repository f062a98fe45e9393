"""Pose features of the hybrid ranker on a real complex (6ce6): Vina-form poses of its
crystal ligand, the crystal pose and copies moved by a sampler-like 1 Å and by 4 Å."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem

from docking.errors import DockingError
from docking.inference.pose_features import FEATURES, pose_features
from docking.training.pose_labels import crystal_in_vina_form, perturb
from science.vina.prepare import prepare_ligand
from science.vina.site import write_receptor
from tests.docking.conftest import DATA


@pytest.fixture(scope="module")
def poses_and_receptor(tmp_path_factory):
    """Three poses (crystal, moved 1 Å, moved 4 Å) and the 6ce6 receptor PDBQT."""
    data = DATA
    crystal = Chem.MolFromMolFile(str(data / "6ce6_ligand.sdf"))
    native = crystal_in_vina_form(crystal, prepare_ligand(crystal, seed=1).mol)
    rng = np.random.default_rng(0)
    poses = [native, perturb(native, 1.0, rng), perturb(native, 4.0, rng)]
    receptor = write_receptor(data / "6ce6_protein.pdb", tmp_path_factory.mktemp("r") / "r.pdbqt")
    return poses, receptor


GEOMETRIC = ("vina_delta", "vina_rank", "consensus", "rmsd_to_top")  # no rescoring needed


def test_score_and_geometry_features_are_relative_to_the_complex(poses_and_receptor):
    poses, receptor = poses_and_receptor
    x = pose_features(poses, [-6.0, -8.0, -5.0], receptor, GEOMETRIC)
    column = {name: x[:, i] for i, name in enumerate(GEOMETRIC)}
    assert column["vina_delta"].tolist() == [2.0, 0.0, 3.0]
    assert column["vina_rank"].tolist() == [0.5, 0.0, 1.0]
    assert column["rmsd_to_top"][1] == 0.0 and column["rmsd_to_top"][2] > 3.0
    assert column["consensus"].tolist() == [0.5, 0.5, 0.0]  # the two close poses agree


@pytest.mark.slow  # six Vina map sets (about 10 CPU-s)
def test_every_feature_is_computed_in_order(poses_and_receptor):
    poses, receptor = poses_and_receptor
    x = pose_features(poses, [-6.0, -8.0, -5.0], receptor)
    column = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert x.shape == (3, len(FEATURES))
    assert column["vinardo_delta"].min() == 0.0
    for term in ("gauss1", "gauss2", "repulsion", "hydrophobic", "hbond"):
        assert abs(column[term].mean()) < 1e-9
    assert column["repulsion"].std() > 0


def test_vinardo_prefers_the_crystal_pose_to_one_moved_4_angstrom(poses_and_receptor):
    poses, receptor = poses_and_receptor
    x = pose_features(poses, [-6.0, -6.0, -6.0], receptor, ("vinardo_delta",))
    assert x.shape == (3, 1)
    assert x[0, 0] < x[2, 0]


def test_unknown_feature_is_refused(poses_and_receptor):
    poses, receptor = poses_and_receptor
    with pytest.raises(DockingError, match="unknown pose features"):
        pose_features(poses, [-6.0, -6.0, -6.0], receptor, ("vina_delta", "shape"))
