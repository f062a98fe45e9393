"""What the engine and the proposers know of a task: its shape, objective and search space."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["maximize", "minimize"]
REPRESENTATIONS = ("program", "vector", "smiles", "text")


@dataclass(frozen=True)
class Objective:
    """The metric to optimize and its direction; `fitness` is always "higher is better"."""

    metric: str
    direction: Direction = "maximize"

    def fitness(self, value: float) -> float:
        """Signed score: the metric itself when maximizing, its negation when minimizing."""
        return value if self.direction == "maximize" else -value

    def value(self, fitness: float) -> float:
        """Inverse of `fitness`."""
        return self.fitness(fitness)


@dataclass(frozen=True)
class VectorSpace:
    """Box bounds of a real vector candidate."""

    size: int
    low: float = 0.0
    high: float = 1.0


@dataclass(frozen=True)
class Problem:
    """The task as the engine sees it (built from the task YAML by `discovery.spec`)."""

    name: str
    representation: str
    objective: Objective
    description: str = ""
    vector: VectorSpace | None = None
    params: dict[str, Any] = field(default_factory=dict)


def encode_vector(values: list[float]) -> str:
    """Canonical text of a vector candidate (full float precision, so hashing is exact)."""
    return json.dumps([float(v) for v in values])


def decode_vector(text: str) -> list[float]:
    """Inverse of `encode_vector`."""
    values = json.loads(text)
    if not isinstance(values, list) or not all(isinstance(v, int | float) for v in values):
        raise ValueError("a vector candidate must be a JSON list of numbers")
    if not all(math.isfinite(v) for v in values):
        raise ValueError("a vector candidate must hold finite numbers")
    return [float(v) for v in values]
