"""The built-in math tasks: the engine against plain baselines, same evaluator, same wall time.

Three methods per task, each given `--seconds` of wall time, one after the other:

- `engine`: `discover run` as a user gets it: the task YAML, the offline default proposer
  (`cmaes`: CMA-ES islands + crossover + refinement, Lamarckian through the evaluator's
  polished artifacts), the sandbox pool (one worker per core), the SQLite store.
- `multistart`: random starts + SLSQP, no evolution: uniform random vectors handed to the
  same evaluator (whose SLSQP polish is the local optimizer), in one process per core.
- `tpe`: Optuna's TPE sampler (Bergstra et al., 2011) over the same box, the same evaluator
  in-process, one process (TPE is sequential).

The score is always the evaluator's own metric, so the ratio engine / baseline measures
what the evolutionary search adds on top of the task's local optimizer.

    .venv/bin/python bench/math_tasks.py --seconds 120
    .venv/bin/python bench/math_tasks.py --seconds 900 --tasks circle_packing
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # one BLAS thread: the cores are the workers

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import optuna  # noqa: E402

from bench.equal_time import better, run_engine  # noqa: E402
from discovery.spec import TaskSpec, load_task  # noqa: E402
from science.call import load_evaluator  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "math_tasks.json"
TASKS = {
    "circle_packing": ROOT / "tasks" / "circle_packing",
    "erdos_min_overlap": ROOT / "tasks" / "erdos_min_overlap",
    "autocorrelation_c1": ROOT / "tasks" / "autocorrelation_c1",
}
METHODS = ("engine", "multistart", "tpe")


def _score(spec: TaskSpec, evaluate: Callable[..., dict], x: list[float]) -> float | None:
    """The objective metric of one evaluation, None when the candidate is invalid."""
    result = evaluate(x, **spec.params)
    if result.get("valid", True) is False:
        return None
    return float(result[spec.objective.metric])


def _multistart_worker(args: tuple[str, int, int, float]) -> tuple[float | None, int]:
    task, seed, worker, deadline = args
    spec = load_task(TASKS[task])
    evaluate = load_evaluator(spec.evaluation_setup().evaluator)
    rng = np.random.default_rng([seed, worker])
    space, best, count = spec.vector, None, 0
    while time.time() < deadline:
        x = rng.uniform(space.low, space.high, space.size).tolist()
        best = better(spec, best, _score(spec, evaluate, x))
        count += 1
    return best, count


def run_multistart(task: str, spec: TaskSpec, seconds: float, seed: int) -> dict[str, Any]:
    """Random starts + the evaluator's SLSQP polish, one process per core, no evolution."""
    processes = os.cpu_count() or 1
    deadline = time.time() + seconds
    start = time.monotonic()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.map(_multistart_worker, [(task, seed, w, deadline) for w in range(processes)])
    best = None
    for value, _ in parts:
        best = better(spec, best, value)
    return {
        "best": best,
        "evaluations": sum(count for _, count in parts),
        "seconds": time.monotonic() - start,
        "processes": processes,
    }


def run_tpe(spec: TaskSpec, seconds: float, seed: int) -> dict[str, Any]:
    """Optuna TPE over the task's box, the same evaluator in-process, one process."""
    evaluate = load_evaluator(spec.evaluation_setup().evaluator)
    space = spec.vector
    worst = -np.inf if spec.objective.direction == "maximize" else np.inf

    def objective(trial: optuna.Trial) -> float:
        x = [trial.suggest_float(f"x{i}", space.low, space.high) for i in range(space.size)]
        value = _score(spec, evaluate, x)
        return worst if value is None else value

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction=spec.objective.direction, sampler=optuna.samplers.TPESampler(seed=seed)
    )
    start = time.monotonic()
    study.optimize(objective, timeout=seconds)
    return {
        "best": study.best_value,
        "evaluations": len(study.trials),
        "seconds": time.monotonic() - start,
        "processes": 1,
    }


def run_method(method: str, task: str, seconds: float, seed: int) -> dict[str, Any]:
    """One method on one task."""
    spec = load_task(TASKS[task])
    if method == "engine":
        return run_engine(spec, seconds, seed) | {"processes": os.cpu_count()}
    if method == "multistart":
        return run_multistart(task, spec, seconds, seed)
    return run_tpe(spec, seconds, seed)


def main() -> None:
    """Run the methods on the tasks, print a table, save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=900.0, help="wall time per method")
    parser.add_argument("--tasks", nargs="+", default=["circle_packing", "erdos_min_overlap"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows = []
    for task in args.tasks:
        direction = load_task(TASKS[task]).objective.direction
        for method in args.methods:
            row = {"task": task, "method": method, "direction": direction}
            row |= run_method(method, task, args.seconds, args.seed)
            rows.append(row)
            print(
                f"{task:20s} {method:10s} best {row['best']:.6f}  evaluations "
                f"{row['evaluations']:6d}  {row['seconds']:.0f} s  {row['processes']} proc",
                flush=True,
            )
    saved = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "seconds_per_method": args.seconds,
        "seed": args.seed,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
