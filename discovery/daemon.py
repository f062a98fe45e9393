"""The evolution daemon: serve the job queue kept in the store, several jobs at once.

One daemon per home folder (a lock file says so). Each running job is a process forked by
the daemon's warm launcher (`discovery.launcher`) that resumes the job's run from the
store (`discovery.job_process`), with its output in ``HOME/logs/JOB.log``. The main loop,
every `poll_seconds`:

1. settles jobs whose process ended, from their run's status in the store (finished,
   failed with the run's message, stopped -> queued / paused / cancelled as requested;
   a process that died without a word is retried up to `max_attempts` times);
2. stops (SIGTERM) the processes of jobs with a pending cancel or pause request;
3. starts queued jobs, highest priority first, while fewer than `max_jobs` run.

Crash safety: after a SIGKILL of the daemon its launcher and job processes die with it
(PR_SET_PDEATHSIG); on restart, the sandbox processes the dead jobs left are killed
(`discovery.orphans`), then jobs still marked running are re-queued and resume their runs,
which the store wrote one whole generation at a time. SIGTERM (or Ctrl-C) drains: running
jobs stop after their current generation, go back to queued, and resume on the next start.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

from discovery.api_config import HttpConfig
from discovery.errors import DaemonError
from discovery.home import open_store
from discovery.jobs import job_log_path
from discovery.launcher import JOB_MARKER_ENV, LaunchedJob, Launcher, job_marker
from discovery.orphans import kill_job_leftovers
from memory.jobs import JobQueue, JobRecord

log = logging.getLogger(__name__)

LOCK_FILENAME = "daemon.lock"
INFO_FILENAME = "daemon.json"
LEFTOVER_WAIT_SECONDS = 10.0


def default_max_jobs(cpus_per_job: int) -> int:
    """As many jobs as the machine's cores hold at `cpus_per_job` each (at least one)."""
    return max(1, (os.cpu_count() or 1) // cpus_per_job)


@dataclass(frozen=True)
class DaemonConfig:
    """Where the daemon works and its resource budget."""

    home: Path
    db_url: str | None = None
    cpus_per_job: int = 1
    max_jobs: int | None = None
    poll_seconds: float = 0.2
    drain_seconds: float = 60.0
    max_attempts: int = 3
    http: HttpConfig | None = None

    @property
    def job_slots(self) -> int:
        """How many jobs may run at once."""
        return self.max_jobs or default_max_jobs(self.cpus_per_job)


@dataclass
class _Child:
    """A running job's process and when it was asked to stop."""

    process: LaunchedJob
    stop_sent: float | None = None


def _is_job_process(pid: int) -> bool:
    """True if `pid` is a job process (a fork of a launcher) that has not exited."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return b"discovery.launcher" in command and state != "Z"


def kill_leftover(pid: int | None, job_id: str) -> None:
    """SIGKILL a job process that outlived its daemon, and wait until it is gone."""
    if pid is None or not _is_job_process(pid):
        return
    log.warning("job %s: killing leftover process %d", job_id, pid)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + LEFTOVER_WAIT_SECONDS
    while _is_job_process(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


class Daemon:
    """The job-queue server; `serve()` runs it in the foreground until SIGTERM or Ctrl-C."""

    def __init__(self, config: DaemonConfig) -> None:
        self.config = config
        self.store = open_store(config.home, config.db_url)
        self.queue = JobQueue(self.store)
        self.children: dict[str, _Child] = {}
        self.launcher = Launcher()
        self.stopping = threading.Event()
        self._lock: IO[str] | None = None

    # lifecycle ------------------------------------------------------------------------------

    def serve(self, on_ready: Callable[[dict[str, Any]], None] | None = None) -> None:
        """Lock the home, recover from a crash, serve until SIGTERM/Ctrl-C, then drain.

        `on_ready` receives the daemon's info (pid, url of the API, store) once it serves.
        """
        self._acquire_lock()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        server = None
        self.launcher.start()  # it imports the engine while we recover and open the API
        try:
            self.recover()
            if self.config.http is not None:
                from discovery.api import ApiServer  # uvicorn only when HTTP is served

                server = ApiServer(self.store, self.config.home, self.config.http)
                server.start()
            info = self._write_info(server.url if server else None)
            if on_ready is not None:
                on_ready(info)
            log.info(
                "daemon %d serving %s, %d job slots",
                os.getpid(),
                self.store.url,
                self.config.job_slots,
            )
            while not self.stopping.wait(self.config.poll_seconds):
                self._step_guarded()
            self.drain()
        finally:
            self.launcher.close()
            if server is not None:
                server.stop()
            (self.config.home / INFO_FILENAME).unlink(missing_ok=True)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: draining", signum)
        self.stopping.set()

    def _acquire_lock(self) -> None:
        self.config.home.mkdir(parents=True, exist_ok=True)
        path = self.config.home / LOCK_FILENAME
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            handle.close()
            raise DaemonError(
                f"a daemon (pid {owner}) already serves {self.config.home}; "
                "stop it first or pass another --home"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    def _write_info(self, url: str | None) -> dict[str, Any]:
        info = {
            "pid": os.getpid(),
            "url": url,
            "db": self.store.url,
            "slots": self.config.job_slots,
        }
        (self.config.home / INFO_FILENAME).write_text(json.dumps(info))
        return info

    def recover(self) -> list[str]:
        """Settle jobs marked running that have no process of ours (left by a crash).

        First every process the dead job left is killed: its job process, and the sandbox
        workers, zygotes and candidates marked with the job (`discovery.orphans`), so the
        re-queued job never runs beside a first copy. A run that already finished or failed
        settles its job at once; any other goes back to the queue (or to paused / cancelled
        if that was asked), not counted as an attempt.
        """
        recovered = []
        ours = {child.process.pid for child in self.children.values()}
        for job in self.queue.list_jobs(("running",)):
            if job.id in self.children:
                continue
            if job.pid not in ours:
                kill_leftover(job.pid, job.id)
            kill_job_leftovers(JOB_MARKER_ENV, job_marker(job.id, job.run_id))
            self._settle(job, code=None, blameless=True)
            recovered.append(job.id)
        return recovered

    def drain(self) -> None:
        """Stop every running job after its current generation; they go back to queued."""
        for child in self.children.values():
            self._send_stop(child)
        deadline = time.monotonic() + self.config.drain_seconds
        while self.children and time.monotonic() < deadline:
            self._reap(blameless=True)
            time.sleep(0.05)
        for child in self.children.values():
            child.process.kill()
        for child in self.children.values():
            child.process.wait()
        self._reap(blameless=True)

    # one turn of the loop -------------------------------------------------------------------

    def _step_guarded(self) -> None:
        """The loop's boundary: a failed turn (database busy, say) is logged and retried."""
        try:
            self.step()
        except Exception:  # noqa: BLE001 - one bad turn must not stop every job
            log.exception("daemon turn failed; retrying in %.1f s", self.config.poll_seconds)

    def step(self) -> None:
        """Settle ended jobs, carry out cancel/pause requests, start queued jobs."""
        self._reap(blameless=False)
        self._carry_out_requests()
        while len(self.children) < self.config.job_slots and not self.stopping.is_set():
            job = self.queue.claim_next()
            if job is None:
                break
            try:
                self._launch(job)
            finally:
                self.recover()  # a claim that did not become a process goes back to the queue

    def _launch(self, job: JobRecord) -> None:
        self.store.set_status(job.run_id, "starting")
        path = job_log_path(self.config.home, job.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            process = self.launcher.launch(
                job, self.config.home, self.store.url, self.config.cpus_per_job, path
            )
        except DaemonError as error:
            log.error("job %s: not started, back to the queue: %s", job.id, error)
            self.queue.transition(job.id, ("running",), state="queued")
            return
        self.children[job.id] = _Child(process)
        self.queue.transition(job.id, ("running",), pid=process.pid)
        log.info("job %s: started (pid %d)", job.id, process.pid)

    def _carry_out_requests(self) -> None:
        for job in self.queue.list_jobs(("running",)):
            child = self.children.get(job.id)
            if job.request and child is not None and child.stop_sent is None:
                log.info("job %s: %s requested", job.id, job.request)
                self._send_stop(child)
        for child in self.children.values():
            overdue = (
                child.stop_sent and time.monotonic() - child.stop_sent > self.config.drain_seconds
            )
            if overdue and child.process.poll() is None:
                child.process.kill()

    @staticmethod
    def _send_stop(child: _Child) -> None:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
        child.stop_sent = child.stop_sent or time.monotonic()

    def _reap(self, blameless: bool) -> None:
        for job_id, child in list(self.children.items()):
            code = child.process.poll()
            if code is None:
                continue
            del self.children[job_id]
            self._settle(self.queue.get(job_id), code, blameless)

    def _settle(self, job: JobRecord, code: int | None, blameless: bool) -> None:
        """Decide a job's next state from its run's status after its process ended.

        `blameless`: the process ended because of the daemon (a drain, a daemon crash), so
        an unfinished run goes back to the queue without counting an attempt.
        """
        run = self.store.get_run(job.run_id)
        requested = {"cancel": "cancelled", "pause": "paused"}.get(job.request or "")
        changes: dict[str, object] = {"pid": None, "request": None}
        if run.status in ("finished", "failed"):
            changes.update(state=run.status, message=run.message)
        elif run.status == "stopped" or requested or blameless:
            changes.update(state=requested or "queued")
        elif job.attempts + 1 >= self.config.max_attempts:
            changes.update(
                state="failed",
                attempts=job.attempts + 1,
                message=f"the job process died {job.attempts + 1} times (last exit code {code}); "
                f"see `discover logs {job.id}`",
            )
        else:
            changes.update(state="queued", attempts=job.attempts + 1)
        self.queue.transition(job.id, ("running",), **changes)
        log.info(
            "job %s: process ended (exit code %s), run %s -> job %s",
            job.id,
            code,
            run.status,
            changes["state"],
        )
