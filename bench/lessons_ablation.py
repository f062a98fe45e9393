"""Lessons memory on / off: the same tasks, budgets and seeds, offline proposers.

Tasks (written to a temporary folder): `sphere-8d` (vector, default proposer, maximize
-distance to 0.3) and `curve-fit` (program, offline mutation, minimize the mean squared
error of `model(x)`, the task of `bench/program_proposers.py`). For each seed the task runs
once without `lessons:` and once with `lessons: {every: 50}`; recorded: best value, wall
seconds, lessons stored, seconds spent distilling, and whether the two histories are the
same candidate for candidate. Offline proposers do not read `Context.lessons`, so identical
histories are the expected outcome; the figure that matters is the overhead.

    nice -n 10 .venv/bin/python -m bench.lessons_ablation --evaluations 300 --seeds 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.program_proposers import FIT_EVALUATOR, FIT_SEED
from bench.record import machine, now, save_record
from discovery.report import best_value
from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import SPHERE_EVALUATOR, write_task
from evolve import Evolution
from memory import LessonBank, Store
from memory.store import sqlite_url

LESSONS = {"every": 50}


def write_tasks(folder: Path, evaluations: int, lessons: dict | None) -> dict[str, Path]:
    """The two tasks, with or without `lessons:`."""
    extra = {"lessons": lessons} if lessons else {}
    sphere = write_task(
        folder / "sphere",
        SPHERE_EVALUATOR,
        name="sphere-8d",
        vector={"size": 8, "low": 0.0, "high": 1.0},
        budget={"evaluations": evaluations},
        **extra,
    )
    fit = write_task(
        folder / "fit",
        FIT_EVALUATOR,
        name="curve-fit",
        representation="program",
        objective={"metric": "mse", "direction": "minimize"},
        vector=None,
        seed="seed.py",
        budget={"evaluations": evaluations},
        proposer={"kind": "mutation"},
        **extra,
    )
    (folder / "fit" / "seed.py").write_text(FIT_SEED)
    return {"sphere-8d": sphere, "curve-fit": fit}


def one_run(path: Path, store: Store, seed: int, results: Path) -> dict[str, Any]:
    """Run a task once; its best value, seconds, history and distillation time."""
    engines: list[Evolution] = []
    started = time.perf_counter()
    result = run_task(load_task(path), store, results, seed=seed, on_start=engines.append)
    lessons = engines[0].lessons
    return {
        "best": best_value(store.get_run(result.run_id)),
        "seconds": round(time.perf_counter() - started, 2),
        "history": [c.hash for c in store.history(result.run_id)],
        "distill_seconds": round(lessons.distill_seconds, 3) if lessons else 0.0,
        "run": result.run_id,
    }


def main() -> None:
    """Run the ablation and save bench/results/lessons_ablation.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--evaluations", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = Store(sqlite_url(root / "store.db"))
        off = write_tasks(root / "off", args.evaluations, None)
        on = write_tasks(root / "on", args.evaluations, LESSONS)
        for task in off:
            for seed in range(args.seeds):
                plain = one_run(off[task], store, seed, root / "results")
                taught = one_run(on[task], store, seed, root / "results")
                stored = [x for x in LessonBank(store).find() if x.run_id == taught["run"]]
                row = {
                    "task": task,
                    "seed": seed,
                    "best_off": plain["best"],
                    "best_on": taught["best"],
                    "seconds_off": plain["seconds"],
                    "seconds_on": taught["seconds"],
                    "distill_seconds": taught["distill_seconds"],
                    "lessons": len(stored),
                    "same_history": plain["history"] == taught["history"],
                    "example": stored[0].text if stored else None,
                }
                rows.append(row)
                print(row)  # noqa: T201
        store.close()
    record = {
        "date": now(),
        "machine": machine(),
        "command": f"python -m bench.lessons_ablation --evaluations {args.evaluations} "
        f"--seeds {args.seeds}",
        "lessons": LESSONS,
        "rows": rows,
    }
    save_record("lessons_ablation", f"evaluations={args.evaluations}", record)


if __name__ == "__main__":
    main()
