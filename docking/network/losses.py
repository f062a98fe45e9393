"""Training losses of the docking model (FABFlex's terms plus physical constraints).

- ligand coordinates: Huber loss to the crystal pose, averaged over refinement rounds;
- pocket: per-residue binary cross-entropy and Huber loss of the pocket centre;
- pocket Cα: Huber loss of the predicted holo Cα;
- ligand distances: bond lengths and the intra-ligand distance map (< 6 Å pairs);
- chirality: signed volume of each stereocentre against the crystal's (mirror images cost);
- confidence: squared error of the predicted ligand RMSD against the actual one.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor
from torch.nn import functional as F
from torch_geometric.data import HeteroData
from torch_geometric.utils import scatter

from docking.network.geometry import graph_rmsd, signed_volumes
from docking.network.model import DockingOutput

DISTANCE_MAP_CUTOFF_ANGSTROM = 6.0


@dataclass
class LossWeights:
    """Weights of the loss terms (the sum is what is minimised)."""

    ligand: float = 1.0
    pocket_class: float = 1.0
    pocket_center: float = 0.1
    pocket_ca: float = 0.5
    distance: float = 1.0
    chirality: float = 0.1
    confidence: float = 0.1


def pocket_centres(batch: HeteroData) -> Tensor:
    """(B, 3) true pocket centre: mean of the crystal ligand heavy atoms."""
    ligand = batch["ligand"]
    return scatter(ligand.pos_true, ligand.batch, dim=0, reduce="mean")


def distance_loss(pred: Tensor, true: Tensor, batch: HeteroData) -> Tensor:
    """Huber loss of bond lengths and of ligand atom-pair distances under 6 Å."""
    bonds = batch["ligand", "bond", "ligand"].edge_index
    bond_error = F.huber_loss(
        (pred[bonds[0]] - pred[bonds[1]]).norm(dim=-1),
        (true[bonds[0]] - true[bonds[1]]).norm(dim=-1),
    )
    same = batch["ligand"].batch.unsqueeze(0) == batch["ligand"].batch.unsqueeze(1)
    true_map, pred_map = torch.cdist(true, true), torch.cdist(pred, pred)
    close = same & (true_map < DISTANCE_MAP_CUTOFF_ANGSTROM)
    return bond_error + F.huber_loss(pred_map[close], true_map[close])


def chirality_loss(pred: Tensor, true: Tensor, quads: Tensor) -> Tensor:
    """Huber loss between predicted and true signed volumes of stereocentres (0 if none)."""
    if quads.numel() == 0:
        return pred.new_zeros(())
    return F.huber_loss(signed_volumes(pred, quads), signed_volumes(true, quads))


def docking_losses(
    output: DockingOutput, batch: HeteroData, weights: LossWeights
) -> dict[str, Tensor]:
    """Every loss term and their weighted sum (key ``total``)."""
    ligand, residues = batch["ligand"], batch["residue"]
    count = int(residues.batch.max()) + 1
    true_ligand = ligand.pos_true
    rounds = torch.stack([F.huber_loss(p, true_ligand) for p in output.ligand_trajectory])
    rmsd = graph_rmsd(output.ligand_pos.detach(), true_ligand, ligand.batch, count)
    terms = {
        "ligand": rounds.mean(),
        "pocket_class": F.binary_cross_entropy_with_logits(output.pocket_logits, residues.y),
        "pocket_center": F.huber_loss(output.pocket_center, pocket_centres(batch)),
        "pocket_ca": F.huber_loss(output.pocket_pos, residues.pos_true[output.pocket_mask]),
        "distance": distance_loss(output.ligand_pos, true_ligand, batch),
        "chirality": chirality_loss(output.ligand_pos, true_ligand, ligand.chiral_index),
        "confidence": F.mse_loss(output.confidence, rmsd),
    }
    terms["total"] = sum(getattr(weights, name) * value for name, value in terms.items())
    return terms
