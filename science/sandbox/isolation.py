"""Confinement of sandbox processes beyond a fork: limits, Landlock, no network, no privileges.

Two layers (see docs/sandbox.md for what is promised):

- `confine_sandbox` runs once in a fresh zygote, before the evaluator is imported: a new,
  empty network namespace (best effort), the memory rlimit, Landlock (writes only beneath the
  zygote's scratch folder, reads only within its read view (`science.sandbox.read_view`), no TCP,
  signals scoped), a seccomp filter against Unix sockets (`science.sandbox.seccomp`), then every
  capability dropped, so that even a root sandbox cannot raise its limits, leave its cgroup,
  or mount anything.
- `confine_candidate` runs in each candidate's process, forked from the zygote: CPU-time and
  output-size rlimits and a second, nested Landlock layer that narrows writes and reads of
  the scratch area to the candidate's own temporary folder (not its siblings').

Each protection the machine lacks is reported (not raised) by `confine_sandbox`, so the
worker can log one warning and carry on with what is available.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import resource
import signal
import tempfile
from pathlib import Path

from science.errors import IsolationUnavailable
from science.evaluation import Limits
from science.sandbox import landlock, seccomp
from science.sandbox.landlock import ReadView

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAPABILITY_VERSION_3 = 0x20080522
WRITABLE_DEVICES = (Path("/dev/null"),)
ON = "on"

_LIBC = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise IsolationUnavailable(f"{what} failed: {os.strerror(errno)}")


def unshare_network() -> None:
    """Move this process into a new network namespace: no interface but a downed loopback.

    Needs CAP_SYS_ADMIN (root); otherwise a user namespace is created first, which works
    where unprivileged user namespaces are enabled.
    """
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    _check(_LIBC.unshare(ctypes.c_int(flags)), "unshare(CLONE_NEWNET)")


def drop_capabilities() -> None:
    """Give up every capability for good (bounding, ambient, effective, permitted sets)."""
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last + 1):
        _LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EPERM without CAP_SETPCAP: nothing to drop
    _LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_LIBC.capset(ctypes.byref(header), data), "capset")


def _set_limit(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def _tasks_of_user(uid: int) -> int:
    """How many tasks (threads) this user runs now: RLIMIT_NPROC counts them all."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
    return count


def cpu_seconds(limits: Limits) -> int:
    """The CPU-time cap of one candidate: `cpu_seconds`, or if unset one second past the
    wall-clock timeout, so that a busy loop is reported as timed out (the wall clock), not
    by whichever of two equal limits happened to fire first."""
    if limits.cpu_seconds:
        return max(1, math.ceil(limits.cpu_seconds))
    return math.ceil(limits.timeout_seconds) + 1


def _apply_sandbox_limits(limits: Limits) -> None:
    if limits.memory_mb:
        size = limits.memory_mb * 1024 * 1024
        _set_limit(resource.RLIMIT_AS, size)
    _set_limit(resource.RLIMIT_CORE, 0)
    if os.getuid() != 0:  # RLIMIT_NPROC does not bind root: the pids cgroup does that job
        with contextlib.suppress(OSError):  # /proc unreadable: already confined, limit kept
            tasks = _tasks_of_user(os.getuid())
            _set_limit(resource.RLIMIT_NPROC, tasks + limits.max_processes)


def confine_sandbox(scratch: Path, limits: Limits, reads: ReadView | None) -> dict[str, str]:
    """Confine a fresh zygote; returns each protection's state ('on', or why it is missing).

    `reads` is what it may read besides `scratch` (None: reads are not confined)."""
    state: dict[str, str] = {}
    try:
        unshare_network()
        state["network namespace"] = ON
    except IsolationUnavailable as error:
        state["network namespace"] = str(error)
    _apply_sandbox_limits(limits)
    try:
        abi = landlock.restrict([scratch], WRITABLE_DEVICES, reads)
        state["landlock"] = ON
        if reads is None:
            state["landlock reads"] = "reads are not confined (no read view given)"
        if abi < 4:
            state["landlock tcp"] = f"Landlock ABI {abi} < 4 cannot block TCP"
    except (IsolationUnavailable, OSError) as error:
        state["landlock"] = str(error)
    try:
        seccomp.deny_unix_sockets()
        state["unix sockets denied"] = ON
    except (IsolationUnavailable, OSError) as error:
        state["unix sockets denied"] = str(error)
    try:
        drop_capabilities()
        state["capabilities dropped"] = ON
    except (IsolationUnavailable, OSError) as error:
        state["capabilities dropped"] = str(error)
    return state


def confine_candidate(workdir: Path, limits: Limits, reads: ReadView | None = None) -> None:
    """Confine one candidate's process to `workdir` with its CPU and output limits.

    With `reads` (the zygote's read view), the scratch area it may read narrows to `workdir`."""
    seconds = cpu_seconds(limits)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    output = limits.output_mb * 1024 * 1024
    _set_limit(resource.RLIMIT_FSIZE, output)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the cap fail instead of killing
    if landlock.abi_version() > 0:
        landlock.restrict([workdir], WRITABLE_DEVICES, reads)
    os.environ["TMPDIR"] = str(workdir)
    tempfile.tempdir = None  # recomputed from TMPDIR on next use
