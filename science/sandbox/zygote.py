"""The zygote: a confined process that imports one evaluator once and forks per candidate.

Importing an evaluator (scipy, rdkit, torch...) can cost far more than evaluating one
candidate, so a worker forks one zygote per evaluator (and limits): the zygote joins its pids
cgroup, confines itself (`science.sandbox.isolation.confine_sandbox`), imports the evaluator, and
then, for each job, forks a candidate process that narrows its confinement to a fresh
temporary folder of its own (`confine_candidate`), calls the evaluator and writes the verdict
as JSON to a pipe. The zygote enforces the wall-clock timeout by killing the candidate's
process group, explains how a candidate died, and answers the worker with JSON only: once
the evaluator's module has run in it, the zygote is no longer trusted.

Messages: the worker sends pickled `Job`s; the zygote answers one JSON frame when ready
(`{"protections": {...}, "error": "..."}`) and one verdict dict per job.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from science.call import call_evaluator, format_exception, load_evaluator
from science.evaluation import CascadeStage, EvaluatorRef, Job, Limits
from science.sandbox.candidate import SandboxContext, enter_sandbox, isolated_calls
from science.sandbox.cgroup import PidsCgroup
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
from science.sandbox.protocol import read_frame, write_frame
from science.sandbox.read_view import sandbox_read_view
from science.verdict import Verdict

MAX_RESULT_BYTES = 16 * 1024 * 1024
# (the main evaluator, the cascade stages' evaluators or None to load them per candidate)
Evaluators = tuple[Callable[..., Any], tuple[Callable[..., Any], ...] | None]
OUTPUT_FILENAME = "output.txt"
ZYGOTE_OUTPUT_FILENAME = "zygote-output.txt"
FAILURE_EXIT_CODE = 70


def _run_candidate(
    job: Job,
    functions: Evaluators,
    workdir: Path,
    result_fd: int,
    reads: ReadView | None,
    deadline: float,
) -> NoReturn:
    """Body of a candidate's process: confine, evaluate, write the JSON verdict; never returns."""
    code = 0
    me = os.getpid()
    try:
        os.setsid()
        close_fds_except((result_fd,))
        os.chdir(workdir)
        redirect_stdio(workdir / OUTPUT_FILENAME)
        confine_candidate(workdir, job.limits, reads)
        enter_sandbox(SandboxContext(workdir, job.limits, reads, deadline))
        verdict = call_evaluator(job, workdir, *functions)
        verdict.isolated_calls = isolated_calls()
        if os.getpid() == me:  # a forked copy returning from evaluate() must stay silent
            with os.fdopen(result_fd, "wb") as pipe:
                pipe.write(json.dumps(verdict.to_dict(), default=str).encode())
    except BaseException:  # noqa: BLE001 - nothing may escape the candidate's process
        code = FAILURE_EXIT_CODE
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _verdict(data: bytes, timed_out: bool, status: int, workdir: Path, job: Job) -> Verdict:
    """Turn what the candidate left (JSON, exit status, output) into a verdict."""
    limits = job.limits
    output = workdir / OUTPUT_FILENAME
    tail = output_tail(output)
    with contextlib.suppress(OSError):
        if output.stat().st_size >= limits.output_mb * 1024 * 1024:
            return Verdict.failure(
                f"output limit exceeded: printed more than {limits.output_mb} MB\n"
                f"output (end):\n{tail[-300:]}"
            )
    if timed_out:
        return Verdict.failure(f"timed out after {limits.timeout_seconds:g} s")
    if not data:
        reason = describe_exit(status, limits)
        return Verdict.failure(reason + (f"\noutput:\n{tail}" if tail else ""))
    try:
        verdict = Verdict.from_untrusted(json.loads(data))
    except (ValueError, TypeError, RecursionError) as error:
        return Verdict.failure(f"unreadable result from the sandbox: {error}")
    if verdict.error and tail:
        verdict.error += f"\noutput:\n{tail}"
    return verdict


