"""The proposer interface (an ask/tell strategy, after Optuna's `BaseSampler`).

Lifecycle: the engine builds a proposer once per run with the task's `Problem` and the
`proposer:` mapping of the YAML, restores `load_state_dict` on resume, then each generation
calls `propose(context, n)` and, once the proposals are verified, `tell(scored)`; a
proposer may also define `tell_repeats(proposals)` to hear of the proposals dropped as
known candidates (after the loop refined them), which `tell` never sees. After each
generation it stores `state_dict()` (JSON) in the memory bank. Randomness comes only from
`context.rng`. A proposer never touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from evolve.context import Context, Proposal, Scored
from evolve.problem import Problem


@runtime_checkable
class Proposer(Protocol):
    """Suggests new candidates from a context."""

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Return up to `n` new candidates (fewer is fine; duplicates are dropped)."""
        ...

    def tell(self, results: Sequence[Scored]) -> None:
        """Learn from the verdicts of the last proposals."""
        ...

    def state_dict(self) -> dict[str, Any]:
        """JSON-serializable state, stored after every generation."""
        ...

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` returned (resume after a crash)."""
        ...


class StatelessProposer:
    """Convenience base for proposers whose only memory is the population itself."""

    name = "stateless"

    def __init__(self, problem: Problem, **options: Any) -> None:
        self.problem = problem
        self.options = options

    def tell(self, results: Sequence[Scored]) -> None:
        """Nothing to learn: the population in the store is the memory."""

    def state_dict(self) -> dict[str, Any]:
        """No state."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """No state."""
