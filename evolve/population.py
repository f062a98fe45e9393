"""The in-memory population: islands of the fittest members, optional MAP-Elites cells.

It mirrors the store for fast selection and is rebuilt from the store's history on resume.
Islands evolve apart; every `migration_interval` generations each island sends its best
member to the next island (ring migration, as in OpenEvolve and FunSearch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from evolve.config import EngineConfig, MapElitesConfig
from evolve.context import Member


def cell_of(metrics: dict[str, float], config: MapElitesConfig) -> str | None:
    """The MAP-Elites cell of a candidate ("3,7"), or None when a metric is missing."""
    bins = []
    for name in config.metrics:
        if name not in metrics:
            return None
        low, high = config.ranges.get(name, (0.0, 1.0))
        fraction = (metrics[name] - low) / (high - low) if high > low else 0.0
        bins.append(int(np.clip(np.floor(fraction * config.bins), 0, config.bins - 1)))
    return ",".join(map(str, bins))


class Population:
    """Islands of valid members, each kept to the `population_size` fittest."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.islands: list[list[Member]] = [[] for _ in range(config.islands)]
        self.elites: dict[str, Member] = {}
        self.best: Member | None = None

    def add(self, member: Member, island: int | None = None) -> None:
        """Insert a valid member into its island (and its cell); invalid ones are ignored."""
        if not member.valid or member.fitness is None:
            return
        target = self.islands[member.island if island is None else island]
        if any(m.hash == member.hash for m in target):
            return
        target.append(member)
        target.sort(key=lambda m: -m.fitness)
        del target[self.config.population_size :]
        if self.config.map_elites is not None:
            cell = cell_of(member.metrics, self.config.map_elites)
            if cell is not None and (
                cell not in self.elites or member.fitness > self.elites[cell].fitness
            ):
                self.elites[cell] = member
        if self.best is None or member.fitness > self.best.fitness:
            self.best = member

    def extend(self, members: Iterable[Member]) -> None:
        """Add many members in order."""
        for member in members:
            self.add(member)

    def candidates_for(self, island: int) -> list[Member]:
        """Members eligible as parents on an island: its members, plus the cell elites."""
        members = list(self.islands[island])
        if self.elites:
            seen = {m.hash for m in members}
            members += [m for m in self.elites.values() if m.hash not in seen]
        return members

    def others(self, island: int) -> list[Member]:
        """Members of every island but one."""
        return [m for i, isle in enumerate(self.islands) if i != island for m in isle]

    def members(self) -> list[Member]:
        """Every distinct member held anywhere (islands, cells, best)."""
        held = [m for isle in self.islands for m in isle] + list(self.elites.values())
        held += [self.best] if self.best is not None else []
        return list({m.hash: m for m in held}.values())

    def replace_members(self, update: Callable[[Member], Member]) -> None:
        """Swap every held member for `update(member)` (same hash), keeping all orders."""
        self.islands = [[update(m) for m in isle] for isle in self.islands]
        self.elites = {cell: update(m) for cell, m in self.elites.items()}
        self.best = update(self.best) if self.best is not None else None

    def migrate(self) -> None:
        """Ring migration: each island's best joins the next island."""
        bests = [isle[0] if isle else None for isle in self.islands]
        for index, best in enumerate(bests):
            if best is not None:
                self.add(best, island=(index + 1) % len(self.islands))
