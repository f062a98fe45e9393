"""The evaluator cascade on a task with an expensive main stage: full evaluations saved and
the best reached, with and without the cascade, same budget and seeds.

Task (written to a temporary folder): `sphere-8d-slow`, maximize -distance of an 8-d vector
to 0.3 in every coordinate; the main evaluator sleeps `--main-seconds` first (a stand-in for a
simulation or a docking run). The cascade's one stage is a cheap proxy, the distance over the
first four coordinates, which must be at most `--proxy-max`. In-process evaluation (`sandbox:
false`), so the figures are the cascade's effect and not the sandbox's start-up.

    nice -n 10 .venv/bin/python -m bench.cascade_savings --evaluations 200 --seeds 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.record import machine, now, save_record
from discovery.report import best_value
from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from memory import Store
from memory.store import sqlite_url

SLOW_EVALUATOR = """
import time


def evaluate(candidate, target=0.3, main_seconds=0.05):
    time.sleep(main_seconds)
    distance = sum((x - target) ** 2 for x in candidate)
    return {"score": -distance, "distance": distance}


def proxy(candidate, target=0.3, main_seconds=0.05):
    return {"half_distance": sum((x - target) ** 2 for x in candidate[:4])}
"""


def write_slow_task(folder: Path, evaluations: int, main_seconds: float, cascade: list) -> Path:
    """The slow sphere task, with `cascade` stages (none: [])."""
    return write_task(
        folder,
        SLOW_EVALUATOR,
        name="sphere-8d-slow",
        vector={"size": 8, "low": 0.0, "high": 1.0},
        params={"main_seconds": main_seconds},
        budget={"evaluations": evaluations},
        evaluation={"sandbox": False, "timeout_seconds": 30, "cascade": cascade},
    )


def one_run(path: Path, store: Store, seed: int, results: Path) -> dict[str, Any]:
    """Best distance, full evaluations, stopped candidates and seconds of one run."""
    started = time.perf_counter()
    result = run_task(load_task(path), store, results, seed=seed)
    records = list(store.history(result.run_id))
    stopped = sum(r.stage is not None for r in records)
    return {
        "best_distance": -best_value(store.get_run(result.run_id)),
        "candidates": len(records),
        "full_evaluations": len(records) - stopped,
        "stopped_by_cascade": stopped,
        "eval_seconds": round(sum(r.eval_seconds for r in records), 2),
        "wall_seconds": round(time.perf_counter() - started, 2),
    }


def main() -> None:
    """Run both variants per seed and save bench/results/cascade_savings.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--evaluations", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--main-seconds", type=float, default=0.05)
    parser.add_argument("--proxy-max", type=float, default=0.3)
    args = parser.parse_args()
    stage = {"evaluator": "evaluator.py:proxy", "metric": "half_distance", "max": args.proxy_max}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = Store(sqlite_url(root / "store.db"))
        plain = write_slow_task(root / "plain", args.evaluations, args.main_seconds, [])
        staged = write_slow_task(root / "staged", args.evaluations, args.main_seconds, [stage])
        for seed in range(args.seeds):
            for label, path in (("no cascade", plain), ("cascade", staged)):
                row = {"variant": label, "seed": seed, **one_run(path, store, seed, root / "r")}
                rows.append(row)
                print(row)  # noqa: T201
        store.close()
    record = {
        "date": now(),
        "machine": machine(),
        "command": f"python -m bench.cascade_savings --evaluations {args.evaluations} "
        f"--seeds {args.seeds} --main-seconds {args.main_seconds} --proxy-max {args.proxy_max}",
        "rows": rows,
    }
    save_record("cascade_savings", f"evaluations={args.evaluations}", record)


if __name__ == "__main__":
    main()
