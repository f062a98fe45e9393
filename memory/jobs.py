"""The daemon's job queue, kept in the memory bank's database beside the runs.

A job is a submitted task bound to one run from the start (created together, in one
transaction), so a job id can stand for its run anywhere. State changes are conditional
updates (`transition`): "cancel if still queued" cannot overwrite a claim made a moment
earlier by the daemon, whichever process writes first wins and the other sees it lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from memory.errors import JobNotFound
from memory.records import record_of
from memory.store import Store
from memory.tables import JobRow, RunRow, utcnow

FINAL_STATES = frozenset({"finished", "failed", "cancelled"})


@dataclass(frozen=True)
class JobRecord:
    """A job as stored: its run, where its task lives, priority, state and process."""

    id: str
    name: str
    run_id: str
    folder: str
    priority: int
    state: str
    request: str | None
    message: str
    pid: int | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


def _job_record(row: JobRow) -> JobRecord:
    return record_of(JobRecord, row)


def new_job_id() -> str:
    """A fresh job id; the `job-` prefix keeps job ids apart from run ids."""
    return f"job-{uuid.uuid4().hex[:8]}"


class JobQueue:
    """Jobs in the store's database: submit, look up, claim in priority order, transition."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sessions = sessionmaker(store.engine, expire_on_commit=False)

    def _session(self) -> Session:
        return self._sessions()

    def submit(
        self,
        name: str,
        folder: str,
        task: dict[str, Any],
        priority: int = 0,
    ) -> JobRecord:
        """Queue a job and create its run (status `queued`) in one transaction.

        `task` holds the run's fields: `task_name`, `key`, `spec` (validated task JSON) and
        `seed`. The run's key is unique to the job, so `discover run` never resumes it.
        """
        run = RunRow(id=uuid.uuid4().hex[:12], status="queued", **task)
        job = JobRow(id=new_job_id(), name=name, run_id=run.id, folder=folder, priority=priority)
        with self._session() as session, session.begin():
            session.add(run)
            session.flush()
            session.add(job)
        return _job_record(job)

    def find(self, ident: str) -> JobRecord | None:
        """The job with this id (or unique id prefix), or None."""
        with self._session() as session:
            row = session.get(JobRow, ident)
            if row is None and ident.startswith("job-"):
                rows = session.scalars(
                    select(JobRow).where(JobRow.id.startswith(ident)).limit(2)
                ).all()
                row = rows[0] if len(rows) == 1 else None
            return _job_record(row) if row else None

    def get(self, ident: str) -> JobRecord:
        """The job with this id (or unique id prefix); raises `JobNotFound`."""
        found = self.find(ident)
        if found is None:
            raise JobNotFound(f"no job '{ident}' in {self.store.url} (see `discover jobs`)")
        return found

    def list_jobs(self, states: tuple[str, ...] | None = None) -> list[JobRecord]:
        """Jobs (optionally only those in `states`), oldest first."""
        query = select(JobRow).order_by(JobRow.created_at, JobRow.id)
        if states:
            query = query.where(JobRow.state.in_(states))
        with self._session() as session:
            return [_job_record(row) for row in session.scalars(query)]

    def claim_next(self) -> JobRecord | None:
        """Mark the next queued job (highest priority, then oldest) running and return it."""
        query = (
            select(JobRow.id)
            .where(JobRow.state == "queued")
            .order_by(JobRow.priority.desc(), JobRow.created_at, JobRow.id)
            .limit(8)
        )
        with self._session() as session:
            ids = list(session.scalars(query))
        for job_id in ids:
            if self.transition(job_id, ("queued",), state="running", started_at=utcnow()):
                return self.get(job_id)
        return None

    def transition(self, job_id: str, from_states: tuple[str, ...], **changes: Any) -> bool:
        """Apply `changes` only if the job is in one of `from_states`; True if it was."""
        if "state" in changes and changes["state"] in FINAL_STATES:
            changes.setdefault("finished_at", utcnow())
        statement = (
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.state.in_(from_states))
            .values(**changes)
        )
        with self._session() as session, session.begin():
            changed = session.execute(statement).rowcount == 1
        if not changed and self.find(job_id) is None:
            raise JobNotFound(f"no job '{job_id}' in {self.store.url}")
        return changed
