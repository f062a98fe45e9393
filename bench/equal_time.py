"""What the equal-wall-time comparisons (`bench/math_tasks.py`, `bench/suite.py`) share:
the better of two reached values, and one run of the platform itself."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from discovery.runner import run_task
from discovery.spec import TaskSpec
from memory import Store
from memory.store import sqlite_url


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
