"""The memory bank's store: every run and candidate in a SQLAlchemy database.

SQLite (WAL mode) by default; any SQLAlchemy URL (PostgreSQL at scale) works. Thread-safe:
each call opens its own session. Writes of a generation's candidates and the engine's state
happen in one transaction, so a killed process resumes from the store alone.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from memory.errors import RunNotFound, StoreError
from memory.records import CandidateRecord, NewCandidate, RunRecord, record_of
from memory.schema import upgrade_schema
from memory.tables import ArtifactRow, CandidateRow, RunRow

HISTORY_CHUNK = 1000


def candidate_hash(representation: str, content: str) -> str:
    """Content address of a candidate within a run."""
    return hashlib.sha256(f"{representation}\0{content}".encode()).hexdigest()[:32]


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _run_record(row: RunRow) -> RunRecord:
    return record_of(RunRecord, row)


def _candidate_record(row: CandidateRow) -> CandidateRecord:
    record = record_of(CandidateRecord, row)  # rows written before migration 0002 lack inner_calls
    return replace(record, parents=list(row.parents or []), inner_calls=row.inner_calls or 0)


class Store:
    """Runs and candidates in a database named by a SQLAlchemy URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = create_engine(url, future=True)
        except Exception as error:  # noqa: BLE001 - any driver error is a bad URL for the user
            raise StoreError(f"cannot open store '{url}': {error}") from error
        if self.engine.dialect.name == "sqlite":
            _tune_sqlite(self.engine)
        upgrade_schema(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def at_home(cls, home: Path) -> Store:
        """The default store: a SQLite file inside the discovery home folder."""
        home.mkdir(parents=True, exist_ok=True)
        return cls(sqlite_url(home / "discovery.db"))

    def _session(self) -> Session:
        return self._sessions()

    # runs -----------------------------------------------------------------------------

    def create_run(self, task_name: str, key: str, spec: dict[str, Any], seed: int) -> RunRecord:
        """Start a new run and return it."""
        row = RunRow(id=uuid.uuid4().hex[:12], task_name=task_name, key=key, spec=spec, seed=seed)
        with self._session() as session, session.begin():
            session.add(row)
        return _run_record(row)

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this id (or unique id prefix)."""
        with self._session() as session:
            row = session.get(RunRow, run_id)
            if row is None and run_id:
                rows = session.scalars(
                    select(RunRow).where(RunRow.id.startswith(run_id)).limit(2)
                ).all()
                row = rows[0] if len(rows) == 1 else None
            if row is None:
                raise RunNotFound(f"no run '{run_id}' in {self.url} (see `discover runs`)")
            return _run_record(row)

    def resumable_run(self, key: str) -> RunRecord | None:
        """The latest unfinished run with this key, if any."""
        with self._session() as session:
            row = session.scalars(
                select(RunRow)
                .where(RunRow.key == key, RunRow.status != "finished")
                .order_by(RunRow.created_at.desc())
                .limit(1)
            ).first()
            return _run_record(row) if row else None

    def list_runs(self) -> list[RunRecord]:
        """All runs, newest first."""
        with self._session() as session:
            rows = session.scalars(select(RunRow).order_by(RunRow.created_at.desc())).all()
            return [_run_record(row) for row in rows]

    def set_status(self, run_id: str, status: str, message: str = "") -> None:
        """Record a run's status (running, stopped, finished, failed) and why."""
        with self._session() as session, session.begin():
            row = session.get(RunRow, run_id)
            if row is None:
                raise RunNotFound(f"no run '{run_id}'")
            row.status = status
            row.message = message

    def save_engine_state(self, run_id: str, state: dict[str, Any], elapsed: float) -> None:
        """Store the engine's resumable state without adding candidates."""
        with self._session() as session, session.begin():
            row = session.get(RunRow, run_id)
            row.engine_state = state
            row.elapsed_seconds = elapsed

    # candidates -------------------------------------------------------------------------

    def add_candidates(
        self,
        run_id: str,
        candidates: list[NewCandidate],
        engine_state: dict[str, Any] | None = None,
        elapsed_seconds: float | None = None,
    ) -> list[int]:
        """Append evaluated candidates and the engine state atomically; return their `n`s.

        One bulk INSERT per table (the hot path of the loop), inside a transaction that
        holds the run row, so concurrent writers to one run cannot interleave numbers.
        """
        with self._session() as session, session.begin():
            run = session.get(RunRow, run_id, with_for_update=True)
            if run is None:
                raise RunNotFound(f"no run '{run_id}'")
            numbers = list(range(run.evaluations + 1, run.evaluations + 1 + len(candidates)))
            rows = [
                {"run_id": run_id, "n": n, **{k: v for k, v in vars(c).items() if k != "artifacts"}}
                for n, c in zip(numbers, candidates, strict=True)
            ]
            if rows:
                ids = session.scalars(
                    insert(CandidateRow).returning(CandidateRow.id, sort_by_parameter_order=True),
                    rows,
                ).all()
                artifacts = [
                    {"candidate_id": row_id, "data": c.artifacts}
                    for row_id, c in zip(ids, candidates, strict=True)
                    if c.artifacts
                ]
                if artifacts:
                    session.execute(insert(ArtifactRow), artifacts)
            fitnesses = [c.fitness for c in candidates if c.fitness is not None]
            if fitnesses and (run.best_fitness is None or max(fitnesses) > run.best_fitness):
                run.best_fitness = max(fitnesses)
            run.evaluations += len(candidates)
            if engine_state is not None:
                run.engine_state = engine_state
            if elapsed_seconds is not None:
                run.elapsed_seconds = elapsed_seconds
        return numbers

    def top(self, run_id: str, k: int, island: int | None = None) -> list[CandidateRecord]:
        """The `k` fittest valid candidates of the run (or of one island), best first."""
        query = select(CandidateRow).where(CandidateRow.run_id == run_id, CandidateRow.valid)
        if island is not None:
            query = query.where(CandidateRow.island == island)
        query = query.order_by(CandidateRow.fitness.desc(), CandidateRow.n).limit(k)
        with self._session() as session:
            return [_candidate_record(row) for row in session.scalars(query)]

    def best(self, run_id: str) -> CandidateRecord | None:
        """The fittest valid candidate, or None when none is valid."""
        found = self.top(run_id, 1)
        return found[0] if found else None

    def candidate(self, run_id: str, hash_: str) -> CandidateRecord:
        """One candidate by its content hash."""
        with self._session() as session:
            row = session.scalars(
                select(CandidateRow).where(
                    CandidateRow.run_id == run_id, CandidateRow.hash == hash_
                )
            ).first()
            if row is None:
                raise StoreError(f"no candidate {hash_} in run {run_id}")
            return _candidate_record(row)

    def artifacts(self, run_id: str, hash_: str) -> dict[str, Any]:
        """The artifacts stored for a candidate ({} when none)."""
        return self.artifacts_of(run_id, [hash_]).get(hash_, {})

    def artifacts_of(self, run_id: str, hashes: list[str]) -> dict[str, dict[str, Any]]:
        """Artifacts of many candidates at once, by hash (candidates without any are absent)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(hashes), HISTORY_CHUNK):
            query = (
                select(CandidateRow.hash, ArtifactRow.data)
                .join(CandidateRow, CandidateRow.id == ArtifactRow.candidate_id)
                .where(
                    CandidateRow.run_id == run_id,
                    CandidateRow.hash.in_(hashes[start : start + HISTORY_CHUNK]),
                )
            )
            with self._session() as session:
                found.update({digest: data for digest, data in session.execute(query)})
        return found

    def count(self, run_id: str, valid: bool | None = None) -> int:
        """How many candidates the run has (optionally only valid or invalid ones)."""
        query = select(func.count()).select_from(CandidateRow).where(CandidateRow.run_id == run_id)
        if valid is not None:
            query = query.where(CandidateRow.valid == valid)
        with self._session() as session:
            return int(session.scalar(query) or 0)

    def history(self, run_id: str) -> Iterator[CandidateRecord]:
        """Every candidate of the run in evaluation order, read in chunks."""
        last = 0
        while True:
            query = (
                select(CandidateRow)
                .where(CandidateRow.run_id == run_id, CandidateRow.n > last)
                .order_by(CandidateRow.n)
                .limit(HISTORY_CHUNK)
            )
            with self._session() as session:
                rows = [_candidate_record(row) for row in session.scalars(query)]
            if not rows:
                return
            yield from rows
            last = rows[-1].n

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
