"""A pids cgroup per sandbox: caps how many tasks it may run, and finds every one to kill.

RLIMIT_NPROC does not bind root (and counts every process of the user, not of the sandbox),
so a fork bomb is stopped by the kernel's pids controller instead: the worker creates one
cgroup per sandbox with `pids.max`, the sandbox joins it before it confines itself, and
every process it ever forks stays inside (leaving needs write access to the cgroup files,
which Landlock denies). Killing "everything in the cgroup but the zygote" then also reaches
processes that left the candidate's process group with `setsid`.

Both hierarchies are supported: cgroup v1 (a `pids` mount, as under /sys/fs/cgroup/pids) and
cgroup v2 (the unified /sys/fs/cgroup with the pids controller delegated to our cgroup).
Best effort: where neither is writable, `PidsCgroup.create` returns None and the caller
falls back to process groups and rlimits. Note that the pids controller counts threads too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from pathlib import Path

log = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT_NAME = "discovery-sandbox"
KILL_ROUNDS = 200
REMOVE_ATTEMPTS = 50


def _own_path(controller: str) -> str:
    """This process's cgroup path in the hierarchy of `controller` ('' for cgroup v2)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controllers.split(",") == [controller] or (controller == "" and controllers == ""):
            return path.lstrip("/")
    raise FileNotFoundError(f"no '{controller or 'unified'}' line in /proc/self/cgroup")


def _parent_folder() -> Path | None:
    """The folder under which sandbox cgroups are made, or None where none is writable."""
    v1 = CGROUP_ROOT / "pids"
    candidates = []
    if (v1 / "cgroup.procs").exists():
        with contextlib.suppress(OSError, FileNotFoundError):
            candidates.append(v1 / _own_path("pids"))
    elif (CGROUP_ROOT / "cgroup.controllers").exists():
        with contextlib.suppress(OSError, FileNotFoundError):
            candidates.append(CGROUP_ROOT / _own_path(""))
    for base in candidates:
        try:
            parent = base / PARENT_NAME
            parent.mkdir(exist_ok=True)
            control = parent / "cgroup.subtree_control"  # v2 only: delegate pids below
            if control.exists() and "pids" not in control.read_text().split():
                control.write_text("+pids")
            return parent
        except OSError as error:
            log.debug("no pids cgroup under %s: %s", base, error)
    return None


class PidsCgroup:
    """One sandbox's cgroup: its folder, its task cap, and how to empty and remove it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def create(cls, name: str, max_tasks: int) -> PidsCgroup | None:
        """A fresh cgroup `name` allowing at most `max_tasks` tasks; None where unsupported."""
        parent = _parent_folder()
        if parent is None:
            return None
        folder = parent / name
        try:
            folder.mkdir(exist_ok=True)
            (folder / "pids.max").write_text(str(max_tasks))
        except OSError as error:
            log.debug("cannot make pids cgroup %s: %s", folder, error)
            with contextlib.suppress(OSError):
                folder.rmdir()
            return None
        return cls(folder)

    @classmethod
    def existing(cls, name: str) -> list[PidsCgroup]:
        """The cgroups whose names start with `name` (a dead worker's leftovers)."""
        parent = _parent_folder()
        if parent is None:
            return []
        return [cls(folder) for folder in parent.glob(f"{name}*") if folder.is_dir()]

    def join(self) -> None:
        """Move the calling process (and so all it will fork) into this cgroup."""
        (self.folder / "cgroup.procs").write_text(str(os.getpid()))

    def pids(self) -> list[int]:
        """The processes now inside."""
        try:
            text = (self.folder / "cgroup.procs").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def kill(self, keep: int | None = None) -> None:
        """SIGKILL every process inside but `keep`, until none is left (forks race the kill)."""
        for _ in range(KILL_ROUNDS):
            victims = [pid for pid in self.pids() if pid != keep]
            if not victims:
                return
            for pid in victims:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.001)
        log.warning("processes survive in %s after %d kill rounds", self.folder, KILL_ROUNDS)

    def remove(self) -> None:
        """Kill everything inside and delete the cgroup (waits briefly for exits)."""
        self.kill()
        for _ in range(REMOVE_ATTEMPTS):
            try:
                self.folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)
        log.warning("cannot remove cgroup %s (still busy)", self.folder)


def is_available() -> bool:
    """Whether sandbox pids cgroups can be made on this machine (by this user)."""
    return _parent_folder() is not None
