"""What crosses the engine/proposer boundary: the frozen context in, proposals out, scores back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evolve.problem import Problem


@dataclass(frozen=True)
class Member:
    """An evaluated candidate as the population holds it."""

    hash: str
    content: str
    fitness: float | None
    metrics: dict[str, float]
    valid: bool
    feedback: str = ""
    error: str = ""
    island: int = 0
    n: int = 0
    parents: tuple[str, ...] = ()
    # The evaluator's `artifacts` (small JSON), e.g. a locally polished vector that a
    # Lamarckian proposer adopts; empty after a resume (the store keeps them apart).
    artifacts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """Everything a proposer may read for one generation; it must not touch the store."""

    problem: Problem
    generation: int
    island: int
    parents: tuple[Member, ...]
    inspirations: tuple[Member, ...]
    best: Member | None
    rng: np.random.Generator
    evaluations_left: int | None = None
    lessons: tuple[str, ...] = ()
    # Jobs the verifier pool runs at once: a proposer whose jobs differ much in length (a
    # local optimization beside plain verifications) can size its long ones to fill them.
    workers: int = 1


@dataclass(frozen=True)
class Proposal:
    """A new candidate: its text (see `evolve.problem` for each representation) and lineage."""

    content: str
    parents: tuple[str, ...] = ()
    proposer: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scored:
    """A proposal with its verdict, handed back to the proposer's `tell`."""

    proposal: Proposal
    member: Member
