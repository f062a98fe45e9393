"""The rank prior P(s) that both selection rules weigh states by: the island rules of
`evolve.selection` and TTT-Discover's tree PUCT (`evolve.ttt.puct`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evolve.context import Member


def rank_prior(members: Sequence[Member], alpha: float = 1.0) -> np.ndarray:
    """P(s) proportional to (rank + 1) ** -alpha, rank 0 the fittest; sums to 1."""
    order = np.argsort([-(m.fitness if m.fitness is not None else -np.inf) for m in members])
    ranks = np.empty(len(members))
    ranks[order] = np.arange(len(members))
    weights = (ranks + 1.0) ** -alpha
    return weights / weights.sum()
