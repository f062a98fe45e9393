"""Neural-network layers of the docking model, one layer per file."""

from docking.layers.cross_attention import CrossAttention
from docking.layers.egnn import EquivariantConv
from docking.layers.rbf import GaussianSmearing
from docking.layers.residue_embedding import LearnedResidueEmbedding

__all__ = ["CrossAttention", "EquivariantConv", "GaussianSmearing", "LearnedResidueEmbedding"]
