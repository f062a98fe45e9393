"""Immutable records the store hands out, so callers never hold live ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

Record = TypeVar("Record")


@dataclass(frozen=True)
class RunRecord:
    """A run as stored: identity, spec, status and budget use."""

    id: str
    task_name: str
    key: str
    spec: dict[str, Any]
    status: str
    seed: int
    evaluations: int
    elapsed_seconds: float
    best_fitness: float | None
    engine_state: dict[str, Any] | None
    message: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewCandidate:
    """A candidate with its verdict, ready to be written (the store assigns `n`)."""

    hash: str
    representation: str
    content: str
    valid: bool
    metrics: dict[str, float]
    fitness: float | None
    parents: list[str] = field(default_factory=list)
    error: str = ""
    feedback: str = ""
    proposer: str = ""
    island: int = 0
    cell: str | None = None
    eval_seconds: float = 0.0
    stage: int | None = None  # the cascade stage that stopped it (None: fully evaluated)
    inner_calls: int = 0
    artifacts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CandidateRecord:
    """A stored candidate: `n` is its 1-based evaluation index in the run."""

    run_id: str
    n: int
    hash: str
    representation: str
    content: str
    valid: bool
    metrics: dict[str, float]
    fitness: float | None
    parents: list[str]
    error: str
    feedback: str
    proposer: str
    island: int
    cell: str | None
    eval_seconds: float
    created_at: datetime
    stage: int | None = None
    inner_calls: int = 0


def record_of(cls: type[Record], row: object) -> Record:
    """The frozen record `cls` of an ORM row, its fields read by name: one conversion for
    every record, so a column added to a table and its record needs no copy line."""
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]
