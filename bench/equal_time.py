"""What the equal-wall-time comparisons (`bench/math_tasks.py`, `bench/suite.py`,
`bench/refine_methods.py`) share: the better of two reached values, one run of the platform
itself, and plain multi-start local optimization until a deadline."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from discovery.runner import run_task
from discovery.spec import TaskSpec
from memory import Store
from memory.store import sqlite_url
from science.call import load_evaluator
from science.refine import Refinement, refine


def better(spec: TaskSpec, a: float | None, b: float | None) -> float | None:
    """The better of two values in the task's direction (None: nothing valid reached)."""
    if a is None or b is None:
        return b if a is None else a
    return max(a, b) if spec.objective.direction == "maximize" else min(a, b)


def run_engine(spec: TaskSpec, seconds: float, seed: int) -> dict[str, Any]:
    """The platform itself, exactly as `discover run --seconds` runs it, in a fresh store:
    best value, verified evaluations, the refinements' inner calls and the wall time."""
    with tempfile.TemporaryDirectory() as home:
        store = Store(sqlite_url(Path(home) / "bench.db"))
        start = time.monotonic()
        result = run_task(
            spec, store, Path(home) / "results", seconds=seconds, evaluations=10**9, seed=seed
        )
        wall = time.monotonic() - start
        inner = sum(record.inner_calls for record in store.history(result.run_id))
        store.close()
    best = result.best_metrics[spec.objective.metric] if result.best_metrics else None
    return {"best": best, "evaluations": result.evaluations, "inner_calls": inner, "seconds": wall}


def multistart_until(
    spec: TaskSpec, method: str, deadline: float, rng: np.random.Generator
) -> tuple[float | None, int, int]:
    """Uniform random starts in the task's box, each locally optimized by `method`
    (`science.refine`, no call limit) until `deadline` (time.time()): the best value, the
    evaluator calls and the starts made."""
    evaluate = load_evaluator(spec.evaluation_setup().evaluator)
    space, best, calls, starts = spec.vector, None, 0, 0
    while (left := deadline - time.time()) > 0.05:
        start = rng.uniform(space.low, space.high, space.size).tolist()
        objective = spec.objective
        settings = Refinement(
            objective.metric, objective.direction, space.low, space.high, 10**9, left, method
        )
        found, _, _ = refine(evaluate, start, spec.params, settings)
        calls, starts = calls + found.calls, starts + 1
        if found.best_x is not None:
            best = better(spec, best, found.sign * found.best_fitness)
    return best, calls, starts
