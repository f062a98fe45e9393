"""FABFlex-style flexible blind docking network (Zhang et al., ICLR 2025, arXiv:2502.14934).

Three modules, one network:

1. pocket prediction: a residue EGNN over the whole protein, told about the ligand by a
   pooled ligand embedding, gives a pocket probability per residue; the pocket centre is
   the softmax(logit)-weighted mean of the Cα positions (so it moves with the protein);
2. ligand docking: EGNN layers over the ligand atoms and the pocket residues (the
   `pocket_residues` Cα nearest the centre) that move only the ligand;
3. pocket docking: the same kind of layers that move only the pocket Cα (apo -> holo).

Modules 2 and 3 alternate for `rounds` iterations, each reading the other's latest
coordinates (FABFlex's iterative update); cross-attention exchanges ligand and pocket
features before each module. A confidence head predicts the ligand RMSD of the pose.
Every coordinate output is E(3)-equivariant; the pocket choice and confidence are invariant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn
from torch_geometric.data import HeteroData
from torch_geometric.utils import scatter, softmax

from docking.network.featurize import BOND_FEATURES, LIGAND_FEATURES
from docking.network.layers import CrossAttention, EquivariantConv, LearnedResidueEmbedding

EDGE_KINDS = 4  # ligand-ligand, residue-residue, ligand->residue, residue->ligand
DOCKING_EDGE_FEATURES = EDGE_KINDS + BOND_FEATURES


@dataclass
class ModelConfig:
    """Sizes of the docking network (the defaults are the small CPU configuration)."""

    hidden: int = 64
    pocket_layers: int = 2
    docking_layers: int = 2
    rounds: int = 2
    heads: int = 4
    pocket_residues: int = 48


@dataclass
class DockingOutput:
    """What one forward pass predicts for a batch of B complexes.

    Shapes: pocket_logits (R,), pocket_center (B, 3), pocket_mask (R,) bool over all
    residues, ligand_pos (L, 3), ligand_trajectory list of (L, 3) per round,
    pocket_pos (P, 3) for the residues in `pocket_mask`, pocket_batch (P,),
    confidence (B,) predicted ligand RMSD in Å.
    """

    pocket_logits: Tensor
    pocket_center: Tensor
    pocket_mask: Tensor
    ligand_pos: Tensor
    pocket_pos: Tensor
    pocket_batch: Tensor
    confidence: Tensor
    ligand_trajectory: list[Tensor] = field(default_factory=list)


def nearest_per_graph(pos: Tensor, batch: Tensor, centre: Tensor, count: int) -> Tensor:
    """(R,) bool: the `count` nodes of each graph nearest its centre (B, 3)."""
    distance = (pos - centre[batch]).norm(dim=-1)  # (R,)
    # graph-major order, nearest first: two stable sorts (a single float key such as
    # batch * 1e6 + distance loses the distance to float32 rounding in large batches)
    order = torch.argsort(distance, stable=True)
    order = order[torch.argsort(batch[order], stable=True)]
    start = torch.zeros(int(batch.max()) + 2, dtype=torch.long, device=pos.device)
    start[1:] = torch.bincount(batch).cumsum(0)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(len(order), device=pos.device)
    return rank - start[batch] < count


def all_pairs(batch: Tensor) -> Tensor:
    """(2, E) every ordered pair of distinct nodes that share a graph, sorted by source
    then target. Built graph by graph (memory linear in E, not quadratic in the batch's
    node count), so a batch of many complexes costs what its complexes cost apart."""
    arange = lambda n: torch.arange(n, device=batch.device)  # noqa: E731
    members = torch.argsort(batch, stable=True)  # each graph's nodes, ascending
    sizes = torch.bincount(batch)
    per_node = sizes[batch]  # (N,) partners of each node, itself included
    source = torch.repeat_interleave(arange(len(batch)), per_node)
    first = torch.repeat_interleave(per_node.cumsum(0) - per_node, per_node)
    target = members[(sizes.cumsum(0) - sizes)[batch[source]] + arange(len(source)) - first]
    keep = source != target
    return torch.stack([source[keep], target[keep]])


def graph_mean(values: Tensor, batch: Tensor, size: int) -> Tensor:
    """Per-graph mean of node values: (N, F) -> (B, F)."""
    return scatter(values, batch, dim=0, dim_size=size, reduce="mean")


class FlexibleDocker(nn.Module):
    """Pocket prediction + iterated ligand and pocket docking + confidence.

    Args:
        config: network sizes.
        residue_embedding: maps residue types (R,) to (R, hidden); a learned table if None.
    """

    def __init__(self, config: ModelConfig, residue_embedding: nn.Module | None = None) -> None:
        super().__init__()
        self.config = config
        width = config.hidden
        self.residue_embedding = residue_embedding or LearnedResidueEmbedding(width)
        self.ligand_encoder = nn.Linear(LIGAND_FEATURES, width)
        self.bond_conv = EquivariantConv(width, BOND_FEATURES, width, update_coords=False)
        self.pocket_convs = nn.ModuleList(
            EquivariantConv(width, 0, width, update_coords=False)
            for _ in range(config.pocket_layers)
        )
        self.ligand_context = nn.Linear(width, width)
        self.pocket_head = nn.Sequential(nn.Linear(width, width), nn.SiLU(), nn.Linear(width, 1))
        self.ligand_attention = CrossAttention(width, config.heads)
        self.pocket_attention = CrossAttention(width, config.heads)
        self.ligand_docking = nn.ModuleList(
            EquivariantConv(width, DOCKING_EDGE_FEATURES, width)
            for _ in range(config.docking_layers)
        )
        self.pocket_docking = nn.ModuleList(
            EquivariantConv(width, DOCKING_EDGE_FEATURES, width)
            for _ in range(config.docking_layers)
        )
        self.confidence_head = nn.Sequential(
            nn.Linear(2 * width, width), nn.SiLU(), nn.Linear(width, 1), nn.Softplus()
        )

    def predict_pocket(self, batch: HeteroData, h_ligand: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Residue features (R, F), pocket logits (R,) and centres (B, 3) for the batch."""
        residues = batch["residue"]
        count = int(residues.batch.max()) + 1
        context = self.ligand_context(graph_mean(h_ligand, batch["ligand"].batch, count))
        h = self.residue_embedding(residues.x) + context[residues.batch]  # (R, F)
        edges = batch["residue", "near", "residue"].edge_index
        for conv in self.pocket_convs:
            h, _ = conv(h, residues.pos, edges)
        logits = self.pocket_head(h).squeeze(-1)  # (R,)
        weight = softmax(logits, residues.batch, num_nodes=len(logits)).unsqueeze(-1)  # (R, 1)
        centre = scatter(weight * residues.pos, residues.batch, 0, dim_size=count)  # (B, 3)
        return h, logits, centre

    def docking_edges(
        self, batch: HeteroData, num_ligand: int, node_batch: Tensor
    ) -> tuple[Tensor, Tensor]:
        """All intra-complex pairs of ligand atoms and pocket residues, with edge features."""
        edges = all_pairs(node_batch)  # (2, E)
        is_residue = edges >= num_ligand  # (2, E)
        kind = is_residue[0].long() * 2 + is_residue[1].long()  # 0 LL, 1 L->R, 2 R->L, 3 RR
        bonds = batch["ligand", "bond", "ligand"]
        attr = bonds.edge_attr  # (E_b, BOND_FEATURES)
        bond_attr = attr.new_zeros(edges.shape[1], BOND_FEATURES)
        if len(attr):  # look each ligand pair up among the bonds (pair key = i * L + j)
            keys, order = torch.sort(bonds.edge_index[0] * num_ligand + bonds.edge_index[1])
            pair = (kind == 0).nonzero().squeeze(-1)
            wanted = edges[0, pair] * num_ligand + edges[1, pair]
            found = torch.searchsorted(keys, wanted).clamp(max=len(keys) - 1)
            bonded = keys[found] == wanted
            bond_attr[pair[bonded]] = attr[order[found[bonded]]]
        kind_attr = nn.functional.one_hot(kind, EDGE_KINDS).to(attr.dtype)
        return edges, torch.cat([kind_attr, bond_attr], dim=-1)

    def forward(self, batch: HeteroData, pocket_center: Tensor | None = None) -> DockingOutput:
        """Predict pocket, ligand pose, holo pocket and confidence for a batch.

        `pocket_center` (B, 3), when given (training: the true centre plus noise; a user's
        `--pocket-center`), replaces the predicted centre for cropping and ligand placement;
        a row of NaN keeps that complex's predicted centre (mixed inference batches).
        """
        ligand, residues = batch["ligand"], batch["residue"]
        bonds = batch["ligand", "bond", "ligand"]
        count = int(residues.batch.max()) + 1
        h_ligand = self.ligand_encoder(ligand.x)  # (L, F)
        h_ligand, _ = self.bond_conv(h_ligand, ligand.pos, bonds.edge_index, bonds.edge_attr)
        h_residue, logits, predicted = self.predict_pocket(batch, h_ligand)
        centre = predicted.detach()  # (B, 3)
        if pocket_center is not None:
            centre = torch.where(pocket_center.isnan(), centre, pocket_center)
        mask = nearest_per_graph(residues.pos, residues.batch, centre, self.config.pocket_residues)
        pocket_batch = residues.batch[mask]  # (P,)
        start = ligand.pos - graph_mean(ligand.pos, ligand.batch, count)[ligand.batch]
        num_ligand = ligand.pos.shape[0]
        pos = torch.cat([start + centre[ligand.batch], residues.pos[mask]])  # (L+P, 3)
        h = torch.cat([h_ligand, h_residue[mask]])  # (L+P, F)
        node_batch = torch.cat([ligand.batch, pocket_batch])
        edges, edge_attr = self.docking_edges(batch, num_ligand, node_batch)
        cross = edges[:, (edges[0] >= num_ligand) & (edges[1] < num_ligand)].clone()
        cross[0] -= num_ligand  # (2, E_x) residue -> ligand, each side indexed from 0
        trajectory = []
        for _ in range(self.config.rounds):
            h, pos = self._module(h, pos, (edges, edge_attr, cross), num_ligand, True)
            trajectory.append(pos[:num_ligand])
            h, pos = self._module(h, pos, (edges, edge_attr, cross), num_ligand, False)
        pooled = torch.cat(
            [
                graph_mean(h[:num_ligand], ligand.batch, count),
                graph_mean(h[num_ligand:], pocket_batch, count),
            ],
            dim=-1,
        )
        return DockingOutput(
            pocket_logits=logits,
            pocket_center=predicted,
            pocket_mask=mask,
            ligand_pos=pos[:num_ligand],
            pocket_pos=pos[num_ligand:],
            pocket_batch=pocket_batch,
            confidence=self.confidence_head(pooled).squeeze(-1),
            ligand_trajectory=trajectory,
        )

    def _module(
        self,
        h: Tensor,
        pos: Tensor,
        graph: tuple[Tensor, Tensor, Tensor],
        num_ligand: int,
        move_ligand: bool,
    ) -> tuple[Tensor, Tensor]:
        """Ligand-docking (`move_ligand`) or pocket-docking module: cross-attention between
        ligand and pocket, then EGNN layers that move only that side's coordinates.

        `graph` holds all-pairs edges (2, E), their features (E, D) and the residue->ligand
        edges (2, E_x) indexed within each side.
        """
        edges, edge_attr, cross = graph
        h_ligand, h_pocket = h[:num_ligand], h[num_ligand:]
        pos_ligand, pos_pocket = pos[:num_ligand], pos[num_ligand:]
        h_ligand = self.ligand_attention(h_ligand, h_pocket, pos_ligand, pos_pocket, cross)
        h_pocket = self.pocket_attention(h_pocket, h_ligand, pos_pocket, pos_ligand, cross.flip(0))
        h = torch.cat([h_ligand, h_pocket])
        is_ligand = torch.arange(len(pos), device=pos.device) < num_ligand
        moving = is_ligand if move_ligand else ~is_ligand
        convs = self.ligand_docking if move_ligand else self.pocket_docking
        for conv in convs:
            h, pos = conv(h, pos, edges, edge_attr, coord_mask=moving)
        return h, pos
