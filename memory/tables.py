"""SQLAlchemy 2 tables of the memory bank.

One candidate is one row, written once: content-addressed within its run by `hash`
(representation + text) and numbered by `n`, its 1-based evaluation index, so that a crash
never loses or doubles an evaluation. Large evaluator artifacts live in `artifacts`, out of
the hot `candidates` table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now, for timestamps."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of all memory tables."""


class RunRow(Base):
    """One run of one task: its spec, status, budget use and the engine's resumable state."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_name: Mapped[str] = mapped_column(String(200), index=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="running")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    evaluations: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    best_fitness: Mapped[float | None] = mapped_column(Float, nullable=True)
    engine_state: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class CandidateRow(Base):
    """One evaluated candidate with its verdict, lineage and place in the population."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("run_id", "n", name="uq_candidates_run_n"),
        UniqueConstraint("run_id", "hash", name="uq_candidates_run_hash"),
        Index("ix_candidates_run_fitness", "run_id", "valid", "fitness"),
        Index("ix_candidates_run_island_fitness", "run_id", "island", "fitness"),
        Index("ix_candidates_run_cell", "run_id", "cell"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    n: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    representation: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    parents: Mapped[list[str]] = mapped_column(JSON, default=list)
    metrics: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    fitness: Mapped[float | None] = mapped_column(Float, nullable=True)
    valid: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")
    proposer: Mapped[str] = mapped_column(String(100), default="")
    island: Mapped[int] = mapped_column(Integer, default=0)
    cell: Mapped[str | None] = mapped_column(String(200), nullable=True)
    eval_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # the evaluator-cascade stage that stopped the candidate (None: fully evaluated)
    stage: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # calls of the evaluator an in-sandbox refinement made to produce this candidate,
    # apart from its own verification (the one evaluation the budget counts)
    inner_calls: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ArtifactRow(Base):
    """A JSON artifact an evaluator returned for a candidate (kept out of the hot table)."""

    __tablename__ = "artifacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class JobRow(Base):
    """One submitted task in the daemon's queue: its run, priority, state and process.

    `state` is queued | running | paused | finished | failed | cancelled; `request` holds a
    pending cancel or pause of a running job, which the daemon carries out.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_priority", "state", "priority", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    folder: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    request: Mapped[str | None] = mapped_column(String(20), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class LessonRow(Base):
    """A lesson distilled from a run's history (what changes helped or hurt), with its
    evidence and an embedding for retrieval; shared by every task of its `domain`.

    `key` names the finding within its run (e.g. ``operator:crossover``), so distilling the
    run again updates the lesson instead of adding a twin.
    """

    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("domain", "run_id", "key", name="uq_lessons_domain_run_key"),
        Index("ix_lessons_domain", "domain"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    domain: Mapped[str] = mapped_column(String(200))
    task_name: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    support: Mapped[int] = mapped_column(Integer, default=0)
    mean_delta: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    embedding: Mapped[list[float]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
