"""The pose scorer: how likely a docked pose is within 2 Å of the true one, and its RMSD.

Built from the docking model's layers (GNINA-style rescoring, McNutt et al. 2021, with
the layers of `docking.network.layers` instead of a voxel CNN): ligand and pocket heavy atoms are
one graph whose edges are the ligand's bonds, ligand-pocket contacts (< `CONTACT`) and
pocket-pocket neighbours (< `POCKET_NEIGHBOUR`); `EquivariantConv` layers (EGNN with
frozen coordinates, so every feature is E(3)-invariant) pass messages along them, then
the ligand atoms attend to the pocket atoms they touch (`CrossAttention`), and the pooled ligand
features with Vina's score give two heads: the logit of P(RMSD < 2 Å) and the RMSD (Å).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter

from docking.network.featurize import BOND_FEATURES, LIGAND_FEATURES
from docking.network.layers import CrossAttention, EquivariantConv
from docking.network.pose_graph import PROTEIN_FEATURES, PoseGraph

CONTACT = 6.0  # Å, ligand-pocket edges
POCKET_NEIGHBOUR = 3.0  # Å, pocket-pocket edges (bonded and touching atoms)
EDGE_FEATURES = BOND_FEATURES + 3  # bond features, then bond / contact / pocket flags


@dataclass(frozen=True)
class ScorerConfig:
    """Sizes of the pose scorer."""

    hidden: int = 48
    layers: int = 2
    heads: int = 4


@dataclass
class PoseBatch:
    """Poses packed into one graph: nodes are ligand atoms then pocket atoms of each pose."""

    x_ligand: Tensor
    x_pocket: Tensor
    pos: Tensor
    is_ligand: Tensor
    graph: Tensor
    edges: Tensor
    edge_attr: Tensor
    attention_edges: Tensor
    vina_score: Tensor
    ligand_atoms: Tensor
    size: int


def _pairs(a: Tensor, b: Tensor, cutoff: float, same: bool) -> Tensor:
    close = torch.cdist(a, b) < cutoff
    if same:
        close.fill_diagonal_(False)
    return close.nonzero().T


def _graph_edges(pose: PoseGraph, offset: int) -> tuple[list[Tensor], list[Tensor], Tensor]:
    lig, poc = pose.ligand_pos, pose.pocket_pos
    n = len(lig)
    contact = _pairs(lig, poc, CONTACT, same=False)
    contact = torch.cat(
        [contact + torch.tensor([[0], [n]]), contact.flip(0) + torch.tensor([[n], [0]])], 1
    )
    pocket = _pairs(poc, poc, POCKET_NEIGHBOUR, same=True) + n
    flags = []
    for edges, slot in ((pose.bonds, 0), (contact, 1), (pocket, 2)):
        attr = torch.zeros(edges.shape[1], EDGE_FEATURES)
        attr[:, BOND_FEATURES + slot] = 1.0
        flags.append(attr)
    flags[0][:, :BOND_FEATURES] = pose.bond_attr
    attention = contact[:, contact[0] >= n] + offset  # pocket atom -> ligand atom in contact
    return [pose.bonds + offset, contact + offset, pocket + offset], flags, attention


def collate(poses: list[PoseGraph]) -> PoseBatch:
    """Pack poses into one `PoseBatch` (each pose a separate graph)."""
    edges, attrs, attention, graph, pos, is_ligand = [], [], [], [], [], []
    offset = 0
    for index, pose in enumerate(poses):
        parts, flags, attend = _graph_edges(pose, offset)
        edges += parts
        attrs += flags
        attention.append(attend)
        count = len(pose.ligand_pos) + len(pose.pocket_pos)
        graph.append(torch.full((count,), index))
        pos += [pose.ligand_pos, pose.pocket_pos]
        is_ligand.append(torch.arange(count) < len(pose.ligand_pos))
        offset += count
    return PoseBatch(
        x_ligand=torch.cat([p.ligand_x for p in poses]),
        x_pocket=torch.cat([p.pocket_x for p in poses]),
        pos=torch.cat(pos),
        is_ligand=torch.cat(is_ligand),
        graph=torch.cat(graph),
        edges=torch.cat(edges, 1),
        edge_attr=torch.cat(attrs),
        attention_edges=torch.cat(attention, 1),
        vina_score=torch.tensor([p.vina_score for p in poses], dtype=torch.float32),
        ligand_atoms=torch.tensor([len(p.ligand_pos) for p in poses], dtype=torch.float32),
        size=len(poses),
    )


class PoseScorer(nn.Module):
    """Logit of P(RMSD < 2 Å) and predicted RMSD (Å) for each pose of a `PoseBatch`."""

    def __init__(self, config: ScorerConfig = ScorerConfig()) -> None:
        super().__init__()
        self.config = config
        width = config.hidden
        self.ligand_embed = nn.Linear(LIGAND_FEATURES, width)
        self.pocket_embed = nn.Linear(PROTEIN_FEATURES, width)
        self.convs = nn.ModuleList(
            EquivariantConv(width, EDGE_FEATURES, width, update_coords=False)
            for _ in range(config.layers)
        )
        self.attend = CrossAttention(width, config.heads)
        self.head = nn.Sequential(nn.Linear(2 * width + 2, width), nn.SiLU(), nn.Linear(width, 2))

    def forward(self, batch: PoseBatch) -> tuple[Tensor, Tensor]:
        """(logit (N,), rmsd (N,)) for the N poses of `batch`."""
        h = torch.empty(len(batch.pos), self.config.hidden)
        h[batch.is_ligand] = self.ligand_embed(batch.x_ligand)
        h[~batch.is_ligand] = self.pocket_embed(batch.x_pocket)
        for conv in self.convs:
            h, _ = conv(h, batch.pos, batch.edges, batch.edge_attr)
        h = self.attend(h, h, batch.pos, batch.pos, batch.attention_edges)
        ligand = batch.is_ligand
        graph = batch.graph[ligand]
        pooled = torch.cat(
            [
                scatter(h[ligand], graph, dim=0, dim_size=batch.size, reduce="mean"),
                scatter(h[ligand], graph, dim=0, dim_size=batch.size, reduce="max"),
                (batch.vina_score / 10.0).unsqueeze(-1),
                (batch.vina_score / batch.ligand_atoms).unsqueeze(-1),
            ],
            dim=-1,
        )
        out = self.head(pooled)
        return out[:, 0], nn.functional.softplus(out[:, 1])
