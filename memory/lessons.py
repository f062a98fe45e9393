"""Lessons in the memory bank: written per run, read per domain (tasks sharing a `domain:`).

A lesson is a short text saying which kind of change helped or hurt, the evidence it rests
on (candidate hashes and score deltas) and an embedding (a list of floats, computed by the
engine) used to retrieve the lessons closest to a parent. The bank never embeds nor ranks:
it stores and hands back records.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from memory.errors import StoreError
from memory.records import record_of
from memory.store import Store
from memory.tables import LessonRow


class LessonNotFound(StoreError):
    """No lesson with the given id exists in the store."""


@dataclass(frozen=True)
class NewLesson:
    """A lesson to write; (`domain`, `run_id`, `key`) identifies it, so writing it again
    updates it."""

    domain: str
    task_name: str
    run_id: str
    key: str
    kind: str
    text: str
    support: int
    mean_delta: float
    evidence: dict[str, Any] = field(default_factory=dict)
    embedding: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class LessonRecord(NewLesson):
    """A stored lesson with its id and times."""

    id: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form (times as ISO text), for `discover lessons --json` and export."""
        data = dict(vars(self))
        for name in ("created_at", "updated_at"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


def _record(row: LessonRow) -> LessonRecord:
    record = record_of(LessonRecord, row)
    return replace(record, evidence=row.evidence or {}, embedding=list(row.embedding or []))


class LessonBank:
    """The lessons of one store (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _session(self) -> Session:
        return self.store._session()

    def save(self, lessons: list[NewLesson]) -> None:
        """Insert or update `lessons` in one transaction (matched by domain, run and key)."""
        with self._session() as session, session.begin():
            for lesson in lessons:
                row = session.scalars(
                    select(LessonRow).where(
                        LessonRow.domain == lesson.domain,
                        LessonRow.run_id == lesson.run_id,
                        LessonRow.key == lesson.key,
                    )
                ).first()
                if row is None:
                    session.add(LessonRow(**vars(lesson)))
                    continue
                for name, value in vars(lesson).items():
                    setattr(row, name, value)

    def find(self, domain: str | None = None, task_name: str | None = None) -> list[LessonRecord]:
        """Lessons, optionally of one domain or task, newest first."""
        query = select(LessonRow).order_by(LessonRow.updated_at.desc(), LessonRow.id.desc())
        if domain is not None:
            query = query.where(LessonRow.domain == domain)
        if task_name is not None:
            query = query.where(LessonRow.task_name == task_name)
        with self._session() as session:
            return [_record(row) for row in session.scalars(query)]

    def get(self, lesson_id: int) -> LessonRecord:
        """One lesson by id."""
        with self._session() as session:
            row = session.get(LessonRow, lesson_id)
            if row is None:
                raise LessonNotFound(
                    f"no lesson {lesson_id} in {self.store.url} (see `discover lessons list`)"
                )
            return _record(row)

    def delete(self, lesson_ids: list[int]) -> int:
        """Delete lessons by id; return how many existed (an unknown id raises, nothing
        deleted)."""
        with self._session() as session, session.begin():
            found = set(session.scalars(select(LessonRow.id).where(LessonRow.id.in_(lesson_ids))))
            missing = sorted(set(lesson_ids) - found)
            if missing:
                raise LessonNotFound(
                    f"no lesson {', '.join(map(str, missing))} in {self.store.url}; nothing deleted"
                )
            session.execute(delete(LessonRow).where(LessonRow.id.in_(lesson_ids)))
        return len(found)
