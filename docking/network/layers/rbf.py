"""Gaussian radial basis expansion of distances (SchNet, Schütt et al., 2017)."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class GaussianSmearing(nn.Module):
    r"""Expand a distance into Gaussians centred on a regular grid.

    .. math:: e_k(d) = \exp\left(-\frac{(d - \mu_k)^2}{2\sigma^2}\right),\;
              \mu_k = k \cdot \text{cutoff} / (K - 1),\; \sigma = \text{cutoff} / (K - 1)

    Args:
        num_gaussians: K, the output size.
        cutoff_angstrom: centre of the last Gaussian.

    Shapes: distance (E,) -> (E, K)
    """

    def __init__(self, num_gaussians: int = 16, cutoff_angstrom: float = 20.0) -> None:
        super().__init__()
        self.num_gaussians = num_gaussians
        self.cutoff_angstrom = cutoff_angstrom
        self.register_buffer("centres", torch.linspace(0.0, cutoff_angstrom, num_gaussians))
        self.width = cutoff_angstrom / (num_gaussians - 1)

    def forward(self, distance: Tensor) -> Tensor:
        """Gaussians of `distance` (E,) -> (E, K)."""
        offset = distance.unsqueeze(-1) - self.centres.to(distance.dtype)  # (E, K)
        return torch.exp(-0.5 * (offset / self.width) ** 2)
