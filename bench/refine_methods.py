"""Refinement methods of `science.refine` as plain multi-start, in-process, one process:
uniform random starts, each refined to convergence (or the deadline) by one method, the
best value reached in the wall time. Used to develop the score-only default (L-BFGS-B,
then the one-fifth-rule evolution strategy) on a few suite tasks.

    .venv/bin/python bench/refine_methods.py tasks/suite/heilbronn_triangle/task.yaml \\
        --methods lbfgsb lbfgsb-es es --seconds 20
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from bench.equal_time import multistart_until  # noqa: E402
from bench.record import machine, now, save_record  # noqa: E402
from discovery.spec import load_task  # noqa: E402
from science.refine import METHODS  # noqa: E402


def multistart(path: Path, method: str, seconds: float, seed: int) -> dict[str, Any]:
    """Best value, evaluator calls and starts of `method` from random starts in `seconds`."""
    spec = load_task(path)
    deadline = time.time() + seconds
    best, calls, starts = multistart_until(spec, method, deadline, np.random.default_rng(seed))
    return {"best": best, "calls": calls, "starts": starts}


def main() -> None:
    """Run each method on the task, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", type=Path)
    parser.add_argument("--methods", nargs="+", default=["lbfgsb", "lbfgsb-es"], choices=METHODS)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for method in args.methods:
        row = multistart(args.task, method, args.seconds, args.seed)
        print(f"{args.task} {method:12s} {row}", flush=True)
        record = row | {"seconds": args.seconds, "seed": args.seed, "machine": machine()}
        save_record(
            "refine_methods", f"{load_task(args.task).name} {method}", record | {"date": now()}
        )


if __name__ == "__main__":
    main()
