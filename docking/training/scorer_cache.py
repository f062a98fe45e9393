"""The pose scorer's feature cache as plain tensors: nothing read back is unpickled code.

One complex's `ComplexPoses` is saved as two files beside each other: ``<stem>.pt``, a
dict of tensors (each `PoseGraph` field concatenated over the poses, with per-pose
counts to split them again) written by `torch.save` and read with
``torch.load(weights_only=True)``, and ``<stem>.json`` with the complex id and the pose
kinds. A file that holds anything but tensors (a planted pickle) is refused with
`CheckpointError`, never executed (issue 14: no pickle read back from storage).
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import torch

from docking.errors import CheckpointError
from docking.network.pose_graph import PoseGraph

# PoseGraph tensor fields: which per-pose count splits them, and along which dimension.
_FIELDS = {
    "ligand_x": ("ligand", 0),
    "ligand_pos": ("ligand", 0),
    "bonds": ("bond", 1),
    "bond_attr": ("bond", 0),
    "pocket_x": ("pocket", 0),
    "pocket_pos": ("pocket", 0),
    "pocket_backbone": ("pocket", 0),
}


def save_group(group, stem: Path) -> None:
    """Write `group` (a `docking.training.scorer_data.ComplexPoses`) as ``stem.pt`` + ``stem.json``."""
    graphs = group.graphs
    tensors = {
        "ligand_count": torch.tensor([g.ligand_x.shape[0] for g in graphs], dtype=torch.long),
        "bond_count": torch.tensor([g.bonds.shape[1] for g in graphs], dtype=torch.long),
        "pocket_count": torch.tensor([g.pocket_x.shape[0] for g in graphs], dtype=torch.long),
        "vina_score": torch.tensor([g.vina_score for g in graphs], dtype=torch.float64),
        "rmsd": group.rmsd,
    }
    for field, (_, dim) in _FIELDS.items():
        parts = [getattr(g, field) for g in graphs]
        tensors[field] = torch.cat(parts, dim=dim) if parts else torch.empty(0)
    torch.save(tensors, stem.with_suffix(".pt"))
    stem.with_suffix(".json").write_text(json.dumps({"pdb_id": group.pdb_id, "kinds": group.kinds}))


def load_group(stem: Path) -> tuple[str, list[PoseGraph], torch.Tensor, list[str]]:
    """(pdb_id, graphs, rmsd, kinds) from ``stem.pt`` + ``stem.json``; `CheckpointError`
    if the tensor file holds anything but plain tensors or the two files disagree."""
    path = stem.with_suffix(".pt")
    try:
        tensors = torch.load(path, weights_only=True, map_location="cpu")
        meta = json.loads(stem.with_suffix(".json").read_text())
    except (pickle.UnpicklingError, RuntimeError, OSError, ValueError) as error:
        raise CheckpointError(
            f"{path}: not a plain-tensor feature cache ({' '.join(str(error).split())[:200]}); "
            "refused, nothing in it was run. Delete it to featurize the complex again"
        ) from error
    if not isinstance(tensors, dict) or not all(
        isinstance(v, torch.Tensor) for v in tensors.values()
    ):
        raise CheckpointError(f"{path}: expected a dict of tensors; delete it to featurize again")
    graphs = _split(tensors)
    if len(graphs) != len(meta["kinds"]) or len(graphs) != len(tensors["rmsd"]):
        raise CheckpointError(f"{path}: pose counts disagree with {stem.with_suffix('.json')}")
    return meta["pdb_id"], graphs, tensors["rmsd"], list(meta["kinds"])


def _split(tensors: dict[str, torch.Tensor]) -> list[PoseGraph]:
    """The per-pose `PoseGraph`s packed by `save_group`."""
    scores = tensors["vina_score"].tolist()
    if not scores:
        return []
    pieces = {
        field: torch.split(tensors[field], tensors[f"{key}_count"].tolist(), dim=dim)
        for field, (key, dim) in _FIELDS.items()
    }
    return [
        PoseGraph(**{field: pieces[field][i] for field in _FIELDS}, vina_score=float(score))
        for i, score in enumerate(scores)
    ]
