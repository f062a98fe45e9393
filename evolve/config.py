"""Settings of the search engine (the `engine:` and `budget:` mappings of a task YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Selection = Literal["puct", "ttt_puct", "weighted"]


@dataclass(frozen=True)
class MapElitesConfig:
    """MAP-Elites cells (Mouret & Clune, 2015) over metrics the task names.

    Each metric's `range` is cut into `bins` equal bins; a candidate's cell is the tuple of
    its bins, and each cell keeps its fittest member as an elite parent.
    """

    metrics: tuple[str, ...]
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    bins: int = 10


@dataclass(frozen=True)
class EngineConfig:
    """Population, islands and parent selection."""

    islands: int = 4
    population_size: int = 40
    batch_size: int = 8
    parents: int = 2
    inspirations: int = 3
    migration_interval: int = 10
    selection: Selection = "puct"
    exploration: float = 1.0
    rank_alpha: float = 1.0
    max_stale_generations: int = 50
    map_elites: MapElitesConfig | None = None
    novelty: float | None = None  # near repeats are not evaluated (evolve.novelty); None: off


@dataclass(frozen=True)
class Budget:
    """When a run stops: after `evaluations` verifier calls or `wall_seconds` of running."""

    evaluations: int | None = 1000
    wall_seconds: float | None = None

    def exhausted(self, evaluations: int, elapsed_seconds: float) -> bool:
        """True once either limit is reached."""
        if self.evaluations is not None and evaluations >= self.evaluations:
            return True
        return self.wall_seconds is not None and elapsed_seconds >= self.wall_seconds

    def evaluations_left(self, evaluations: int) -> int | None:
        """Evaluations still allowed (None: no limit)."""
        return None if self.evaluations is None else max(0, self.evaluations - evaluations)
