"""What every test-time-RL proposer does the same way once its policy has sampled: learn from
the generation's groups, report its learning curve, and save its state as the groups it
learned from, replayed on resume (so a resumed run has the weights of an uninterrupted one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evolve.context import Scored
from evolve.ttt.rollouts import GroupHistory, RolloutBook


class ReplayedLearning:
    """Mixin for a TTT proposer holding `book` (its open groups), `past` (the groups learned
    from) and `counts`, and rebuilding its initial policy with `_build()`."""

    book: RolloutBook
    past: GroupHistory
    counts: dict[str, int]

    def _build(self) -> None:
        raise NotImplementedError

    def tell(self, results: Sequence[Scored]) -> None:
        """Rewards per group, then one learner update on the generation's groups."""
        self.past.learn(self.book.close(results))

    def learning_curve(self) -> list[dict[str, float]]:
        """Mean reward, beta, entropy estimate and loss per update."""
        return self.past.curve()

    def state_dict(self) -> dict[str, Any]:
        """The groups learned from (replayed on resume), the curve and counters (JSON)."""
        return {"groups": self.past.groups, "curve": self.past.curve(), "counts": self.counts}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Rebuild the policy from its initial weights and replay every update in order."""
        self._build()
        self.past.replay(state.get("groups", []), self.book)
        self.counts = {**self.counts, **state.get("counts", {})}
