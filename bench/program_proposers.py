"""The program proposers at work: offline mutation on a curve-fitting program task, and the
LLM proposer's own overhead against a scripted local endpoint.

A. `run_task` on a task written to a temporary folder: the candidate program defines
   `model(x)`, scored by its mean squared error against ``2.5 sin(1.3 x) + 0.7 x`` on 64
   points (minimize). The offline `mutation` proposer (default options) runs against the
   peer baseline `crossover_fraction: 0` (mutation only), for a few seeds each, with the
   same evaluation budget; the seed program's error is printed too.
B. The LLM proposer against `evolve/testing.py` answering every request with a
   valid diff after a fixed latency: proposals per second with `concurrency` 1 and 4. This
   measures the plumbing (prompt, HTTP, diff), not any model.

    .venv/bin/python -m bench.program_proposers --evaluations 300 --seeds 3
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from evolve.context import Context, Member
from evolve.problem import Objective, Problem
from evolve.proposers.llm import LLMProposer
from evolve.testing import Reply, ScriptedServer
from memory import Store
from memory.store import sqlite_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "program_proposers.json"
FIT_EVALUATOR = """
import importlib.util
import math


def evaluate(candidate):
    spec = importlib.util.spec_from_file_location("candidate", candidate)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    xs = [i / 8 for i in range(64)]
    errors = [(module.model(x) - (2.5 * math.sin(1.3 * x) + 0.7 * x)) ** 2 for x in xs]
    mse = sum(errors) / len(errors)
    if not math.isfinite(mse):
        return {"mse": 1e9, "valid": False, "feedback": "model(x) is not finite"}
    return {"mse": mse, "feedback": f"mean squared error {mse:.4g}"}
"""
FIT_SEED = "import math\n\n\ndef model(x):\n    return 1.0 * math.sin(1.0 * x) + 0.1 * x\n"
DIFF = "<<<<<<< SEARCH\n    return 3.0\n=======\n    return {value}\n>>>>>>> REPLACE\n"


def fit_run(folder: Path, evaluations: int, seed: int, proposer: dict) -> dict:
    """One `run_task` of the curve-fitting task; its best error and speed."""
    path = write_task(
        folder,
        FIT_EVALUATOR,
        name="curve-fit",
        representation="program",
        objective={"metric": "mse", "direction": "minimize"},
        vector=None,
        seed="seed.py",
        budget={"evaluations": evaluations},
        engine={"islands": 2, "batch_size": 8},
        proposer=proposer,
    )
    (folder / "seed.py").write_text(FIT_SEED)
    store = Store(sqlite_url(folder / "store.db"))
    start = time.perf_counter()
    result = run_task(load_task(path), store, folder / "results", seed=seed)
    seconds = time.perf_counter() - start
    records = list(store.history(result.run_id))
    return {
        "seed": seed,
        "best_mse": result.best_metrics["mse"],
        "evaluations": result.evaluations,
        "invalid": sum(not r.valid for r in records),
        "seconds": round(seconds, 2),
    }


def part_a(evaluations: int, seeds: int) -> dict:
    """Mutation with crossover vs mutation only, same budget and seeds."""
    variants = {
        "mutation (default, crossover 0.3)": {"kind": "mutation"},
        "peer: mutation only (crossover 0)": {"kind": "mutation", "crossover_fraction": 0.0},
    }
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        seed_mse = fit_run(Path(tmp) / "seed", 1, 0, {"kind": "mutation"})["best_mse"]
        for label, proposer in variants.items():
            runs = [
                fit_run(Path(tmp) / f"{len(figures)}-{s}", evaluations, s, proposer)
                for s in range(seeds)
            ]
            best = [r["best_mse"] for r in runs]
            figures[label] = {
                "runs": runs,
                "median_best_mse": statistics.median(best),
                "evaluations_per_second": round(
                    sum(r["evaluations"] for r in runs) / sum(r["seconds"] for r in runs), 1
                ),
            }
    return {"seed_mse": seed_mse, "evaluations": evaluations, "variants": figures}


def part_b(proposals: int, latency_seconds: float) -> dict:
    """LLM proposer throughput against a scripted endpoint, concurrency 1 vs 4."""
    problem = Problem("near-pi", "program", Objective("error", "minimize"), "Return pi.")
    parent = Member("p", "def solve():\n    return 3.0\n", -0.14, {"error": 0.14}, True)
    figures = {}
    for concurrency in (1, 4):
        script = [
            Reply(DIFF.format(value=3.0 + (i + 1) / 1e4), delay_seconds=latency_seconds)
            for i in range(proposals)
        ]
        with ScriptedServer(script) as server:
            proposer = LLMProposer(
                problem, model="scripted", base_url=server.base_url, concurrency=concurrency
            )
            context = Context(problem, 1, 0, (parent,), (), parent, np.random.default_rng(0))
            start = time.perf_counter()
            made = proposer.propose(context, proposals)
            seconds = time.perf_counter() - start
        figures[f"concurrency {concurrency}"] = {
            "proposals": len(made),
            "seconds": round(seconds, 3),
            "per_second": round(len(made) / seconds, 1),
        }
    return {"latency_seconds": latency_seconds, "figures": figures}


def main() -> None:
    """Run both parts, print them, save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--proposals", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}",
        "mutation": part_a(args.evaluations, args.seeds),
        "llm_overhead": part_b(args.proposals, args.latency),
    }
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
