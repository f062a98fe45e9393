"""PMO figures (Gao et al. 2022) for the graph GA through the full discovery loop.

For each task of `tasks/pmo/` asked for and each seed, `run_task` runs the task YAML as is
(graph GA, population 120, 70 offspring, mutation rate 0.067) for the evaluation budget
(PMO's 10,000 oracle calls by default), then `molopt.pmo` computes AUC top-10, top-1 and
top-10 from the stored history, normalized by that budget. The peer baseline measured in
the same run is ZINC screening: molecules drawn at random from the bundled ZINC pool (the
graph GA's own starting distribution), scored by the same evaluator. Published PMO figures
(`bench/pmo_published.json`) are printed beside them; with a smaller `--budget` they are
not the same quantity (the early, low part of the curve weighs more).

    .venv/bin/python -m bench.pmo --in-process            # all 17 tasks, 10,000 calls, 5 seeds
    .venv/bin/python -m bench.pmo --tasks qed median1 --budget 2000 --seeds 3 --out /tmp/pmo.json
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from discovery.runner import run_task
from discovery.spec import TaskSpec, load_task
from memory import Store
from memory.store import sqlite_url
from molopt.evaluate import evaluate
from molopt.pmo import PmoResult, mean_and_std, pmo_result, run_result
from molopt.pool import load_pool

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "tasks" / "pmo"
RESULTS = ROOT / "bench" / "results" / "pmo_10k_all.json"
ALL_TASKS = tuple(sorted(path.stem for path in TASKS.glob("*.yaml")))
# Published AUC top-10 at 10,000 calls per task (Graph GA, REINVENT, best), with its source.
PUBLISHED = json.loads((ROOT / "bench" / "pmo_published.json").read_text())["tasks"]


def task_spec(name: str, in_process: bool) -> TaskSpec:
    """The task YAML, evaluated in this process when asked (the evaluator is ours)."""
    spec = load_task(TASKS / f"{name}.yaml")
    if not in_process:
        return spec
    return spec.model_copy(
        update={"evaluation": spec.evaluation.model_copy(update={"sandbox": False})}
    )


def graph_ga_run(spec: TaskSpec, budget: int, seed: int, folder: Path) -> tuple[PmoResult, float]:
    """One seed of the graph GA through `run_task`; its PMO figures and wall seconds."""
    store = Store(sqlite_url(folder / f"{spec.name}-{seed}.sqlite"))
    start = time.perf_counter()
    result = run_task(spec, store, folder / "results", evaluations=budget, seed=seed, fresh=True)
    seconds = time.perf_counter() - start
    figures = run_result(store, result.run_id, budget)
    store.close()
    return figures, seconds


def screening(objective: str, budget: int, seed: int) -> PmoResult:
    """ZINC screening: `budget` random pool molecules, scored in random order."""
    pool = load_pool()
    picks = random.Random(seed).sample(pool, min(budget, len(pool)))
    return pmo_result([evaluate(s, objective)["score"] for s in picks], budget)


def summarize(results: list[PmoResult]) -> dict[str, list[float]]:
    """Mean and standard deviation of each figure, rounded for the report."""
    return {k: [round(m, 3), round(s, 3)] for k, (m, s) in mean_and_std(results).items()}


def bench_task(name: str, args: argparse.Namespace, folder: Path) -> dict:
    """Graph GA and screening figures for one task over the seeds."""
    spec = task_spec(name, args.in_process)
    runs = [graph_ga_run(spec, args.budget, seed, folder) for seed in range(args.seeds)]
    screens = [screening(name, args.budget, seed) for seed in range(args.seeds)]
    return {
        "graph_ga": summarize([r for r, _ in runs]),
        "graph_ga_per_seed": [r.to_json() for r, _ in runs],
        "graph_ga_seconds": round(sum(s for _, s in runs) / len(runs), 1),
        "screening": summarize(screens),
        "published_10k": {
            k: PUBLISHED[name][k] for k in ("graph_ga", "reinvent", "best") if name in PUBLISHED
        },
    }


def main() -> None:
    """Run the benchmark, print a table and save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=["all"], help="task names, or 'all'")
    parser.add_argument("--budget", type=int, default=10000, help="oracle calls per run")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--in-process", action="store_true", help="evaluate without the sandbox")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON file to write")
    args = parser.parse_args()
    if args.tasks == ["all"]:
        args.tasks = list(ALL_TASKS)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "budget": args.budget,
        "seeds": args.seeds,
        "evaluation": "in-process" if args.in_process else "sandbox",
        "tasks": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.tasks:
            report["tasks"][name] = row = bench_task(name, args, Path(tmp))
            ga, zinc = row["graph_ga"], row["screening"]
            print(
                f"{name:24s} graph GA AUC {ga['auc_top10'][0]:.3f}±{ga['auc_top10'][1]:.3f} "
                f"top1 {ga['top1'][0]:.3f} top10 {ga['top10'][0]:.3f} "
                f"({row['graph_ga_seconds']} s/run) | screening AUC {zinc['auc_top10'][0]:.3f} "
                f"top10 {zinc['top10'][0]:.3f} | published 10k {row['published_10k']}",
                flush=True,
            )
            save(report, args.out)
    print(f"saved {args.out}")


def save(report: dict, out: Path) -> None:
    """Write the report so far, so a long run that is stopped keeps its finished tasks."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
