"""Run a function of an untrusted program in its own confined process; get back plain data.

A program candidate (often written by an LLM) must never share a process with the code that
checks it: in the same process it can patch the checker (`sys._getframe(1).f_globals`,
`gc.get_objects()`, the numpy functions the checker calls) or write a forged verdict on the
verdict channel and exit. `run_candidate` is how an evaluator calls a candidate instead:

    from science import run_candidate

    def evaluate(candidate: str, n: int = 26) -> dict:
        circles = np.asarray(run_candidate(candidate, "pack", n), dtype=float)
        ...  # check the packing here, where the candidate's code never ran

The candidate's file is copied into a fresh folder and imported in a forked child that is
confined like any sandboxed process (writes only in its own folder, the sandbox's read view,
no network, no Unix sockets, no privileges; inside a sandbox, nested in the evaluator's own
confinement), holds no descriptor but the pipe it answers on, and cannot signal or trace
its parent. Its return value crosses back as JSON and is parsed strictly: finite numbers,
strings, booleans, None, lists and string-keyed objects, at most `max_bytes`. Anything else,
an exception, a timeout or a crash raises `CandidateFailed` with the reason, which the
evaluation turns into an invalid verdict.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib.util
import json
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from science.call import format_exception
from science.errors import ScienceError
from science.evaluation import Limits
from science.sandbox.isolation import confine_candidate, confine_sandbox
from science.sandbox.landlock import ReadView
from science.sandbox.process import (
    close_fds_except,
    describe_exit,
    kill_group,
    output_tail,
    read_result,
    redirect_stdio,
)
from science.sandbox.read_view import sandbox_read_view
from science.verdict_gate import VerdictRejected, to_plain

MAX_OUTPUT_BYTES = 16 * 1024 * 1024
MAX_INTEGER = 2**63
DEFAULT_TIMEOUT_SECONDS = Limits().timeout_seconds  # outside a sandbox: an evaluation's default
DEADLINE_MARGIN_SECONDS = 0.5  # left to the evaluator to check the output
PR_SET_DUMPABLE = 4
OUTPUT_FILENAME = "candidate-output.txt"


class CandidateFailed(ScienceError):
    """The candidate raised, crashed, timed out or returned something that is not plain data."""


@dataclass(frozen=True)
class SandboxContext:
    """Where the current evaluation runs: set by the zygote in each candidate's process."""

    workdir: Path
    limits: Limits
    reads: ReadView | None
    deadline: float  # time.monotonic() at which the evaluation's timeout fires


_context: SandboxContext | None = None
_calls = 0


def enter_sandbox(context: SandboxContext) -> None:
    """Record the evaluation this process runs (the zygote calls it once per candidate)."""
    global _context, _calls
    _context, _calls = context, 0


def isolated_calls() -> int:
    """How many candidate calls this evaluation made through `run_candidate`."""
    return _calls


def _strict_number(text: str) -> float | int:
    raise CandidateFailed(f"the candidate returned {text}, not a finite number")


def _strict_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_INTEGER:
        raise CandidateFailed(f"the candidate returned an integer of {len(text)} digits")
    return value


def _strict_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise CandidateFailed(f"the candidate returned {text}, not a finite number")
    return value


def parse_output(data: bytes) -> Any:
    """The candidate's answer, parsed strictly (see the module docstring)."""
    try:
        message = json.loads(
            data,
            parse_constant=_strict_number,
            parse_int=_strict_int,
            parse_float=_strict_float,
        )
    except (ValueError, RecursionError) as error:
        raise CandidateFailed(f"unreadable answer from the candidate: {error}") from None
    if not isinstance(message, dict) or set(message) not in ({"value"}, {"error"}):
        raise CandidateFailed("unreadable answer from the candidate")
    if "error" in message:
        raise CandidateFailed(str(message["error"])[-2000:])
    return message["value"]


def _encode(function: str, value: Any) -> bytes:
    try:
        return json.dumps({"value": to_plain(value)}, allow_nan=False).encode()
    except ValueError:
        problem = "a NaN or infinite number"
    except (TypeError, RecursionError, VerdictRejected) as error:
        problem = f"something that is not plain data (numbers, strings, lists, dicts): {error}"
    return json.dumps({"error": f"{function}() returned {problem}"}).encode()


