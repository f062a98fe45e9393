"""Score modifiers: shape a raw property into a desirability in [0, 1] (after GuacaMol).

GuacaMol (Brown et al. 2019, "GuacaMol: Benchmarking Models for de Novo Molecular Design",
J. Chem. Inf. Model. 59, 1096; `guacamol/score_modifier.py`) keeps the raw score apart from
its shaping so that each is tested alone. The PMO benchmark (Gao et al. 2022) uses the same
modifiers through the TDC oracles. Each modifier is a small frozen dataclass; call it on a
float.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Modifier(Protocol):
    """Maps a raw score to a shaped score."""

    def __call__(self, x: float) -> float: ...


@dataclass(frozen=True)
class Identity:
    """The raw score unchanged."""

    def __call__(self, x: float) -> float:
        return float(x)


@dataclass(frozen=True)
class Gaussian:
    """exp(-((x - mu) / sigma)^2 / 2): 1 at the target `mu`, falling off on both sides."""

    mu: float
    sigma: float

    def __call__(self, x: float) -> float:
        return math.exp(-0.5 * ((x - self.mu) / self.sigma) ** 2)


@dataclass(frozen=True)
class MinGaussian:
    """1 for x <= mu, a half Gaussian above: "at most mu" (GuacaMol's MinGaussianModifier)."""

    mu: float
    sigma: float

    def __call__(self, x: float) -> float:
        return Gaussian(self.mu, self.sigma)(max(x, self.mu))


@dataclass(frozen=True)
class MaxGaussian:
    """1 for x >= mu, a half Gaussian below: "at least mu" (GuacaMol's MaxGaussianModifier)."""

    mu: float
    sigma: float

    def __call__(self, x: float) -> float:
        return Gaussian(self.mu, self.sigma)(min(x, self.mu))


@dataclass(frozen=True)
class Clipped:
    """Linear from (`lower_x`, `low_score`) to (`upper_x`, `high_score`), clipped to that range.

    GuacaMol's ClippedScoreModifier: a similarity above `upper_x` earns the full score.
    """

    upper_x: float
    lower_x: float = 0.0
    high_score: float = 1.0
    low_score: float = 0.0

    def __post_init__(self) -> None:
        if not self.low_score < self.high_score:
            raise ValueError(f"Clipped: low_score {self.low_score} must be below {self.high_score}")
        if self.upper_x == self.lower_x:
            raise ValueError("Clipped: upper_x and lower_x must differ")

    def __call__(self, x: float) -> float:
        slope = (self.high_score - self.low_score) / (self.upper_x - self.lower_x)
        y = self.high_score + slope * (x - self.upper_x)
        return min(max(y, self.low_score), self.high_score)


@dataclass(frozen=True)
class Threshold:
    """min(x, threshold) / threshold: linear up to a threshold, then flat at 1."""

    threshold: float

    def __call__(self, x: float) -> float:
        return min(x, self.threshold) / self.threshold


def arithmetic_mean(scores: Sequence[float]) -> float:
    """Plain mean of the partial scores."""
    return sum(scores) / len(scores)


def geometric_mean(scores: Sequence[float]) -> float:
    """Geometric mean of non-negative partial scores; 0 as soon as one of them is 0.

    Matches `scipy.stats.gmean`, which GuacaMol's GeometricMeanScoringFunction and the TDC
    oracles use: every property must be met for a high score.
    """
    if any(s <= 0.0 for s in scores):
        return 0.0
    return math.exp(sum(math.log(s) for s in scores) / len(scores))


MEANS = {"arithmetic": arithmetic_mean, "geometric": geometric_mean}


@dataclass(frozen=True)
class Complement:
    """1 - x: turns "has the feature" (1/0) into "lacks it" (GuacaMol's `inverse=True`)."""

    def __call__(self, x: float) -> float:
        return 1.0 - x
