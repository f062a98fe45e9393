"""Overhead of the evolution loop itself: candidates per second with a no-op verifier.

The verifier returns at once and runs in-process (`evaluation: {sandbox: false}` ->
`InProcessPool`), so the figure is what selection, proposing, hashing, bookkeeping and the
SQLite store writes cost per candidate. Two proposers: `random` (a bench-local proposer that
draws uniform vectors, to isolate the loop) and `cmaes` (the default vector proposer). As
the peer baseline, the same number of candidates is written straight through
`Store.add_candidates` in batches of the same size, with no loop around it.

    .venv/bin/python -m bench.loop_overhead --evaluations 3000
    .venv/bin/python -m bench.loop_overhead --profile      # where the time goes
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.record import machine, now, save_record
from evolve import Evolution
from evolve.config import Budget, EngineConfig
from evolve.context import Context, Proposal, Scored
from evolve.loop import Evaluation
from evolve.problem import Objective, Problem, VectorSpace, encode_vector
from evolve.proposers import make_proposer
from memory import NewCandidate, Store, candidate_hash
from memory.store import sqlite_url
from science import EvaluatorRef, InProcessPool, Limits

NO_OP = "def evaluate(candidate):\n    return {'score': candidate[0]}\n"
SIZE = 10


class RandomVectors:
    """Uniform vectors in the box: the cheapest honest proposer, to isolate the loop."""

    name = "random"

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """`n` uniform draws from `context.rng`."""
        rows = context.rng.uniform(0.0, 1.0, (n, SIZE))
        return [Proposal(content=encode_vector(row.tolist()), proposer=self.name) for row in rows]

    def tell(self, results: Sequence[Scored]) -> None:
        """Nothing to learn."""

    def state_dict(self) -> dict[str, Any]:
        """No state."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """No state."""


def problem() -> Problem:
    """A 10-dimensional vector task maximizing `score`."""
    return Problem("loop-overhead", "vector", Objective("score"), vector=VectorSpace(SIZE))


def run_loop(folder: Path, kind: str, evaluations: int, batch_size: int) -> dict[str, float]:
    """Time one `Evolution.run` over a fresh SQLite store."""
    evaluator = folder / "no_op.py"
    evaluator.write_text(NO_OP)
    ref = EvaluatorRef(target=str(evaluator), function="evaluate", is_file=True)
    task = problem()
    proposer = RandomVectors(task) if kind == "random" else make_proposer(task, kind)
    store = Store(sqlite_url(folder / f"{kind}.db"))
    run = store.create_run(task.name, f"bench-{kind}", {}, seed=0)
    evolution = Evolution(
        task,
        Evaluation(ref, {}, Limits()),
        proposer,
        InProcessPool(folder),
        store,
        run.id,
        config=EngineConfig(batch_size=batch_size),
        budget=Budget(evaluations=evaluations),
        seeds=[encode_vector([0.5] * SIZE)],
    )
    start = time.perf_counter()
    outcome = evolution.run()
    seconds = time.perf_counter() - start
    return {
        "candidates": outcome.evaluations,
        "seconds": round(seconds, 3),
        "per_second": round(outcome.evaluations / seconds, 1),
    }


def store_only(folder: Path, evaluations: int, batch_size: int) -> dict[str, float]:
    """The peer baseline: the same candidate writes with no loop around them."""
    store = Store(sqlite_url(folder / "store-only.db"))
    run = store.create_run("store-only", "bench-store", {}, seed=0)
    start = time.perf_counter()
    for first in range(0, evaluations, batch_size):
        batch = []
        for i in range(first, min(first + batch_size, evaluations)):
            content = encode_vector([float(i)] * SIZE)
            batch.append(
                NewCandidate(
                    hash=candidate_hash("vector", content),
                    representation="vector",
                    content=content,
                    valid=True,
                    metrics={"score": float(i)},
                    fitness=float(i),
                    proposer="store-only",
                )
            )
        store.add_candidates(run.id, batch, {"generation": first}, 0.0)
    seconds = time.perf_counter() - start
    return {
        "candidates": evaluations,
        "seconds": round(seconds, 3),
        "per_second": round(evaluations / seconds, 1),
    }


def profile(folder: Path, evaluations: int, batch_size: int) -> None:
    """Print the 25 functions with the most cumulative time in one loop run."""
    profiler = cProfile.Profile()
    profiler.runcall(run_loop, folder, "random", evaluations, batch_size)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    """Measure both proposers and the store-only baseline; save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the loop")
    parser.add_argument("--label", default="current", help="name of this measurement in the JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if args.profile:
            profile(folder, args.evaluations, args.batch_size)
            return
        figures = {
            kind: run_loop(folder, kind, args.evaluations, args.batch_size)
            for kind in ("random", "cmaes")
        }
        figures["store_only"] = store_only(folder, args.evaluations, args.batch_size)
    for name, figure in figures.items():
        print(f"{name:>10}: {figure['per_second']:8.1f} candidates/s ({figure['seconds']} s)")
    record = {
        "label": args.label,
        "date": now(),
        "machine": machine(),
        "batch_size": args.batch_size,
        "figures": figures,
    }
    save_record("loop_overhead", args.label, record)


if __name__ == "__main__":
    main()
