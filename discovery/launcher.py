"""A warm launcher of job processes: import the engine once, fork one process per job.

A fresh interpreter per job spends seconds importing the engine (scipy, matplotlib, ...)
before it evaluates anything. The daemon starts one launcher
(``python -m discovery.launcher --parent PID``) that imports those modules once and then
forks a job process per request, as `science.sandbox.worker` forks per evaluation. It is single
threaded and opens no database before forking, so a child inherits no lock and no
connection.

The two speak JSON lines. The daemon writes ``{"job", "home", "db", "workers", "log",
"marker"}`` to the launcher's stdin; the launcher answers ``{"started": JOB, "pid": PID}``, and
``{"ended": JOB, "pid": PID, "code": CODE}`` when that process exits (CODE is negative for
a signal). Each job process writes its output to its log file, runs
`discovery.job_process.serve_job` and exits. No secret travels on a command line (any local
process can read /proc/PID/cmdline): the store URL crosses the launcher's stdin, and the
launcher's environment lacks the daemon's token and store URL variables (`SECRET_VARIABLES`).
Each job process marks its environment with ``DISCOVERY_JOB=JOB/RUN`` (`JOB_MARKER_ENV`),
which its sandbox workers, zygotes and candidates inherit, so that a daemon restarting
after a crash finds what a dead job left (`discovery.orphans`). Death chain: the launcher
dies with the daemon and each job process with the launcher (PR_SET_PDEATHSIG), so
killing the daemon leaves no writer behind. `Launcher` and `LaunchedJob` are the daemon's side: a job looks
like a `subprocess.Popen` (pid, poll, send_signal, kill, wait).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from discovery.errors import DaemonError
from discovery.job_process import die_with_parent

if TYPE_CHECKING:  # the launcher arms its death signal before importing the store
    from memory.jobs import JobRecord

log = logging.getLogger(__name__)

TOKEN_ENV = "DISCOVERY_TOKEN"
DB_ENV = "DISCOVERY_DB"
SECRET_VARIABLES = (TOKEN_ENV, DB_ENV)  # the daemon's; job processes never need them
JOB_MARKER_ENV = "DISCOVERY_JOB"
REAP_SECONDS = 0.1
LAUNCH_TIMEOUT_SECONDS = 300.0  # a cold launcher on a loaded machine takes seconds, not minutes
KILLED = -signal.SIGKILL


# the launcher process -------------------------------------------------------------------------


def _child(request: dict[str, Any], launcher_pid: int) -> None:
    """Body of a forked job process; never returns."""
    code = 1
    try:
        os.setsid()
        die_with_parent(launcher_pid)
        os.environ[JOB_MARKER_ENV] = request["marker"]
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        output = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        from discovery.job_process import serve_job

        code = serve_job(request["job"], Path(request["home"]), request["db"], request["workers"])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - a forked child must reach os._exit
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _emit(event: dict[str, Any]) -> None:
    os.write(1, (json.dumps(event) + "\n").encode())


def _reap(children: dict[int, str]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        job = children.pop(pid, None)
        if job is not None:
            _emit({"ended": job, "pid": pid, "code": os.waitstatus_to_exitcode(status)})


def warm_up() -> None:
    """Import what every job needs: the engine, the default proposers, the report's plots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    import discovery.jobs  # noqa: F401
    import discovery.runner  # noqa: F401
    from evolve.errors import UnknownProposer
    from evolve.proposers.registry import DEFAULT_KIND, proposer_class

    for kind in sorted(set(DEFAULT_KIND.values())):
        try:
            proposer_class(kind)
        except UnknownProposer as error:  # a job asking for it will fail with the message
            log.warning("launcher: proposer %s not preloaded: %s", kind, error)


def serve(parent: int) -> int:
    """The launcher's loop: fork on each request, report each exit, stop at end of input."""
    die_with_parent(parent)
    warm_up()
    children: dict[int, str] = {}
    pending = b""
    while True:
        ready, _, _ = select.select([0], [], [], REAP_SECONDS)
        _reap(children)
        if not ready:
            continue
        data = os.read(0, 65536)
        if not data:
            break
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            sys.stdout.flush()
            sys.stderr.flush()
            launcher_pid = os.getpid()
            pid = os.fork()
            if pid == 0:
                _child(request, launcher_pid)
            children[pid] = request["job"]
            _emit({"started": request["job"], "pid": pid})
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    return 0


