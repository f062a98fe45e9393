"""Parent and inspiration selection.

Two strategies over an island's members:

- ``weighted``: sample parents with probability proportional to a power-law rank prior
  (ShinkaEvolve's `sample_with_powerlaw`) times a visit bonus ``1 + c / (1 + visits)`` that
  favours members not yet expanded (novelty by visit count).
- ``puct``: pick the members with the highest island PUCT score on their own fitness and
  own visits: ``Q(s) + c * P(s) * sqrt(1 + N) / (1 + n(s))`` with ``Q`` the min-max normalized
  fitness in the island, ``P`` the rank prior, ``N`` the island's total visits and ``n(s)``
  the member's.
- ``ttt_puct``: TTT-Discover's state reuse over the tree (`evolve.ttt.puct`): Q from the best
  child, n over the descendants' expansions, states apart in lineage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from evolve.context import Member
from evolve.prior import rank_prior
from evolve.ttt.puct import select_states


def puct_scores(
    members: Sequence[Member], visits: Mapping[str, int], exploration: float, alpha: float = 1.0
) -> np.ndarray:
    """PUCT score of each member (higher is picked first)."""
    fitness = np.array([m.fitness if m.fitness is not None else -np.inf for m in members])
    finite = np.isfinite(fitness)
    low, high = (fitness[finite].min(), fitness[finite].max()) if finite.any() else (0.0, 0.0)
    span = high - low if high > low else 1.0
    quality = np.where(finite, (fitness - low) / span, 0.0)
    counts = np.array([visits.get(m.hash, 0) for m in members], dtype=float)
    prior = rank_prior(members, alpha)
    return quality + exploration * prior * np.sqrt(1.0 + counts.sum()) / (1.0 + counts)


def select_parents(
    members: Sequence[Member],
    k: int,
    rng: np.random.Generator,
    visits: Mapping[str, int],
    strategy: str = "puct",
    exploration: float = 1.0,
    alpha: float = 1.0,
) -> list[Member]:
    """Choose up to `k` distinct parents from `members`."""
    if not members:
        return []
    k = min(k, len(members))
    if strategy == "ttt_puct":
        return select_states(members, k, visits, exploration, alpha)
    if strategy == "puct":
        scores = puct_scores(members, visits, exploration, alpha)
        jitter = rng.random(len(members)) * 1e-9  # random tie-break, still deterministic
        return [members[i] for i in np.argsort(-(scores + jitter))[:k]]
    counts = np.array([visits.get(m.hash, 0) for m in members], dtype=float)
    weights = rank_prior(members, alpha) * (1.0 + exploration / (1.0 + counts))
    chosen = rng.choice(len(members), size=k, replace=False, p=weights / weights.sum())
    return [members[i] for i in chosen]


def select_inspirations(
    own: Sequence[Member],
    others: Sequence[Member],
    k: int,
    rng: np.random.Generator,
    exclude: set[str],
) -> list[Member]:
    """Up to `k` members to show beside the parents: the best of other islands first,
    then random members of the parent's own island (diversity for the proposer)."""
    pool_best = sorted((m for m in others if m.hash not in exclude), key=_fitness_key)
    chosen = pool_best[: max(1, k // 2)] if pool_best else []
    rest = [m for m in own if m.hash not in exclude and m not in chosen]
    if rest and len(chosen) < k:
        picks = rng.choice(len(rest), size=min(k - len(chosen), len(rest)), replace=False)
        chosen += [rest[i] for i in picks]
    return chosen[:k]


def _fitness_key(member: Member) -> float:
    return -(member.fitness if member.fitness is not None else -np.inf)
