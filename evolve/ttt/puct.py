"""State reuse by PUCT over the stored tree, as TTT-Discover selects the states to expand.

Every stored member is a state; its children are the members whose first parent it is. With
R(s) the member's reward (its fitness; invalid members take the lowest reward present):

    score(s) = Q(s) + c * scale * P(s) * sqrt(1 + T) / (1 + n(s))

- Q(s): the best reward among s's children, or R(s) while it has none (what expanding s
  has yielded, not what s scored itself);
- n(s): the expansions of s and of all its descendants (a visit counts up the lineage, as in
  tree search), T: all expansions so far;
- P(s): the rank prior (rank 0 the best reward), scale = max R - min R, c the exploration.

The states to expand are taken by decreasing score, skipping any state in the lineage
(ancestor or descendant) of one already taken, so one generation explores apart branches.
(`evolve.selection`'s `puct` is the simpler island rule on own fitness and own visits.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from evolve.context import Member
from evolve.prior import rank_prior


@dataclass(frozen=True)
class TreeStats:
    """Q(s) and n(s) of one state, and its ancestors among the members given."""

    q: float
    n: int
    ancestors: frozenset[str]


def _rewards(members: Sequence[Member]) -> dict[str, float]:
    known = [m.fitness for m in members if m.valid and m.fitness is not None]
    floor = min(known) if known else 0.0
    return {m.hash: m.fitness if m.valid and m.fitness is not None else floor for m in members}


def _ancestors(hash_: str, parent_of: Mapping[str, str]) -> frozenset[str]:
    seen: list[str] = []
    while (parent := parent_of.get(hash_)) is not None and parent not in seen:
        seen.append(parent)
        hash_ = parent
    return frozenset(seen)


def tree_stats(members: Sequence[Member], expansions: Mapping[str, int]) -> dict[str, TreeStats]:
    """Q, n and ancestors of every member; `expansions` counts how often each was expanded."""
    reward = _rewards(members)
    parent_of = {m.hash: m.parents[0] for m in members if m.parents and m.parents[0] in reward}
    best_child: dict[str, float] = {}
    for child, parent in parent_of.items():
        best_child[parent] = max(best_child.get(parent, -np.inf), reward[child])
    ancestors = {m.hash: _ancestors(m.hash, parent_of) for m in members}
    visits = dict.fromkeys(reward, 0)
    for m in members:
        count = expansions.get(m.hash, 0)
        for state in (m.hash, *ancestors[m.hash]):
            visits[state] += count
    return {
        m.hash: TreeStats(best_child.get(m.hash, reward[m.hash]), visits[m.hash], ancestors[m.hash])
        for m in members
    }


def ttt_puct_scores(
    members: Sequence[Member],
    expansions: Mapping[str, int],
    exploration: float = 1.0,
    alpha: float = 1.0,
) -> np.ndarray:
    """score(s) of each member, in the order given (see the module docstring)."""
    stats = tree_stats(members, expansions)
    rewards = np.array(list(_rewards(members).values()))
    scale = float(np.ptp(rewards)) if len(rewards) else 0.0
    total = sum(expansions.get(m.hash, 0) for m in members)
    prior = rank_prior(members, alpha)
    q = np.array([stats[m.hash].q for m in members])
    n = np.array([stats[m.hash].n for m in members], dtype=float)
    return q + exploration * scale * prior * np.sqrt(1.0 + total) / (1.0 + n)


def select_states(
    members: Sequence[Member],
    k: int,
    expansions: Mapping[str, int],
    exploration: float = 1.0,
    alpha: float = 1.0,
) -> list[Member]:
    """Up to `k` states by decreasing score, none in the lineage of another one taken.

    Ties are broken by the members' order. Fewer than `k` come back when the tree holds fewer
    unrelated states.
    """
    if not members or k <= 0:
        return []
    stats = tree_stats(members, expansions)
    scores = ttt_puct_scores(members, expansions, exploration, alpha)
    taken: list[Member] = []
    for index in np.argsort(-scores, kind="stable"):
        member = members[index]
        related = any(
            member.hash in stats[t.hash].ancestors or t.hash in stats[member.hash].ancestors
            for t in taken
        )
        if not related:
            taken.append(member)
        if len(taken) == k:
            break
    return taken
