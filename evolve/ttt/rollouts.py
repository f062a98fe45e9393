"""Grouped rollouts: the book a TTT proposer keeps between `propose` and `tell`.

A proposer writes K children per selected state and tags them with their group. Not every
child comes back scored: deduplication drops children already in the store (and within the
batch), and a reply a proposer could not turn into a candidate never becomes one. The book
still gives every rollout a reward when the verdicts are told: its fitness if it was scored
valid, the reward it earned earlier in the run if it was deduplicated, else the run's lowest
reward so far (0 before any), which is how an invalid child counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evolve.context import Scored
from evolve.ttt.policy import Group, TTTLearner


@dataclass
class RolloutBook:
    """Pending groups of rollouts and the rewards seen so far in the run."""

    pending: dict[str, tuple[str, list[tuple[Any, str | None]]]] = field(default_factory=dict)
    rewards: dict[str, float] = field(default_factory=dict)

    def add(self, tag: str, state: str, rollouts: list[tuple[Any, str | None]]) -> None:
        """Record one group: its state and (action, candidate content or None) per rollout."""
        self.pending[tag] = (state, rollouts)

    def close(self, results: Sequence[Scored]) -> list[dict[str, Any]]:
        """The pending groups with a reward per rollout (JSON-friendly); empties the book."""
        for result in results:
            member = result.member
            if member.valid and member.fitness is not None:
                self.rewards[member.content] = float(member.fitness)
        floor = min(self.rewards.values(), default=0.0)
        scored = {r.member.content: r.member for r in results}
        groups = []
        for state, rollouts in self.pending.values():
            rewards = []
            for _, content in rollouts:
                member = scored.get(content) if content is not None else None
                if member is not None and member.valid and member.fitness is not None:
                    rewards.append(float(member.fitness))
                else:
                    rewards.append(self.rewards.get(content, floor) if content else floor)
            groups.append(
                {
                    "state": state,
                    "actions": [action for action, _ in rollouts],
                    "contents": [content for _, content in rollouts],
                    "rewards": rewards,
                }
            )
        self.pending = {}
        return groups

    def remember(self, groups: Sequence[dict[str, Any]]) -> None:
        """Take the rewards of replayed groups back (on resume)."""
        for group in groups:
            for content, reward in zip(group["contents"], group["rewards"], strict=True):
                if content:
                    self.rewards.setdefault(content, reward)


@dataclass
class GroupHistory:
    """The groups a TTT proposer learned from, in order: trained on as they come, kept as its
    JSON state, and replayed on resume, which rebuilds the same weights."""

    learner: TTTLearner | None
    groups: list[list[dict[str, Any]]] = field(default_factory=list)

    def learn(self, groups: list[dict[str, Any]]) -> None:
        """One learner update on a generation's groups (nothing without a learner)."""
        if self.learner is None or not groups:
            return
        self.groups.append(groups)
        self._update(groups)

    def replay(self, stored: Sequence[Sequence[dict[str, Any]]], book: RolloutBook) -> None:
        """Take every stored generation's update again, in order, and its rewards back."""
        self.groups = [list(groups) for groups in stored]
        for groups in self.groups:
            self._update(groups)
            book.remember(groups)

    def curve(self) -> list[dict[str, float]]:
        """Mean reward, beta, entropy estimate and loss per update."""
        return self.learner.curve if self.learner is not None else []

    def _update(self, groups: list[dict[str, Any]]) -> None:
        self.learner.update(
            [Group(g["state"], tuple(g["actions"]), tuple(g["rewards"])) for g in groups]
        )
