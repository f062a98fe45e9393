"""The loop with every default on a 4-d sphere at small budgets: does it refine early?

A user's first run is often a few dozen evaluations. This measures the best distance to
the optimum (0) after 48 and 200 evaluations (batches of 4, two islands, no sandbox),
seeds 0-3, and the best of the first 8 evaluations beside it. Results go to
bench/results/small_budget.json under `--label`.

    python -m bench.small_budget --label after
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.record import machine, now, save_record
from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from memory import Store

BUDGETS = (48, 200)
SEEDS = (0, 1, 2, 3)


def best_distances(budget: int, seed: int) -> tuple[float, float]:
    """(best distance of the run, best distance among its first 8 evaluations)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        task = write_task(
            root / "task", budget={"evaluations": budget}, evaluation={"sandbox": False}
        )
        store = Store.at_home(root / "home")
        try:
            result = run_task(load_task(task), store, root / "results", seed=seed)
            valid = [c for c in store.history(result.run_id) if c.valid]
        finally:
            store.close()
    distances = [-c.metrics["score"] for c in valid]
    return min(distances), min(distances[:8])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="latest")
    args = parser.parse_args()
    rows = []
    for budget in BUDGETS:
        for seed in SEEDS:
            best, first = best_distances(budget, seed)
            rows.append({"evaluations": budget, "seed": seed, "best": best, "first_8": first})
            print(f"{budget:4d} evaluations, seed {seed}: {best:.1e} (first 8: {first:.1e})")
    record = {"machine": machine(), "date": now(), "rows": rows}
    print("saved to", save_record("small_budget", args.label, record))


if __name__ == "__main__":
    main()