def evaluate_candidate(
    job: Job,
    functions: Evaluators,
    scratch: Path,
    number: int,
    reads: ReadView | None = None,
) -> Verdict:
    """Fork a confined process for `job` in a fresh folder, wait at most its timeout."""
    start = time.monotonic()
    workdir = scratch / f"candidate-{number}"
    workdir.mkdir(mode=0o700)
    read_fd, write_fd = os.pipe()
    with contextlib.suppress(ValueError, OSError):
        sys.stdout.flush()
        sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _run_candidate(job, functions, workdir, write_fd, reads, start + job.limits.timeout_seconds)
    os.close(write_fd)
    try:
        deadline = start + job.limits.timeout_seconds
        data, timed_out = read_result(read_fd, pid, deadline, MAX_RESULT_BYTES)
    finally:
        os.close(read_fd)
    kill_group(pid)
    _, status = os.waitpid(pid, 0)
    kill_group(pid)  # leftovers that kept the group
    verdict = _verdict(data, timed_out, status, workdir, job)
    verdict.seconds = time.monotonic() - start
    shutil.rmtree(workdir, ignore_errors=True)
    return verdict


def _load_stages(cascade: tuple[CascadeStage, ...]) -> tuple[Callable[..., Any], ...] | None:
    """The cascade's evaluators, imported once; None if one fails (each candidate then loads
    them itself, and its verdict says why the import failed)."""
    try:
        return tuple(load_evaluator(stage.evaluator) for stage in cascade)
    except BaseException:  # noqa: BLE001 - reported per candidate by call_evaluator
        return None


def _load(ref: EvaluatorRef, scratch: Path) -> tuple[Callable[..., Any] | None, str]:
    """The evaluator function, or None and the reason it cannot be loaded."""
    try:
        return load_evaluator(ref), ""
    except BaseException as error:  # noqa: BLE001 - an evaluator's import may raise anything
        with contextlib.suppress(ValueError, OSError):
            sys.stdout.flush()
            sys.stderr.flush()
        tail = output_tail(scratch / ZYGOTE_OUTPUT_FILENAME)
        reason = f"cannot load evaluator {ref}: {format_exception(error)}"
        return None, reason + (f"\noutput:\n{tail}" if tail else "")


def serve(
    ref: EvaluatorRef,
    limits: Limits,
    scratch: Path,
    cgroup: PidsCgroup | None,
    pipes: tuple[int, int],
    cascade: tuple[CascadeStage, ...] = (),
) -> NoReturn:
    """Body of a zygote forked by the worker: confine, import, then serve jobs until EOF.

    `pipes` is (jobs read end, replies write end). Never returns.
    """
    jobs_fd, replies_fd = pipes
    code = 0
    try:
        os.setsid()
        close_fds_except(pipes)
        os.chdir(scratch)
        redirect_stdio(scratch / ZYGOTE_OUTPUT_FILENAME)
        if cgroup is not None:
            cgroup.join()
        stage_folders = [Path(s.evaluator.target).parent for s in cascade if s.evaluator.is_file]
        reads = sandbox_read_view(ref, stage_folders)
        protections = confine_sandbox(scratch, limits, reads)
        function, error = _load(ref, scratch)
        stages = _load_stages(cascade)
        write_frame(replies_fd, json.dumps({"protections": protections, "error": error}).encode())
        number = 0
        while (frame := read_frame(jobs_fd)) is not None:
            job: Job = pickle.loads(frame)
            number += 1
            if function is None:
                verdict = Verdict.failure(error)
            else:
                verdict = evaluate_candidate(job, (function, stages), scratch, number, reads)
            write_frame(replies_fd, json.dumps(verdict.to_dict(), default=str).encode())
    except BaseException:  # noqa: BLE001 - a zygote ends with an exit code, never a traceback
        code = FAILURE_EXIT_CODE
    finally:
        os._exit(code)
