"""The untuned suite (`tasks/suite/`): the loop with defaults against plain baselines, at
equal wall time on the same cores, one method after the other.

- `loop`: `discover run` as a user gets it: the task YAML, every default (the `cmaes`
  proposer: CMA-ES, crossover, local steps, in-sandbox refinement of good members and of
  random starts, shared by yield), the sandbox pool (one worker per core), a SQLite store.
  `evaluations` counts verified candidates; `inner_calls` the refinements' calls.
- `multistart`: plain multi-start local optimization: uniform random starts, each
  optimized by scipy (L-BFGS-B on finite differences for a score-only evaluator, SLSQP on
  the epigraph form when the task returns `terms`; `science.refine` with no call limit),
  the evaluator called in-process, one process per core, until the deadline.
- `cmaes`, `tpe`: Optuna's CMA-ES and TPE samplers over the task's box, the evaluator
  in-process, one independent study per core (different seeds), the best of them.

Each row is written to the JSON file as soon as it is measured, and a rerun skips the rows
already there (same seconds, seed), so the script can be stopped and resumed.

    .venv/bin/python bench/suite.py --seconds 300              # the acceptance budget
    nice -n 10 .venv/bin/python bench/suite.py --seconds 20    # what fits a shared session
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # one BLAS thread: the cores are the workers

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import optuna  # noqa: E402

from bench.equal_time import better, multistart_until, run_engine  # noqa: E402
from discovery.spec import TaskSpec, load_task  # noqa: E402
from science.call import load_evaluator  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tasks" / "suite"
RESULTS = ROOT / "bench" / "results" / "suite.json"
METHODS = ("loop", "multistart", "cmaes", "tpe")
SCORE_ONLY_METHODS = ("cmaes", "tpe")  # they never read `terms`: run on score-only tasks
# Plain scipy: SLSQP on the epigraph form when the task returns `terms`, else L-BFGS-B
# (without the engine's evolution strategy after it: the baseline stays textbook).
MULTISTART_METHOD = "slsqp"


def suite_tasks() -> dict[str, Path]:
    """Every task YAML of the suite by task name."""
    return {load_task(path).name: path for path in sorted(SUITE.glob("*/*.yaml"))}


def _multistart_worker(args: tuple[str, int, int, float]) -> tuple[float | None, int]:
    path, seed, worker, deadline = args
    rng = np.random.default_rng([seed, worker])
    best, calls, _ = multistart_until(load_task(Path(path)), MULTISTART_METHOD, deadline, rng)
    return best, calls


def _optuna_worker(args: tuple[str, str, int, int, float]) -> tuple[float | None, int]:
    path, sampler_name, seed, worker, seconds = args
    spec = load_task(Path(path))
    evaluate = load_evaluator(spec.evaluation_setup().evaluator)
    space = spec.vector
    worst = -1e300 if spec.objective.direction == "maximize" else 1e300
    valid: list[float] = []

    def objective(trial: optuna.Trial) -> float:
        x = [trial.suggest_float(f"x{i}", space.low, space.high) for i in range(space.size)]
        result = evaluate(x, **spec.params)
        if result.get("valid", True) is False:
            return worst
        valid.append(float(result[spec.objective.metric]))
        return valid[-1]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    samplers = {"cmaes": optuna.samplers.CmaEsSampler, "tpe": optuna.samplers.TPESampler}
    study = optuna.create_study(
        direction=spec.objective.direction,
        sampler=samplers[sampler_name](seed=seed * 1000 + worker),
    )
    study.optimize(objective, timeout=seconds)
    best = None
    for value in valid:
        best = better(spec, best, value)
    return best, len(study.trials)


def _in_processes(spec: TaskSpec, worker: Any, jobs: list[tuple]) -> dict[str, Any]:
    start = time.monotonic()
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        parts = pool.map(worker, jobs)
    best = None
    for value, _ in parts:
        best = better(spec, best, value)
    return {
        "best": best,
        "evaluations": sum(count for _, count in parts),
        "inner_calls": 0,
        "seconds": time.monotonic() - start,
    }


def run_method(method: str, path: Path, seconds: float, seed: int) -> dict[str, Any]:
    """One method on one task, with `seconds` of wall time on every core."""
    spec = load_task(path)
    processes = os.cpu_count() or 1
    if method == "loop":
        row = run_engine(spec, seconds, seed)
    elif method == "multistart":
        deadline = time.time() + seconds
        jobs = [(str(path), seed, w, deadline) for w in range(processes)]
        row = _in_processes(spec, _multistart_worker, jobs)
    else:
        jobs = [(str(path), method, seed, w, seconds) for w in range(processes)]
        row = _in_processes(spec, _optuna_worker, jobs)
    return row | {"processes": processes}


def ratio_to_best(value: float | None, best_known: float, direction: str) -> float | None:
    """Reached / best known, oriented so that 1.0 is the best known and below is worse
    (for a minimized negative value, such as an energy, value / best known)."""
    if value is None:
        return None
    if direction == "maximize" or best_known < 0:
        return value / best_known
    return best_known / value


def _load(out: Path, seconds: float, seed: int) -> dict[str, Any]:
    if out.exists():
        saved = json.loads(out.read_text())
        if saved.get("seconds_per_method") == seconds and saved.get("seed") == seed:
            return saved
    return {
        "command": "",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "seconds_per_method": seconds,
        "seed": seed,
        "rows": [],
    }


def _figure(value: float | None, digits: int = 6) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def markdown_table(saved: dict[str, Any]) -> str:
    """The BENCHMARKS.md table: per task, each method's best, ratio and evaluations."""
    lines = [
        "| task | best known | method | best | ratio to best known | evaluations "
        "(+ inner calls) | wall s |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = sorted(saved["rows"], key=lambda row: (row["task"], METHODS.index(row["method"])))
    for row in rows:
        calls = f"{row['evaluations']:,}"
        if row["inner_calls"]:
            calls += f" (+ {row['inner_calls']:,})"
        lines.append(
            f"| {row['task'].removeprefix('suite-')} | {row['best_known']:g} | {row['method']} "
            f"| {_figure(row['best'], 10)} "
            f"| {_figure(ratio_to_best(row['best'], row['best_known'], row['direction']), 7)} "
            f"| {calls} "
            f"| {row['seconds']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run every method on every task (resuming), print each row, save JSON as it goes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="wall time per method")
    parser.add_argument("--tasks", nargs="+", help="task names (default: the whole suite)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--table", action="store_true", help="print the saved rows as markdown")
    args = parser.parse_args()
    if args.table:
        print(markdown_table(json.loads(args.out.read_text())))
        return
    tasks = suite_tasks()
    best_known = json.loads((SUITE / "best_known.json").read_text())
    saved = _load(args.out, args.seconds, args.seed)
    saved["command"] = "bench/suite.py " + " ".join(sys.argv[1:])
    done = {(row["task"], row["method"]) for row in saved["rows"]}
    for name in args.tasks or list(tasks):
        spec = load_task(tasks[name])
        reference = best_known[name.removesuffix("-terms")]["value"]
        structured = name.endswith("-terms")
        for method in args.methods:
            if (name, method) in done or (structured and method in SCORE_ONLY_METHODS):
                continue
            row = {"task": name, "method": method, "direction": spec.objective.direction}
            row |= run_method(method, tasks[name], args.seconds, args.seed)
            row |= {
                "best_known": reference,
                "ratio": ratio_to_best(row["best"], reference, spec.objective.direction),
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            saved["rows"].append(row)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(saved, indent=2) + "\n")
            print(
                f"{name:34s} {method:10s} best {row['best']}  ratio {row['ratio']}  "
                f"evaluations {row['evaluations']}  inner {row['inner_calls']}  "
                f"{row['seconds']:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
