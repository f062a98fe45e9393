"""The default residue embedding: a learned vector per amino-acid type."""

from __future__ import annotations

from torch import Tensor, nn

from docking.structures import AMINO_ACIDS


class LearnedResidueEmbedding(nn.Module):
    """A learned embedding of the 20 standard amino acids plus "unknown".

    The docking model takes any module mapping residue types (R,) to features (R, F) in
    its place, e.g. one reading precomputed protein language-model embeddings.

    Args:
        channels: F, the output size.

    Shapes: residue_type (R,) long -> (R, F)
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels
        self.embedding = nn.Embedding(len(AMINO_ACIDS) + 1, channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise the embedding table."""
        self.embedding.reset_parameters()

    def forward(self, residue_type: Tensor) -> Tensor:
        """Features (R, F) of residue types (R,)."""
        return self.embedding(residue_type)
