"""Load an evaluator and call it on one candidate: the part that runs inside the sandbox."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from science.cascade import run_cascade
from science.errors import EvaluatorNotFound
from science.evaluation import EvaluatorRef, Job
from science.refine import refine_verdict
from science.render import draw_verdict
from science.verdict import Verdict

PROGRAM_FILENAME = "candidate.py"


def load_evaluator(ref: EvaluatorRef) -> Callable[..., Any]:
    """Import the evaluator's module (a file or a dotted name) and return its function."""
    if ref.is_file:
        path = Path(ref.target)
        folder = str(path.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        spec = importlib.util.spec_from_file_location(f"_evaluator_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise EvaluatorNotFound(f"cannot load evaluator file {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(ref.target)
    function = getattr(module, ref.function, None)
    if not callable(function):
        raise EvaluatorNotFound(f"evaluator {ref}: no function '{ref.function}' in {ref.target}")
    return function


def evaluator_version(ref: EvaluatorRef) -> tuple[int, int] | None:
    """(mtime, size) of a file evaluator, so an edited file is loaded again; None otherwise."""
    if not ref.is_file:
        return None
    try:
        stat = os.stat(ref.target)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def candidate_argument(job: Job, workdir: Path) -> Any:
    """What the evaluator receives: a file path for programs, the value itself otherwise."""
    if job.representation == "program":
        path = workdir / PROGRAM_FILENAME
        path.write_text(str(job.candidate))
        return str(path)
    return job.candidate


def load_stages(job: Job) -> tuple[Callable[..., Any], ...]:
    """The evaluators of the job's cascade stages, loaded."""
    return tuple(load_evaluator(stage.evaluator) for stage in job.cascade)


def call_evaluator(
    job: Job,
    workdir: Path,
    function: Callable[..., Any] | None = None,
    stages: tuple[Callable[..., Any], ...] | None = None,
) -> Verdict:
    """Evaluate `job` in the current process (its cascade first, `science.cascade`);
    exceptions become an invalid verdict. A job with `refine` set runs the local optimizer
    of `science.refine` on the evaluator instead; one with `draw` set calls the task's render
    function (`science.render`).

    `function` and `stages` are the evaluators already loaded (by a zygote); by default they
    are loaded here.
    """
    start = time.perf_counter()
    try:
        function = function or load_evaluator(job.evaluator)
        if job.refine is not None:
            return refine_verdict(function, job.candidate, job.params, job.refine)
        argument = candidate_argument(job, workdir)
        if job.draw:
            return draw_verdict(function, argument, job.params)
        if job.cascade:
            stopped = run_cascade(job, argument, stages or load_stages(job), start)
            if stopped is not None:
                return stopped
        result = function(argument, **job.params)
    except MemoryError as error:
        limit = f"the limit is {job.limits.memory_mb} MB" if job.limits.memory_mb else "no limit"
        reason = f"out of memory ({limit}): {format_exception(error)}"
        return Verdict.failure(reason, time.perf_counter() - start)
    except BaseException as error:  # noqa: BLE001 - the candidate may raise anything
        return Verdict.failure(format_exception(error), time.perf_counter() - start)
    return Verdict.from_result(result, time.perf_counter() - start)


def format_exception(error: BaseException, max_chars: int = 2000) -> str:
    """A short, readable error text: the exception and the last frames of its traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename != __file__]
    where = "".join(traceback.format_list(frames[-3:]))
    text = where + "".join(traceback.format_exception_only(type(error), error))
    return text.strip()[-max_chars:]