# the daemon's side ----------------------------------------------------------------------------


def job_marker(job_id: str, run_id: str) -> str:
    """The value of `JOB_MARKER_ENV` in every process of a job's run."""
    return f"{job_id}/{run_id}"


def launcher_environment() -> dict[str, str]:
    """The daemon's environment without its secrets (`SECRET_VARIABLES`)."""
    return {name: value for name, value in os.environ.items() if name not in SECRET_VARIABLES}


class Launcher:
    """Client of a launcher process, (re)started on demand."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.ended: dict[int, int] = {}
        self.live: set[int] = set()
        self._pending = b""
        self._closed = False  # the launcher's output ended: it is gone

    def start(self) -> None:
        """Start the launcher process (it warms up while the daemon does other work)."""
        command = [sys.executable, "-m", "discovery.launcher", "--parent", str(os.getpid())]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
            env=launcher_environment(),
        )
        self._pending = b""
        self._closed = False

    def launch(
        self, job: JobRecord, home: Path, db_url: str, workers: int, log: Path
    ) -> LaunchedJob:
        """Fork a job process for `job`; raises `DaemonError` if the launcher is broken."""
        self.poll()
        if self.process is None or self._closed:
            self.close()
            self.start()
        job_id = job.id
        request = {"job": job_id, "home": str(home), "db": db_url, "workers": workers}
        request.update(log=str(log), marker=job_marker(job.id, job.run_id))
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except OSError as error:
            raise DaemonError(f"the job launcher is gone: {error}") from error
        deadline = time.monotonic() + LAUNCH_TIMEOUT_SECONDS
        while True:
            for event in self._events(timeout=max(0.0, deadline - time.monotonic())):
                if event.get("started") == job_id:
                    self.live.add(event["pid"])
                    return LaunchedJob(self, event["pid"])
            if self._closed:
                raise DaemonError(f"the job launcher exited ({self.process.wait()})")
            if time.monotonic() > deadline:
                self.process.kill()  # its job processes die with it; the next launch restarts it
                raise DaemonError(f"the job launcher did not answer in {LAUNCH_TIMEOUT_SECONDS} s")

    def poll(self) -> None:
        """Collect exits reported so far; if the launcher died, its children died too."""
        if self.process is None:
            return
        for _event in self._events(timeout=0):
            pass
        if self._closed:
            for pid in self.live:
                self.ended.setdefault(pid, KILLED)
            self.live.clear()

    def _readable(self, timeout: float | None) -> bool:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return bool(ready)

    def _events(self, timeout: float | None) -> list[dict[str, Any]]:
        events = []
        while b"\n" not in self._pending and self._readable(timeout):
            data = os.read(self.process.stdout.fileno(), 65536)
            if not data:
                self._closed = True
                break
            self._pending += data
            timeout = 0
        while b"\n" in self._pending:
            line, self._pending = self._pending.split(b"\n", 1)
            event = json.loads(line)
            if "ended" in event:
                self.ended[event["pid"]] = event["code"]
                self.live.discard(event["pid"])
            events.append(event)
        return events

    def close(self) -> None:
        """End the launcher (its input closes; any job process left is killed)."""
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


class LaunchedJob:
    """A forked job process, seen through the launcher like a `subprocess.Popen`."""

    def __init__(self, launcher: Launcher, pid: int) -> None:
        self.launcher = launcher
        self.pid = pid

    @property
    def returncode(self) -> int | None:
        """Exit code once ended (negative: killed by that signal), else None."""
        return self.launcher.ended.get(self.pid)

    def poll(self) -> int | None:
        """The exit code if the process ended, else None."""
        self.launcher.poll()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the process if it still runs."""
        if self.returncode is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL the process."""
        self.send_signal(signal.SIGKILL)

    def wait(self) -> int:
        """Block until the process ended; its exit code."""
        while self.poll() is None:
            time.sleep(REAP_SECONDS / 2)
        return self.returncode


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m discovery.launcher --parent PID``."""
    parser = argparse.ArgumentParser(prog="python -m discovery.launcher")
    parser.add_argument("--parent", type=int, required=True, help="pid of the daemon")
    return serve(parser.parse_args(argv).parent)


if __name__ == "__main__":
    sys.exit(main())
