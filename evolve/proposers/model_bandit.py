"""Which model of an ensemble answers the next prompt: a bandit over models, cost aware
(ShinkaEvolve's LLM ensembles, Lange et al. 2025, with UCB1 of Auer et al. 2002).

Each answered request earns its model a reward: how much the child improved on its parent
(fitness, 0 for no improvement, an invalid child or an unusable reply) per unit of cost, the
request's dollars when the model has prices, else its seconds. A model's value is its mean
reward divided by the best mean of the ensemble (so values are in [0, 1] whatever the task's
scale).

- ``ucb``: the model with the highest value + c * sqrt(2 ln N / n), every model tried first;
- ``weighted``: a draw with probabilities proportional to value + 1 / (1 + n) (never zero, so
  a model that was unlucky early is tried again).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SELECTIONS = ("ucb", "weighted")


@dataclass
class ArmRecord:
    """One model's picks, answered requests, summed rewards, dollars and seconds."""

    picks: int = 0
    calls: int = 0
    reward: float = 0.0
    cost_usd: float = 0.0
    seconds: float = 0.0


@dataclass
class ModelBandit:
    """Chooses among `names`; see the module docstring."""

    names: list[str]
    selection: str = "ucb"
    exploration: float = 1.0
    arms: dict[str, ArmRecord] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.selection not in SELECTIONS:
            raise ValueError(f"`selection` must be one of {', '.join(SELECTIONS)}")
        self.names = list(self.names)
        for name in self.names:
            self.arms.setdefault(name, ArmRecord())

    def add(self, name: str) -> None:
        """A new arm, untried."""
        with self._lock:
            if name not in self.arms:
                self.names.append(name)
                self.arms[name] = ArmRecord()

    def remove(self, name: str) -> None:
        """Drop an arm and its record."""
        with self._lock:
            self.names.remove(name)
            del self.arms[name]

    def values(self) -> dict[str, float]:
        """Each model's mean reward over the best mean (0 when none earned anything yet)."""
        means = {n: a.reward / a.calls if a.calls else 0.0 for n, a in self.arms.items()}
        best = max(means.values(), default=0.0)
        return {n: m / best if best > 0 else 0.0 for n, m in means.items()}

    def pick(self, rng: np.random.Generator) -> str:
        """The model for the next request."""
        with self._lock:
            name = self._choose(rng)
            self.arms[name].picks += 1
        return name

    def _choose(self, rng: np.random.Generator) -> str:
        values = self.values()
        picks = {n: self.arms[n].picks for n in self.names}  # chosen, answered or not yet
        if self.selection == "weighted":
            weights = np.array([values[n] + 1.0 / (1 + picks[n]) for n in self.names])
            return self.names[int(rng.choice(len(self.names), p=weights / weights.sum()))]
        untried = [n for n in self.names if picks[n] == 0]
        if untried:
            return untried[0]
        total = sum(picks.values())
        scores = [
            values[n] + self.exploration * math.sqrt(2 * math.log(total) / picks[n])
            for n in self.names
        ]
        return self.names[int(np.argmax(scores))]

    def update(self, name: str, improvement: float, cost_usd: float, seconds: float) -> None:
        """Count one answered request of `name` and the child's improvement."""
        cost = cost_usd if cost_usd > 0 else max(seconds, 1e-6)
        with self._lock:
            arm = self.arms[name]
            arm.calls += 1
            arm.reward += max(0.0, improvement) / cost
            arm.cost_usd += cost_usd
            arm.seconds += seconds

    def state(self) -> dict[str, Any]:
        """JSON form: per model calls, summed reward, dollars, seconds and current value."""
        values = self.values()
        return {n: {**vars(a), "value": values[n]} for n, a in self.arms.items()}

    def load(self, state: dict[str, Any]) -> None:
        """Inverse of `state` (models not in the ensemble any more are dropped)."""
        for name, data in state.items():
            if name in self.arms:
                self.arms[name] = ArmRecord(
                    picks=int(data.get("picks", 0)),
                    calls=int(data.get("calls", 0)),
                    reward=float(data.get("reward", 0.0)),
                    cost_usd=float(data.get("cost_usd", 0.0)),
                    seconds=float(data.get("seconds", 0.0)),
                )
