"""Find and kill what a dead daemon's job left running: workers, zygotes, candidates.

A SIGKILLed daemon takes its launcher and job processes with it (PR_SET_PDEATHSIG), but not
what a job process started in sessions of their own: sandbox workers, their zygotes and the
candidates those fork. Left alone they run on (a candidate for its whole timeout, or for
ever if it escaped) beside the second copy of the job the restarted daemon starts.

Every process of a job inherits ``DISCOVERY_JOB=JOB/RUN`` (`discovery.launcher.job_marker`),
visible in ``/proc/PID/environ``. `kill_job_leftovers` SIGKILLs each marked process and its
process group (it may have forked members that dropped their environment), in rounds until
none is left, then asks `science.sandbox.scratch.remove_leftovers` to empty and remove the pids
cgroups and scratch folders of each sandbox worker it found; the cgroup reaches candidates
that both left their group (``setsid``) and cleared their environment. Linux only; elsewhere
it finds nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from science.sandbox.scratch import remove_leftovers

log = logging.getLogger(__name__)

PROC = Path("/proc")
WORKER_MODULE = b"science.sandbox.worker"
KILL_ROUNDS = 50
ROUND_PAUSE_SECONDS = 0.02


@dataclass(frozen=True)
class MarkedProcess:
    """A live process carrying a job's marker: its pid, process group and whether a worker."""

    pid: int
    group: int
    is_worker: bool


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # gone, or not ours to read
        return b""


def _group_and_state(pid: int) -> tuple[int, str] | None:
    """(process group, state letter) from /proc/PID/stat, None if gone."""
    stat = _read(PROC / str(pid) / "stat")
    if not stat:
        return None
    fields = stat.rsplit(b")", 1)[1].split()
    return int(fields[2]), fields[0].decode()


def marked_processes(marker_variable: str, marker: str) -> list[MarkedProcess]:
    """Live processes (not zombies) whose environment holds ``marker_variable=marker``."""
    wanted = f"{marker_variable}={marker}".encode()
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        if wanted not in _read(entry / "environ").split(b"\0"):
            continue
        status = _group_and_state(int(entry.name))
        if status is None or status[1] == "Z":
            continue
        command = _read(entry / "cmdline").split(b"\0")
        found.append(MarkedProcess(int(entry.name), status[0], WORKER_MODULE in command))
    return found


def _kill(process: MarkedProcess) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(process.pid, signal.SIGKILL)
    if process.group == process.pid and process.group != os.getpgrp():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.group, signal.SIGKILL)


def kill_job_leftovers(marker_variable: str, marker: str) -> list[int]:
    """SIGKILL every process of a job's run (see the module doc); the pids killed."""
    killed: set[int] = set()
    workers: set[int] = set()
    for _ in range(KILL_ROUNDS):
        alive = marked_processes(marker_variable, marker)
        if not alive:
            break
        for process in alive:
            _kill(process)
            killed.add(process.pid)
            if process.is_worker:
                workers.add(process.pid)
        time.sleep(ROUND_PAUSE_SECONDS)
    else:
        log.warning("processes marked %s survive %d kill rounds", marker, KILL_ROUNDS)
    for worker in workers:
        remove_leftovers(worker)  # its zygotes' cgroups (escaped candidates too) and folders
    if killed:
        log.warning("killed %d leftover processes of %s: %s", len(killed), marker, sorted(killed))
    return sorted(killed)
