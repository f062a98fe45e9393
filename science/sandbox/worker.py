"""A sandbox worker process: receives jobs on stdin, runs them in a per-evaluator zygote.

The worker itself runs no untrusted code. For each evaluator (and set of limits) it forks a
zygote (`science.sandbox.zygote`) that confines itself, imports the evaluator once and forks one
confined process per candidate, so a candidate costs a fork, not an interpreter start-up
plus the evaluator's imports. When the evaluator (its file's contents included) or the
limits change, or the zygote dies or stops answering, the zygote is killed and rebuilt; the
job in flight is reported invalid with the reason. After every job, whatever the candidate
left running in the zygote's pids cgroup is killed.

Run as ``python -m science.sandbox.worker``; spoken to by `science.sandbox.pool.SandboxPool` with
length-prefixed pickles on stdin/stdout (the worker is our code; only JSON comes back from a
zygote).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import pickle
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from science.call import evaluator_version
from science.evaluation import Job
from science.sandbox import process, zygote
from science.sandbox.cgroup import PidsCgroup
from science.sandbox.protocol import read_frame, read_message, write_frame, write_message
from science.sandbox.scratch import scratch_prefix, zygote_name
from science.verdict import Verdict

log = logging.getLogger("science.sandbox.worker")  # not __main__ when run with -m

PRELOADED = ("numpy",)  # imported once by the worker, so every zygote forks warm
REPLY_GRACE_SECONDS = 5.0
ZYGOTE_TASKS = 2  # the zygote and the candidate's own process, on top of `max_processes`
MAX_REPLY_BYTES = 2 * zygote.MAX_RESULT_BYTES
NO_CGROUP = (
    "no writable pids cgroup (v1 /sys/fs/cgroup/pids or delegated v2); the number of "
    "processes is capped only by RLIMIT_NPROC, which does not bind root"
)


class ZygoteLost(Exception):
    """The zygote died or stopped answering; the message says how."""


def zygote_key(job: Job) -> tuple[Any, ...]:
    """What a zygote is built for: the evaluator (and its file's version), the limits and
    the cascade."""
    return (job.evaluator, evaluator_version(job.evaluator), job.limits, job.cascade)


class Zygote:
    """The worker's handle on one zygote process."""

    def __init__(self, job: Job, number: int) -> None:
        self.key = zygote_key(job)
        self.limits = job.limits
        name = zygote_name(os.getpid(), number)
        self.scratch = Path(tempfile.mkdtemp(prefix=scratch_prefix(os.getpid(), number)))
        self.cgroup = PidsCgroup.create(name, job.limits.max_processes + ZYGOTE_TASKS)
        jobs_read, self.jobs_fd = os.pipe()
        self.replies_fd, replies_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.jobs_fd)
            os.close(self.replies_fd)
            zygote.serve(
                job.evaluator,
                job.limits,
                self.scratch,
                self.cgroup,
                (jobs_read, replies_write),
                job.cascade,
            )
        os.close(jobs_read)
        os.close(replies_write)

    def _reply(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        try:
            frame = read_frame(self.replies_fd, deadline, MAX_REPLY_BYTES)
        except TimeoutError as error:
            raise ZygoteLost(f"timed out after {waiting_for}") from error
        except ValueError as error:
            raise ZygoteLost(f"the sandbox sent an oversized reply: {error}") from error
        if frame is None:
            raise ZygoteLost(f"the sandbox process died ({self._exit_reason()})")
        try:
            reply = json.loads(frame)
        except (ValueError, RecursionError) as error:
            raise ZygoteLost(f"unreadable reply from the sandbox: {error}") from error
        if not isinstance(reply, dict):
            raise ZygoteLost("unreadable reply from the sandbox: not a JSON object")
        return reply

    def _exit_reason(self) -> str:
        process.kill_group(self.pid)
        with contextlib.suppress(ChildProcessError):
            pid, status = os.waitpid(self.pid, 0)
            if pid:
                self.pid = 0
                return process.describe_exit(status, self.limits)
        return "already reaped"

    def wait_ready(self) -> dict[str, str]:
        """Wait for the evaluator's import (at most the job timeout); the protections report."""
        timeout = self.limits.timeout_seconds
        deadline = time.monotonic() + timeout
        reply = self._reply(deadline, f"{timeout:g} s while importing the evaluator")
        return {str(k): str(v) for k, v in dict(reply.get("protections") or {}).items()}

    def is_alive(self) -> bool:
        """Whether the zygote still runs (a dead one is reaped here)."""
        if self.pid and os.waitpid(self.pid, os.WNOHANG)[0] == self.pid:
            self.pid = 0
        return self.pid != 0

    def evaluate(self, job: Job) -> Verdict:
        """Send one job and wait for its verdict (the zygote enforces the timeout)."""
        try:
            write_frame(self.jobs_fd, pickle.dumps(job))
        except BrokenPipeError as error:
            raise ZygoteLost(f"the sandbox process died ({self._exit_reason()})") from error
        timeout = job.limits.timeout_seconds
        deadline = time.monotonic() + timeout + REPLY_GRACE_SECONDS
        reply = self._reply(deadline, f"{timeout:g} s (the sandbox stopped answering)")
        verdict = Verdict.from_untrusted(reply)
        if self.cgroup is not None:
            self.cgroup.kill(keep=self.pid)
        return verdict

    def stop(self) -> None:
        """Kill the zygote and everything it forked; remove its scratch folder and cgroup."""
        for fd in (self.jobs_fd, self.replies_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.cgroup is not None:
            self.cgroup.remove()
        if self.pid:
            self._exit_reason()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Sandbox:
    """Runs each job in the zygote of its evaluator, rebuilding the zygote when needed."""

    def __init__(self) -> None:
        self.zygote: Zygote | None = None
        self.built = 0
        self.warned: set[str] = set()

    def _zygote_for(self, job: Job) -> Zygote:
        if self.zygote is not None and (
            self.zygote.key != zygote_key(job) or not self.zygote.is_alive()
        ):
            self._drop()
        if self.zygote is None:
            self.built += 1
            self.zygote = Zygote(job, self.built)
            protections = self.zygote.wait_ready()
            protections["pids cgroup"] = "on" if self.zygote.cgroup else NO_CGROUP
            self._warn(protections)
        return self.zygote

    def _warn(self, protections: dict[str, str]) -> None:
        for name, state in protections.items():
            if state != "on" and name not in self.warned:
                self.warned.add(name)
                log.warning("sandbox protection '%s' is off: %s", name, state)

    def _drop(self) -> None:
        if self.zygote is not None:
            self.zygote.stop()
            self.zygote = None

    def evaluate(self, job: Job) -> Verdict:
        """The verdict of one job; a lost zygote makes it invalid (and is rebuilt next time)."""
        start = time.monotonic()
        try:
            verdict = self._zygote_for(job).evaluate(job)
        except (ZygoteLost, OSError) as error:
            self._drop()
            return Verdict.failure(str(error), time.monotonic() - start)
        self._warn_if_unprotected(job, verdict)
        return verdict

    def _warn_if_unprotected(self, job: Job, verdict: Verdict) -> None:
        """Once per evaluator: a program task whose evaluator ran the candidate in its own
        process (no `science.run_candidate` call), where the candidate can forge the verdict."""
        name = f"unprotected {job.evaluator}"
        if job.representation != "program" or verdict.isolated_calls or name in self.warned:
            return
        if verdict.valid:
            self.warned.add(name)
            log.warning(
                "evaluator %s ran a program candidate in its own process (no "
                "science.run_candidate call): a hostile candidate can forge its score; "
                "see docs/tasks.md",
                job.evaluator,
            )

    def close(self) -> None:
        """Stop the zygote."""
        self._drop()


def main() -> None:
    """Serve jobs from stdin until it closes."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    for name in PRELOADED:
        importlib.import_module(name)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but protocol on the real stdout
    sandbox = Sandbox()
    try:
        while (job := read_message(stdin)) is not None:
            write_message(stdout, sandbox.evaluate(job))
    finally:
        sandbox.close()


if __name__ == "__main__":
    main()
