"""Small geometric quantities used by the losses, inference and metrics."""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.utils import scatter


def signed_volumes(pos: Tensor, quads: Tensor) -> Tensor:
    """Signed volume of each (centre, a, b, c) tetrahedron: det[a-x, b-x, c-x].

    Its sign is the handedness of a stereocentre, flipped by a mirror image.
    Shapes: pos (N, 3), quads (C, 4) -> (C,)
    """
    centre = pos[quads[:, 0]]  # (C, 3)
    arms = torch.stack([pos[quads[:, k]] - centre for k in (1, 2, 3)], dim=1)  # (C, 3, 3)
    return torch.linalg.det(arms)


def graph_rmsd(pred: Tensor, true: Tensor, batch: Tensor, size: int) -> Tensor:
    """Per-graph RMSD without superposition (docking convention). (N, 3) x2 -> (B,)"""
    squared = ((pred - true) ** 2).sum(-1)  # (N,)
    return scatter(squared, batch, dim=0, dim_size=size, reduce="mean").sqrt()


def kabsch_superpose(mobile: Tensor, target: Tensor) -> Tensor:
    """`mobile` (N, 3) rigidly moved (rotation, no reflection) onto `target` (N, 3)."""
    mobile_mean, target_mean = mobile.mean(0), target.mean(0)
    a, b = mobile - mobile_mean, target - target_mean
    u, _, vt = torch.linalg.svd(a.T @ b)
    sign = torch.sign(torch.det(u @ vt))
    correction = torch.diag(torch.tensor([1.0, 1.0, float(sign)], dtype=a.dtype))
    rotation = u @ correction @ vt  # (3, 3), applied on the right
    return a @ rotation + target_mean
