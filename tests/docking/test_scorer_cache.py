"""The pose scorer's feature cache is plain tensors + JSON: a round trip keeps every pose,
and a planted pickle is refused without running it (issue 14)."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
import torch
from rdkit import Chem

from docking.errors import CheckpointError
from docking.network.pose_graph import pose_graph, protein_atoms
from docking.training.pose_labels import perturb
from docking.training.scorer_cache import load_group, save_group
from docking.training.scorer_data import ComplexPoses


@pytest.fixture(scope="module")
def group() -> ComplexPoses:
    from tests.docking.conftest import DATA

    crystal = Chem.MolFromMolFile(str(DATA / "6ce6_ligand.sdf"), removeHs=False)
    atoms = protein_atoms((DATA / "6ce6_protein.pdb").read_text())
    rng = np.random.default_rng(0)
    graphs = [pose_graph(perturb(crystal, s, rng), atoms, -7.0 + s) for s in (0.0, 1.5, 4.0)]
    return ComplexPoses("6ce6", graphs, torch.tensor([0.0, 1.4, 3.9]), ["crystal", "vina", "vina"])


def test_round_trip_keeps_every_pose(group, tmp_path):
    save_group(group, tmp_path / "6ce6-key-tensors")
    pdb_id, graphs, rmsd, kinds = load_group(tmp_path / "6ce6-key-tensors")
    assert (pdb_id, kinds) == ("6ce6", group.kinds) and torch.equal(rmsd, group.rmsd)
    for got, want in zip(graphs, group.graphs, strict=True):
        for field, value in want.__dict__.items():
            if isinstance(value, torch.Tensor):
                assert torch.equal(getattr(got, field), value), field
        assert got.vina_score == want.vina_score


def test_an_empty_group_round_trips(tmp_path):
    save_group(ComplexPoses("6ce6", [], torch.empty(0), []), tmp_path / "empty")
    assert load_group(tmp_path / "empty")[1] == []


class _Payload:
    """Unpickling this would create the file named in `marker`."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_planted_pickle_is_refused_and_not_run(group, tmp_path):
    stem = tmp_path / "6ce6-key-tensors"
    save_group(group, stem)
    marker = tmp_path / "payload-ran"
    with open(stem.with_suffix(".pt"), "wb") as handle:
        pickle.dump({"rmsd": _Payload(str(marker))}, handle)
    with pytest.raises(CheckpointError, match="refused, nothing in it was run"):
        load_group(stem)
    assert not marker.exists()
    torch.save({"rmsd": _Payload(str(marker))}, stem.with_suffix(".pt"))  # torch's zip format
    with pytest.raises(CheckpointError, match="refused"):
        load_group(stem)
    assert not marker.exists()
