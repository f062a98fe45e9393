"""Where the loop's time and calls go on one vector task: per operator (proposer kind)
the proposals, the refinements' inner calls, the new bests it produced and their relative
gains; per pool call the wall time against the jobs' own seconds (the time workers waited
on each other). Used to find why the loop loses to plain multi-start on a task.

    nice -n 10 .venv/bin/python bench/loop_operators.py tasks/suite/lennard_jones/lj19.yaml \\
        --seconds 40
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from bench.record import machine, now, save_record  # noqa: E402
from discovery.runner import run_task  # noqa: E402
from discovery.spec import load_task  # noqa: E402
from evolve import Evolution  # noqa: E402
from evolve.refinement import STOPPED_META  # noqa: E402
from memory import Store  # noqa: E402
from memory.store import sqlite_url  # noqa: E402


class PoolClock:
    """Wraps a pool's `evaluate`: per call, wall seconds, the jobs' own seconds, and
    whether the jobs were refinements."""

    def __init__(self, pool: Any) -> None:
        self.pool, self.inner = pool, pool.evaluate
        self.rows: list[dict[str, Any]] = []
        pool.evaluate = self.evaluate

    def evaluate(self, jobs: list[Any]) -> list[Any]:
        """Time one batch of jobs."""
        began = time.monotonic()
        verdicts = self.inner(jobs)
        wall = time.monotonic() - began
        refining = any(getattr(job, "refine", None) is not None for job in jobs)
        busy = sum(v.seconds for v in verdicts)
        self.rows.append({"refine": refining, "jobs": len(jobs), "wall": wall, "busy": busy})
        return verdicts


def operator_table(store: Store, run_id: str, direction: str) -> dict[str, Any]:
    """Per proposer: proposals, inner calls, new bests and the summed relative gain."""
    table: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    best, curve = None, []
    for record in store.history(run_id):
        row = table[record.proposer]
        row["proposals"] += 1
        row["inner_calls"] += record.inner_calls
        if record.fitness is None:
            continue
        if best is None or record.fitness > best:
            if best is not None:
                row["new_bests"] += 1
                row["gain"] += (record.fitness - best) / max(abs(best), 1e-12)
            best = record.fitness
            value = record.fitness if direction == "maximize" else -record.fitness
            curve.append((record.n, record.proposer, value))
    return {"operators": {k: dict(v) for k, v in table.items()}, "curve": curve}


def measure(path: Path, seconds: float, seed: int) -> dict[str, Any]:
    """Run the loop on `path` for `seconds`; the operator table and the pool's timing."""
    spec = load_task(path)
    clocks: list[PoolClock] = []

    stops: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def on_start(evolution: Evolution) -> None:
        clocks.append(PoolClock(evolution.pool))
        tell = evolution.proposer.tell

        def counted_tell(results: list[Any]) -> None:
            for item in results:
                reason = item.proposal.meta.get(STOPPED_META)
                if reason:
                    stops[item.proposal.proposer][reason] += 1
            tell(results)

        evolution.proposer.tell = counted_tell

    with tempfile.TemporaryDirectory() as home:
        store = Store(sqlite_url(Path(home) / "bench.db"))
        began = time.monotonic()
        result = run_task(
            spec,
            store,
            Path(home) / "r",
            seconds=seconds,
            evaluations=10**9,
            seed=seed,
            on_start=on_start,
        )
        wall = time.monotonic() - began
        report = operator_table(store, result.run_id, spec.objective.direction)
        store.close()
    pool = defaultdict(float)
    for row in clocks[0].rows if clocks else []:
        kind = "refine" if row["refine"] else "verify"
        pool[f"{kind}_wall"] += row["wall"]
        pool[f"{kind}_busy"] += row["busy"]
        pool[f"{kind}_batches"] += 1
    best = result.best_metrics[spec.objective.metric] if result.best_metrics else None
    stopped = {k: dict(v) for k, v in stops.items()}
    head = {"task": spec.name, "best": best, "wall": wall, "pool": dict(pool)}
    return head | {"stops": stopped} | report


def main() -> None:
    """Measure one task and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", type=Path)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    row = measure(args.task, args.seconds, args.seed)
    curve = row.pop("curve")
    print(json.dumps(row, indent=1))
    for n, proposer, value in curve[-15:]:
        print(f"  new best at {n:5d} by {proposer:10s} {value:.10g}")
    record = row | {"seconds": args.seconds, "seed": args.seed, "machine": machine()}
    save_record("loop_operators", f"{row['task']} {args.label}".strip(), record | {"date": now()})


if __name__ == "__main__":
    main()
