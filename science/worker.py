"""A sandbox worker process: receives jobs on stdin, forks one jailed child per job.

The worker is a warm "zygote": it imports numpy once, then forks for each evaluation, so
that a trivial verifier costs a fork, not an interpreter start-up. The child enters its own
session and temporary folder, applies the resource limits and the isolation of
`science.isolation`, calls the evaluator and writes the verdict as JSON to a pipe. The worker
enforces the wall-clock timeout by killing the child's whole process group.

Run as ``python -m science.worker``; spoken to by `science.pool.SandboxPool` with
length-prefixed pickles (the worker is our code; only JSON comes back from the child).
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy  # noqa: F401 - preloaded so that forked children start warm

from science.call import call_evaluator
from science.evaluation import Job, Limits, Verdict
from science.isolation import isolate
from science.protocol import read_message, write_message

MAX_RESULT_BYTES = 16 * 1024 * 1024
OUTPUT_TAIL_CHARS = 1500


def apply_limits(limits: Limits) -> None:
    """Set the POSIX resource limits of the current (child) process."""
    if limits.memory_mb:
        size = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    if limits.cpu_seconds:
        seconds = max(1, int(limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    output = limits.output_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the cap fail instead of killing


def run_child(job: Job, workdir: Path, result_fd: int) -> None:
    """Body of the forked child; never returns."""
    code = 0
    try:
        os.setsid()
        os.chdir(workdir)
        output = os.open(workdir / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(output, 1)
        os.dup2(output, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        apply_limits(job.limits)
        isolate(workdir, job.limits)
        verdict = call_evaluator(job, workdir)
        payload = json.dumps(verdict.to_dict(), default=str).encode()
        with os.fdopen(result_fd, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - nothing may escape the child
        code = 70
    finally:
        os._exit(code)


def read_result(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Read the child's JSON until EOF or the deadline; returns (data, timed_out)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"".join(chunks), True
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks), False
        size += len(chunk)
        if size <= MAX_RESULT_BYTES:
            chunks.append(chunk)


def kill_group(pid: int) -> None:
    """Kill the child's process group (everything it forked that kept the group)."""
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except ProcessLookupError:
            pass


def output_tail(workdir: Path) -> str:
    """The end of what the child printed, for error messages."""
    try:
        with open(workdir / "output.txt", "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - OUTPUT_TAIL_CHARS))
            return handle.read().decode(errors="replace").strip()
    except OSError:
        return ""


def describe_exit(status: int, limits: Limits) -> str:
    """Why a child ended without a verdict."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return f"CPU time limit exceeded ({limits.cpu_seconds} s)"
        if sig == signal.SIGKILL:
            return f"killed by SIGKILL (memory limit {limits.memory_mb} MB, or the system)"
        return f"killed by signal {signal.Signals(sig).name}"
    return f"exited with code {os.WEXITSTATUS(status)} before returning a result"


def evaluate_job(job: Job) -> Verdict:
    """Fork a jailed child for `job`, wait at most its timeout, and return the verdict."""
    start = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="discovery-eval-"))
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        run_child(job, workdir, write_fd)
    os.close(write_fd)
    try:
        data, timed_out = read_result(read_fd, start + job.limits.timeout_seconds)
    finally:
        os.close(read_fd)
    if timed_out:
        kill_group(pid)
    _, status = os.waitpid(pid, 0)
    kill_group(pid)  # leftovers that kept the group
    seconds = time.monotonic() - start
    tail = output_tail(workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    if timed_out:
        return Verdict.failure(f"timed out after {job.limits.timeout_seconds:g} s", seconds)
    if not data:
        reason = describe_exit(status, job.limits)
        return Verdict.failure(reason + (f"\noutput:\n{tail}" if tail else ""), seconds)
    try:
        verdict = Verdict.from_dict(json.loads(data))
    except (ValueError, TypeError) as error:
        return Verdict.failure(f"unreadable result from the sandbox: {error}", seconds)
    verdict.seconds = seconds
    if verdict.error and tail:
        verdict.error += f"\noutput:\n{tail}"
    return verdict


def main() -> None:
    """Serve jobs from stdin until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but protocol on the real stdout
    while (job := read_message(stdin)) is not None:
        write_message(stdout, evaluate_job(job))


if __name__ == "__main__":
    main()
