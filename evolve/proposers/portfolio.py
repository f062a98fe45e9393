"""A portfolio of operators shared by measured yield: improvement per evaluator call.

Each operator (arm) keeps decayed sums of the gains it produced (relative improvement of
the best fitness known when it proposed, capped at 1) and of the evaluator calls it spent
(`VERIFY_CALLS` for the verification of any proposal, plus the inner calls of a refined
one). Its yield is

    yield_i = (gains_i + prior_i * PRIOR_YIELD * PRIOR_CALLS) / (calls_i + PRIOR_CALLS),

so the constructor's priors hold until measurements outweigh them. Each arm gets a share
of the evaluator's time in proportion to its yield (at least `MIN_SHARE`), and the number
of proposals it gets in a batch is that time share divided by its mean cost per proposal,
drawn as a multinomial from the run's generator. All sums decay by `MEMORY_PER_CALL` per
call spent by anyone, so the shares follow the recent past: an easy task converges to
multi-start refinement, a hard one keeps evolving.

Calls stand in for seconds: unlike a clock they keep a run deterministic given its seed.
A verified proposal costs more than one call inside a refinement (a sandboxed process, the
engine's bookkeeping and a store write around it), hence `VERIFY_CALLS`: about what one
verification costs in in-process calls of a small numpy evaluator on our machines
(bench/results/sandbox_throughput.json: 7 ms per sandboxed job, loop_overhead.json: 1 ms
per candidate, against 0.05 to 0.3 ms for one in-process call of such an evaluator).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MEMORY_PER_CALL = 0.9995  # half-life of about 1,400 evaluator calls
PRIOR_CALLS = 50.0
PRIOR_YIELD = 1e-3  # relative improvement per call a prior of 1 stands for
MIN_SHARE = 0.05
VERIFY_CALLS = 50.0
MAX_GAIN = 1.0


def relative_gain(fitness: float | None, target: float | None) -> float:
    """How much `fitness` improves on `target` relative to its size, in [0, MAX_GAIN]."""
    if fitness is None or target is None or fitness <= target:
        return 0.0
    return min(MAX_GAIN, (fitness - target) / max(abs(target), 1e-12))


class Portfolio:
    """Decayed gains, calls and proposal counts per arm; see the module docstring."""

    def __init__(
        self,
        priors: list[float],
        prior_costs: list[float],
        gains: list[float] | None = None,
        calls: list[float] | None = None,
        proposals: list[float] | None = None,
    ) -> None:
        zeros = [0.0] * len(priors)
        self.priors = [float(p) for p in priors]
        self.prior_costs = [float(c) for c in prior_costs]
        self.gains = [float(g) for g in gains] if gains else list(zeros)
        self.calls = [float(c) for c in calls] if calls else list(zeros)
        self.proposals = [float(p) for p in proposals] if proposals else list(zeros)

    def yields(self) -> np.ndarray:
        """Current improvement per call of each arm."""
        prior = np.array(self.priors) * PRIOR_YIELD * PRIOR_CALLS
        return (np.array(self.gains) + prior) / (np.array(self.calls) + PRIOR_CALLS)

    def time_shares(self, arms: list[int]) -> np.ndarray:
        """Share of the evaluator's time of each of `arms`: by yield, at least `MIN_SHARE`."""
        yields = self.yields()[arms]
        shares = np.maximum(yields / yields.sum(), MIN_SHARE)
        return shares / shares.sum()

    def mean_costs(self) -> np.ndarray:
        """Calls per proposal of each arm (its prior cost until it has been tried)."""
        return (np.array(self.calls) + self.prior_costs) / (np.array(self.proposals) + 1.0)

    def counts(self, n: int, arms: list[int], rng: np.random.Generator) -> dict[int, int]:
        """How many of a batch of `n` each available arm proposes."""
        if not arms:
            return {}
        weights = self.time_shares(arms) / self.mean_costs()[arms]
        drawn = rng.multinomial(n, weights / weights.sum())
        return {arm: int(k) for arm, k in zip(arms, drawn, strict=True)}

    def credit(self, arm: int, gain: float, calls: float) -> None:
        """Record one proposal of `arm`: the gain it made and the calls it cost."""
        decay = MEMORY_PER_CALL**calls
        self.gains = [g * decay for g in self.gains]
        self.calls = [c * decay for c in self.calls]
        self.proposals = [p * decay for p in self.proposals]
        self.gains[arm] += gain
        self.calls[arm] += calls
        self.proposals[arm] += 1.0

    def state(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "priors": self.priors,
            "prior_costs": self.prior_costs,
            "gains": self.gains,
            "calls": self.calls,
            "proposals": self.proposals,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Portfolio:
        """Inverse of `state`."""
        return cls(
            state["priors"],
            state["prior_costs"],
            state["gains"],
            state["calls"],
            state["proposals"],
        )
