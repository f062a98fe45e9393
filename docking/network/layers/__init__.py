"""Neural-network layers of the docking model, one layer per file."""

from docking.network.layers.cross_attention import CrossAttention
from docking.network.layers.egnn import EquivariantConv
from docking.network.layers.rbf import GaussianSmearing
from docking.network.layers.residue_embedding import LearnedResidueEmbedding

__all__ = ["CrossAttention", "EquivariantConv", "GaussianSmearing", "LearnedResidueEmbedding"]
