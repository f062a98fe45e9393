"""What a job process does: resume the job's run with `run_task`, then exit.

The daemon's launcher (`discovery.launcher`) forks one process per running job, with its
output going to the job's log file, and calls `serve_job`. SIGTERM sets the engine's
`stop_event`: the current generation is written (atomically, with the engine state) and
the run ends `stopped`. The process asks the kernel to SIGKILL it when its parent dies
(`die_with_parent`, PR_SET_PDEATHSIG), so a killed daemon never leaves a second writer
behind; the store's one-transaction-per-generation writes make that kill safe. How the
run ended is read back from the run's status in the store, never from the exit code alone.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a job runs: the launcher arms its death signal first
    from discovery.runner import RunResult
    from discovery.spec import TaskSpec
    from evolve import Evolution
    from memory import Store

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
EXIT_ORPHANED = 3


def die_with_parent(parent_pid: int) -> None:
    """Be SIGKILLed when the daemon dies; exit now if it already has (Linux only)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        sys.exit(EXIT_ORPHANED)


class StopOnSignal:
    """Signal handler that asks the engine to stop after the current generation."""

    def __init__(self) -> None:
        self.requested = False
        self.evolution: Evolution | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping after the current generation", signum)
        self.requested = True
        if self.evolution is not None:
            self.evolution.stop_event.set()

    def attach(self, evolution: Evolution) -> None:
        """`run_task`'s `on_start` hook: remember the engine (stop it if already asked)."""
        self.evolution = evolution
        if self.requested:
            evolution.stop_event.set()


def with_workers(spec: TaskSpec, workers: int | None) -> TaskSpec:
    """The spec with at most `workers` concurrent evaluations (the job's CPU share)."""
    if workers is None:
        return spec
    wanted = spec.evaluation.workers
    capped = workers if wanted is None else min(wanted, workers)
    evaluation = spec.evaluation.model_copy(update={"workers": capped})
    return spec.model_copy(update={"evaluation": evaluation})


def run_job(store: Store, home: Path, job_id: str, workers: int | None) -> RunResult:
    """Run (or resume) the job's run until its budget is spent or SIGTERM arrives."""
    from discovery.jobs import job_spec
    from discovery.progress import ProgressLog
    from discovery.runner import run_task
    from memory.jobs import JobQueue

    job = JobQueue(store).get(job_id)
    stopper = StopOnSignal()
    signal.signal(signal.SIGTERM, stopper)
    spec = with_workers(job_spec(store, job), workers)
    log.info("job %s: run %s of task %s (attempt %d)", job.id, job.run_id, spec.name, job.attempts)
    progress = ProgressLog()

    def started(evolution: Evolution) -> None:
        stopper.attach(evolution)
        progress.start(evolution)

    return run_task(
        spec,
        store,
        home / "results",
        resume=job.run_id,
        on_start=started,
        on_progress=progress,
    )


def serve_job(job_id: str, home: Path, db_url: str, workers: int | None) -> int:
    """Body of a job process once its death signal is armed: 0 ran, 1 failed."""
    from discovery.home import open_store
    from memory.jobs import JobQueue

    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # schema checks are not job news
    store = open_store(home, db_url)
    try:
        result = run_job(store, home, job_id, workers)
    except Exception as error:  # noqa: BLE001 - the boundary: any failure fails the job
        log.exception("job %s failed", job_id)
        run_id = JobQueue(store).get(job_id).run_id
        store.set_status(run_id, "failed", f"{type(error).__name__}: {error}")
        return 1
    log.info("job %s: run %s %s (%s)", job_id, result.run_id, result.status, result.message)
    return 0
