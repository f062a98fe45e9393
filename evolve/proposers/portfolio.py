"""A portfolio of operators shared by measured yield: improvement per evaluator call.

Each operator (arm) keeps decayed sums of the gains it produced (relative improvement of
the best fitness known when it proposed, capped at 1) and of the evaluator calls it spent
(`VERIFY_CALLS` for the verification of any proposal, plus the inner calls of a refined
one). Its yield is

    yield_i = (gains_i + prior_i * PRIOR_YIELD * PRIOR_CALLS) / (calls_i + PRIOR_CALLS),

so the constructor's priors hold until measurements outweigh them. Each arm gets a share
of the evaluator's time in proportion to its yield (at least `MIN_SHARE`), and the number
of proposals it gets in a batch is that time share divided by its mean cost per proposal,
drawn as a multinomial from the run's generator. An easy task converges to multi-start
refinement, a hard one keeps evolving.

The sums decay with the calls spent by anyone, with a half-life that is a share of the
run's own spending so far (`HALF_LIFE_SHARE`, at least `MIN_HALF_LIFE` calls): the shares
follow the recent part of the run whatever its length and the evaluator's speed. A fixed
half-life does not: one refinement costs thousands of calls, so a half-life of a few
thousand calls forgot every measurement at each refinement and left the shares at the
priors (measured on the suite, bench/results/loop_operators.json).

Calls stand in for seconds: unlike a clock they keep a run deterministic given its seed.
A verified proposal costs more than one call inside a refinement (a sandboxed process, the
engine's bookkeeping and a store write around it, and the workers idle while the engine
proposes), hence `VERIFY_CALLS`: what one verified proposal cost in calls of a fast numpy
evaluator on our 2-core machine (bench/loop_operators.py on three suite tasks: 17-26 ms of
wall time per cheap proposal against 0.09-0.12 ms per call inside a refinement, 140-280
calls).
"""

from __future__ import annotations

from typing import Any

import numpy as np

HALF_LIFE_SHARE = 1.0  # the memory's half-life: this share of the calls spent so far
MIN_HALF_LIFE = 5000.0  # calls: the half-life early in a run
PRIOR_CALLS = 50.0
PRIOR_YIELD = 1e-6  # relative improvement per call a prior of 1 stands for: 1 % per 10,000 calls
MIN_SHARE = 0.02  # the floor of each arm: enough to notice when it starts to yield
VERIFY_CALLS = 300.0
MAX_GAIN = 0.01  # the credit of one proposal: early leaps from a random start count no more


def relative_gain(fitness: float | None, target: float | None) -> float:
    """How much `fitness` improves on `target` relative to its size, in [0, MAX_GAIN]."""
    if fitness is None or target is None or fitness <= target:
        return 0.0
    return min(MAX_GAIN, (fitness - target) / max(abs(target), 1e-12))


def memory_decay(calls: float, spent: float) -> float:
    """Factor by which the sums decay when `calls` more are spent after `spent`."""
    half_life = max(MIN_HALF_LIFE, HALF_LIFE_SHARE * spent)
    return 0.5 ** (calls / half_life)


class Portfolio:
    """Decayed gains, calls and proposal counts per arm; see the module docstring."""

    def __init__(
        self,
        priors: list[float],
        prior_costs: list[float],
        gains: list[float] | None = None,
        calls: list[float] | None = None,
        proposals: list[float] | None = None,
        spent: float = 0.0,
    ) -> None:
        zeros = [0.0] * len(priors)
        self.priors = [float(p) for p in priors]
        self.prior_costs = [float(c) for c in prior_costs]
        self.gains = [float(g) for g in gains] if gains else list(zeros)
        self.calls = [float(c) for c in calls] if calls else list(zeros)
        self.proposals = [float(p) for p in proposals] if proposals else list(zeros)
        self.spent = float(spent)

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
        decay = memory_decay(calls, self.spent)
        self.spent += calls
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
            "spent": self.spent,
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
            state.get("spent", 0.0),
        )
