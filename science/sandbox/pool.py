"""Pools that evaluate many jobs at once and return verdicts in the jobs' order.

`SandboxPool` keeps one warm worker process per slot (see `science.sandbox.worker`, which runs each
evaluator in a confined zygote) and feeds them from threads; a worker that dies is replaced
and its job is reported invalid, never lost.
`InProcessPool` calls trusted evaluators directly (no isolation), for benchmarks of the
loop itself and for evaluators that are part of the platform.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from science.call import call_evaluator, evaluator_version, load_evaluator
from science.errors import SandboxError
from science.evaluation import EvaluatorRef, Job
from science.sandbox.protocol import read_message, write_message
from science.sandbox.scratch import remove_leftovers
from science.verdict import Verdict

WORKER_GRACE_SECONDS = 30.0
WORKER_EXIT_SECONDS = 5.0
SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class VerifierPool(Protocol):
    """Anything that turns a list of jobs into verdicts, in order."""

    def evaluate(self, jobs: list[Job]) -> list[Verdict]: ...

    def close(self) -> None: ...


def worker_environment() -> dict[str, str]:
    """The worker's environment: ours without secrets, numeric libraries at one thread.

    Variables whose names look like credentials (API keys, tokens, passwords) are left out:
    the proposers need them, untrusted evaluators do not. A pool already runs one worker per
    core, so BLAS and OpenMP default to one thread (set the variables to override).
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not any(word in name.upper() for word in SECRET_WORDS)
    }
    for name in THREAD_VARIABLES:
        env.setdefault(name, "1")
    return env


class _Worker:
    """Client side of one `science.sandbox.worker` process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "science.sandbox.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[2],
            env=worker_environment(),
            start_new_session=True,
        )

    def evaluate(self, job: Job) -> Verdict:
        result: list[object] = []

        def exchange() -> None:
            write_message(self.process.stdin, job)
            result.append(read_message(self.process.stdout))

        thread = threading.Thread(target=exchange, daemon=True)
        thread.start()
        # a new evaluator's import may take one timeout, then the job itself another
        thread.join(2 * job.limits.timeout_seconds + WORKER_GRACE_SECONDS)
        if thread.is_alive() or not result or not isinstance(result[0], Verdict):
            raise SandboxError("sandbox worker stopped answering")
        return result[0]

    def close(self, kill: bool = False) -> None:
        """Stop the worker: closing its stdin lets it clean up; a broken or stuck one is killed."""
        if kill:
            self.process.kill()
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(WORKER_EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        remove_leftovers(self.process.pid)


class SandboxPool:
    """Evaluate jobs in `workers` parallel sandboxes (default: one per CPU core)."""

    def __init__(self, workers: int | None = None) -> None:
        self.size = workers or os.cpu_count() or 1
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="sandbox")

    def _acquire(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                worker = _Worker()
                self._all.append(worker)
                return worker

    def _replace(self, worker: _Worker) -> None:
        worker.close(kill=True)
        with self._lock:
            self._all.remove(worker)

    def _evaluate_one(self, job: Job) -> Verdict:
        worker = self._acquire()
        try:
            verdict = worker.evaluate(job)
        except (SandboxError, OSError, EOFError) as error:
            self._replace(worker)
            return Verdict.failure(f"sandbox worker died during evaluation: {error}")
        self._idle.put(worker)
        return verdict

    def evaluate(self, jobs: list[Job]) -> list[Verdict]:
        """Evaluate all jobs, at most `size` at a time; verdicts in the jobs' order."""
        return list(self._executor.map(self._evaluate_one, jobs))

    def close(self) -> None:
        """Stop every worker process."""
        self._executor.shutdown(wait=True)
        with self._lock:
            for worker in self._all:
                worker.close()
            self._all.clear()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcessPool:
    """Evaluate trusted evaluators in this process, one after another, with no limits.

    Each evaluator is imported once (again when its file changes), as a zygote does.
    """

    def __init__(self, workdir: Path | None = None) -> None:
        self._owned = workdir is None  # a private folder for program files, removed on close
        self.workdir = (
            Path(tempfile.mkdtemp(prefix="discovery-inprocess-")) if workdir is None else workdir
        )
        self._loaded: dict[tuple[EvaluatorRef, object], Callable[..., Any]] = {}

    def _function(self, ref: EvaluatorRef) -> Callable[..., Any] | None:
        key = (ref, evaluator_version(ref))
        if key not in self._loaded:
            try:
                self._loaded[key] = load_evaluator(ref)
            except Exception:  # noqa: BLE001 - call_evaluator loads it again and reports why
                return None
        return self._loaded[key]

    def evaluate(self, jobs: list[Job]) -> list[Verdict]:
        """Call each evaluator directly; exceptions still become invalid verdicts."""
        return [
            call_evaluator(job, self.workdir, self._function(job.evaluator), self._stages(job))
            for job in jobs
        ]

    def _stages(self, job: Job) -> tuple[Callable[..., Any], ...] | None:
        functions = [self._function(stage.evaluator) for stage in job.cascade]
        return None if None in functions else tuple(functions)  # type: ignore[arg-type]

    def close(self) -> None:
        """Remove the private working folder (a given one is left alone)."""
        if self._owned:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> InProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
