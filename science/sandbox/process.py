"""Plumbing of a confined child process, shared by the zygote and isolated candidate calls.

Closing inherited descriptors, redirecting output to a file, reading a child's answer until
its exit or a deadline, killing its process group, and saying why it died.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from pathlib import Path

from science.evaluation import Limits
from science.sandbox.isolation import cpu_seconds

OUTPUT_TAIL_CHARS = 1500


def close_fds_except(keep: tuple[int, ...]) -> None:
    """Close every descriptor above stderr except `keep` (inherited pipes must not leak).

    `os.closerange` uses the close_range system call, which needs no view of /proc.
    """
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def redirect_stdio(output: Path) -> None:
    """stdin from /dev/null; stdout and stderr appended to `output`."""
    with contextlib.suppress(ValueError, OSError):
        sys.stdout.flush()
        sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    handle = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    os.close(handle)


def output_tail(path: Path) -> str:
    """The end of what a process printed, for error messages."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - OUTPUT_TAIL_CHARS))
            return handle.read().decode(errors="replace").strip()
    except OSError:
        return ""


def _drain(fd: int) -> bytes:
    """Whatever is in the pipe now, without waiting for EOF."""
    os.set_blocking(fd, False)
    chunks = []
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    return b"".join(chunks)


def read_result(fd: int, pid: int, deadline: float, max_bytes: int) -> tuple[bytes, bool]:
    """The candidate's JSON until EOF, its exit, or the deadline; returns (data, timed_out).

    EOF alone is not enough: processes the candidate forked may hold the pipe open. A result
    past `max_bytes` is cut there (and then fails to parse).
    """
    data = bytearray()
    pidfd = os.pidfd_open(pid)
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            ready = select.select([fd, pidfd], [], [], remaining)[0]
            if fd in ready:
                chunk = os.read(fd, 1 << 16)
                data += chunk
                if not chunk or len(data) > max_bytes:
                    return bytes(data), False
            elif pidfd in ready:  # it exited: all it wrote is in the pipe
                return bytes(data) + _drain(fd), False
        return bytes(data), True
    finally:
        os.close(pidfd)


def kill_group(pid: int) -> None:
    """Kill the process group led by `pid` (everything it forked that kept the group)."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def describe_exit(status: int, limits: Limits) -> str:
    """Why a process ended without a verdict, from its wait status."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return f"CPU time limit exceeded ({cpu_seconds(limits)} s)"
        if sig == signal.SIGKILL:
            return f"killed by SIGKILL (memory limit {limits.memory_mb} MB, or the system)"
        return f"killed by signal {signal.Signals(sig).name}"
    return f"exited with code {os.WEXITSTATUS(status)} before returning a result"
