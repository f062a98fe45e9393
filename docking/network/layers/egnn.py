"""E(n)-equivariant graph convolution (EGNN)."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter

from docking.network.layers.rbf import GaussianSmearing


class EquivariantConv(nn.Module):
    r"""E(n)-equivariant graph convolution (Satorras et al., 2021, arXiv:2102.09844).

    .. math::
        m_{ij} = \phi_e(h_i, h_j, \mathrm{rbf}(\|x_i - x_j\|), e_{ij}),\quad
        h_i' = h_i + \phi_h\big(h_i, \tfrac{1}{|N(i)|}\textstyle\sum_j m_{ij}\big),\\
        x_i' = x_i + \tfrac{1}{|N(i)|}\textstyle\sum_j
               \frac{x_i - x_j}{\|x_i - x_j\| + 1}\, \phi_x(m_{ij})

    Coordinates move only where `coord_mask` is true (FABFlex moves the ligand in its
    ligand-docking module and the pocket in its pocket-docking module), and not at all
    when `update_coords` is false. Rotating and translating `pos` moves the output
    coordinates the same way; `h` is invariant.

    Args:
        channels: node feature size F (input and output).
        edge_dim: size D of edge features (0 for none).
        hidden: width of the message MLPs.
        num_gaussians: radial basis size for distances.
        update_coords: whether this layer moves coordinates at all.

    Shapes: h (N, F), pos (N, 3), edge_index (2, E) source->target, edge_attr (E, D),
        coord_mask (N,) bool -> h (N, F), pos (N, 3)
    """

    def __init__(
        self,
        channels: int,
        edge_dim: int = 0,
        hidden: int = 128,
        num_gaussians: int = 16,
        update_coords: bool = True,
    ) -> None:
        super().__init__()
        self.channels = channels
        self.edge_dim = edge_dim
        self.hidden = hidden
        self.update_coords = update_coords
        self.rbf = GaussianSmearing(num_gaussians)
        self.message = nn.Sequential(
            nn.Linear(2 * channels + num_gaussians + edge_dim, hidden),
            nn.SiLU(),
            nn.Linear(hidden, hidden),
            nn.SiLU(),
        )
        self.node = nn.Sequential(
            nn.Linear(channels + hidden, hidden), nn.SiLU(), nn.Linear(hidden, channels)
        )
        self.norm = nn.LayerNorm(channels)
        self.coord = nn.Sequential(nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 1))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise all weights; the last coordinate layer starts small for stability."""
        for module in (*self.message, *self.node, *self.coord, self.norm):
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
        nn.init.uniform_(self.coord[-1].weight, -1e-3, 1e-3)

    def forward(
        self,
        h: Tensor,
        pos: Tensor,
        edge_index: Tensor,
        edge_attr: Tensor | None = None,
        coord_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """One round of messages; returns updated features and coordinates."""
        source, target = edge_index
        rel = pos[target] - pos[source]  # (E, 3) x_i - x_j
        distance = rel.norm(dim=-1)  # (E,)
        parts = [h[target], h[source], self.rbf(distance)]
        if edge_attr is not None:
            parts.append(edge_attr)
        message = self.message(torch.cat(parts, dim=-1))  # (E, hidden)
        aggregated = scatter(message, target, dim=0, dim_size=h.shape[0], reduce="mean")
        h = self.norm(h + self.node(torch.cat([h, aggregated], dim=-1)))  # (N, F)
        if not self.update_coords:
            return h, pos
        step = rel / (distance.unsqueeze(-1) + 1.0) * self.coord(message)  # (E, 3)
        shift = scatter(step, target, dim=0, dim_size=pos.shape[0], reduce="mean")  # (N, 3)
        if coord_mask is not None:
            shift = shift * coord_mask.unsqueeze(-1).to(shift.dtype)
        return h, pos + shift
