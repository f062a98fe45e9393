"""The pose scorer: invariant to moving the complex, batched equals one by one, and able
to learn to put near-native poses first; its training resumes from its checkpoint."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from rdkit import Chem
from scipy.spatial.transform import Rotation

from docking.errors import CheckpointError
from docking.network.pose_graph import PoseGraph, pose_graph, protein_atoms
from docking.network.pose_scorer import PoseScorer, ScorerConfig, collate
from docking.network.scorer_checkpoint import load_scorer
from docking.poses.pose_rmsd import symmetric_rmsd
from docking.training import pose_label_folder as layout
from docking.training.pose_labels import perturb
from docking.training.scorer_cache import load_group
from docking.training.scorer_train import ScorerTrainConfig, train_scorer

SCALES = (0.0, 0.3, 0.6, 1.0, 2.0, 3.0, 4.0, 5.0)


@pytest.fixture(scope="module")
def crystal(data_dir_module):
    return Chem.MolFromMolFile(str(data_dir_module / "6ce6_ligand.sdf"), removeHs=False)


@pytest.fixture(scope="module")
def data_dir_module():
    from tests.docking.conftest import DATA

    return DATA


@pytest.fixture(scope="module")
def atoms(data_dir_module):
    return protein_atoms((data_dir_module / "6ce6_protein.pdb").read_text())


def _moved(graph: PoseGraph, turn: Rotation, shift: np.ndarray) -> PoseGraph:
    move = lambda x: torch.tensor(turn.apply(x.numpy()) + shift, dtype=torch.float32)  # noqa: E731
    return PoseGraph(
        **{
            **graph.__dict__,
            "ligand_pos": move(graph.ligand_pos),
            "pocket_pos": move(graph.pocket_pos),
        }
    )


def test_scores_are_invariant_and_batching_changes_nothing(crystal, atoms):
    torch.manual_seed(0)
    model = PoseScorer().eval()
    rng = np.random.default_rng(0)
    graphs = [pose_graph(perturb(crystal, s, rng), atoms, -5.0 - s) for s in (0.0, 1.0, 3.0)]
    moved = [
        _moved(g, Rotation.random(random_state=1), np.array([10.0, -4.0, 7.0])) for g in graphs
    ]
    with torch.no_grad():
        logit, rmsd = model(collate(graphs))
        logit_moved, rmsd_moved = model(collate(moved))
        alone = torch.cat([model(collate([g]))[0] for g in graphs])
    assert torch.allclose(logit, logit_moved, atol=1e-4)
    assert torch.allclose(rmsd, rmsd_moved, atol=1e-4)
    assert torch.allclose(logit, alone, atol=1e-5)


def _label_folder(folder, crystal, data_dir):
    """A label folder of one complex: the crystal pose and perturbed copies (no Vina)."""
    rng = np.random.default_rng(3)
    (folder / "receptors").mkdir(parents=True)
    (folder / "receptors" / "6ce6.pdb").write_text((data_dir / "6ce6_protein.pdb").read_text())
    poses = [perturb(crystal, s, rng) for s in SCALES for _ in range(2)]
    rows = [
        layout.row(
            "6ce6",
            "vina",
            1,
            i,
            status="ok",
            rmsd=f"{symmetric_rmsd(p, crystal):.3f}",
            vina_score="-6.0",
        )
        for i, p in enumerate(poses)
    ]
    layout.write_job(folder, "6ce6", "vina", 1, poses, rows)


def test_training_learns_to_rank_and_resumes(crystal, data_dir_module, mini_data_folder, tmp_path):
    _label_folder(tmp_path / "labels", crystal, data_dir_module)
    config = ScorerTrainConfig(
        label_folders=[tmp_path / "labels"],
        out_dir=tmp_path / "run",
        data_folder=mini_data_folder,
        cache_dir=tmp_path / "cache",
        max_steps=40,
        holdout_share=0.0,
        side_chain_noise=0.0,
        backbone_noise=0.0,
        model=ScorerConfig(hidden=32, layers=1),
    )
    first = train_scorer(config)
    assert first["steps"] == 40 and first["data_seen"]["train_poses"] == 2 * len(SCALES)
    model = load_scorer(tmp_path / "run" / "best.pt")
    _, graphs, rmsd, _ = load_group(next((tmp_path / "cache").glob("6ce6-*.json")).with_suffix(""))
    with torch.no_grad():
        logit, _ = model(collate(graphs))
    near, far = logit[rmsd < 1.0], logit[rmsd > 3.0]
    assert near.min() > far.max(), "training did not separate near-native from far poses"
    config.max_steps = 45
    resumed = train_scorer(config)
    assert resumed["steps"] == 45 and len(resumed["history"]) == 2


def test_a_foreign_file_is_not_a_scorer(tmp_path):
    (tmp_path / "x.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="x.pt"):
        load_scorer(tmp_path / "x.pt")
