"""Distance-aware cross-attention from one node set to another (invariant features)."""

from __future__ import annotations

from torch import Tensor, nn
from torch_geometric.utils import scatter, softmax

from docking.network.layers.rbf import GaussianSmearing


class CrossAttention(nn.Module):
    r"""Multi-head attention of target nodes over source nodes along given edges.

    Used between ligand atoms and pocket residues, the information exchange of FABFlex's
    ligand and pocket modules (Zhang et al., ICLR 2025). The score of edge
    :math:`j \to i` adds a learned bias from the radial basis of :math:`\|x_i - x_j\|`,
    so the update depends on coordinates only through distances (E(3)-invariant):

    .. math:: \alpha_{ij} = \mathrm{softmax}_j\big(q_i^\top k_j / \sqrt{d} +
              w^\top \mathrm{rbf}(\|x_i - x_j\|)\big),\quad
              h_i' = \mathrm{LN}\big(h_i + W_o \textstyle\sum_j \alpha_{ij} v_j\big)

    Args:
        channels: feature size F of both node sets.
        heads: number of attention heads (divides F).
        num_gaussians: radial basis size for the distance bias.

    Shapes: h_target (N_t, F), h_source (N_s, F), pos_target (N_t, 3), pos_source (N_s, 3),
        edge_index (2, E) with row 0 indexing sources and row 1 targets -> (N_t, F)
    """

    def __init__(self, channels: int, heads: int = 4, num_gaussians: int = 16) -> None:
        super().__init__()
        if channels % heads:
            raise ValueError(f"CrossAttention: channels {channels} not divisible by {heads}")
        self.channels = channels
        self.heads = heads
        self.rbf = GaussianSmearing(num_gaussians)
        self.query = nn.Linear(channels, channels)
        self.key = nn.Linear(channels, channels)
        self.value = nn.Linear(channels, channels)
        self.distance_bias = nn.Linear(num_gaussians, heads)
        self.out = nn.Linear(channels, channels)
        self.norm = nn.LayerNorm(channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise all weights."""
        for module in (self.query, self.key, self.value, self.distance_bias, self.out, self.norm):
            module.reset_parameters()

    def forward(
        self,
        h_target: Tensor,
        h_source: Tensor,
        pos_target: Tensor,
        pos_source: Tensor,
        edge_index: Tensor,
    ) -> Tensor:
        """Updated target features (N_t, F)."""
        source, target = edge_index
        size = self.channels // self.heads
        q = self.query(h_target).view(-1, self.heads, size)[target]  # (E, H, d)
        k = self.key(h_source).view(-1, self.heads, size)[source]  # (E, H, d)
        v = self.value(h_source).view(-1, self.heads, size)[source]  # (E, H, d)
        distance = (pos_target[target] - pos_source[source]).norm(dim=-1)  # (E,)
        score = (q * k).sum(-1) / size**0.5 + self.distance_bias(self.rbf(distance))  # (E, H)
        weight = softmax(score, target, num_nodes=h_target.shape[0])  # (E, H)
        mixed = scatter(
            weight.unsqueeze(-1) * v, target, dim=0, dim_size=h_target.shape[0], reduce="sum"
        )  # (N_t, H, d)
        return self.norm(h_target + self.out(mixed.reshape(-1, self.channels)))