def _load_and_call(path: Path, function: str, args: tuple, kwargs: dict) -> Any:
    spec = importlib.util.spec_from_file_location("candidate_program", path)
    if spec is None or spec.loader is None:
        raise CandidateFailed(f"cannot load the candidate file {path.name}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target = getattr(module, function, None)
    if not callable(target):
        raise CandidateFailed(f"the program defines no function {function}()")
    return target(*args, **kwargs)


def _child(
    path: Path, function: str, call: tuple[tuple, dict], workdir: Path, pipe: int, limits: Limits
) -> NoReturn:
    """Body of the candidate's process: confine, import, call, answer; never returns."""
    code, me = 0, os.getpid()
    try:
        os.setsid()
        close_fds_except((pipe,))
        os.chdir(workdir)
        redirect_stdio(workdir / OUTPUT_FILENAME)
        if _context is None:  # not yet confined at all: the sandbox's layers first
            confine_sandbox(workdir, limits, _view_outside_a_sandbox())
        confine_candidate(workdir, limits, _context.reads if _context else None)
        try:
            answer = _encode(function, _load_and_call(path, function, *call))
        except CandidateFailed as error:
            answer = json.dumps({"error": str(error)}).encode()
        except BaseException as error:  # noqa: BLE001 - the candidate may raise anything
            answer = json.dumps({"error": f"the candidate raised {format_exception(error)}"})
            answer = answer.encode()
        if os.getpid() == me:  # a forked copy returning from the call must stay silent
            with os.fdopen(pipe, "wb") as handle:
                handle.write(answer)
    except BaseException:  # noqa: BLE001 - nothing may escape the candidate's process
        code = 70
    finally:
        os._exit(code)


@functools.cache
def _view_outside_a_sandbox() -> ReadView:
    """The read view of a call made outside any sandbox (computed once, before forking)."""
    return sandbox_read_view(None)


def _timeout(requested: float | None) -> float:
    if requested is not None:
        return requested
    if _context is None:
        return DEFAULT_TIMEOUT_SECONDS
    return max(0.1, _context.deadline - time.monotonic() - DEADLINE_MARGIN_SECONDS)


def _scratch() -> Path:
    parent = _context.workdir if _context else None
    return Path(tempfile.mkdtemp(prefix="isolated-", dir=parent))


def run_candidate(
    program: str | os.PathLike[str],
    function: str,
    *args: Any,
    timeout: float | None = None,
    max_bytes: int = MAX_OUTPUT_BYTES,
    **kwargs: Any,
) -> Any:
    """Call `function(*args, **kwargs)` of the program file `program` in its own confined
    process and return its value as plain data; raises `CandidateFailed` with the reason.

    `timeout` defaults to what is left of the evaluation's own timeout (60 s outside a
    sandbox). Arguments must be plain data too (they are copied into the child by fork).
    """
    global _calls
    _calls += 1
    limits = _context.limits if _context else Limits()
    seconds = _timeout(timeout)
    if _context is None:
        _view_outside_a_sandbox()  # in the parent, so that every child inherits it
    workdir = _scratch()
    try:
        path = workdir / "program.py"
        shutil.copyfile(program, path)
        return _run(path, function, (args, kwargs), workdir, limits, seconds, max_bytes)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(
    path: Path,
    function: str,
    call: tuple[tuple, dict],
    workdir: Path,
    limits: Limits,
    seconds: float,
    max_bytes: int,
) -> Any:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # no /proc/<pid>/mem of the checker for anyone
    read_fd, write_fd = os.pipe()
    with contextlib.suppress(ValueError, OSError):
        sys.stdout.flush()
        sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(path, function, call, workdir, write_fd, limits)
    os.close(write_fd)
    try:
        data, timed_out = read_result(read_fd, pid, time.monotonic() + seconds, max_bytes)
    finally:
        os.close(read_fd)
    kill_group(pid)
    _, status = os.waitpid(pid, 0)
    kill_group(pid)
    tail = output_tail(workdir / OUTPUT_FILENAME)
    printed = f"\noutput (end):\n{tail}" if tail else ""
    if timed_out:
        raise CandidateFailed(f"the candidate's {function}() timed out after {seconds:.3g} s")
    if len(data) > max_bytes:
        raise CandidateFailed(f"the candidate's answer is larger than {max_bytes} bytes")
    if not data:
        raise CandidateFailed(f"the candidate's process {describe_exit(status, limits)}{printed}")
    return parse_output(data)
