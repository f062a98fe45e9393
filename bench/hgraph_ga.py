"""hgraph2graph constrained benchmarks: the RePO CPU policy beside the graph GA, same gate, same K.

For each of the first N test molecules of logp04 / logp06 / qed every system gets K scored
molecules, all judged by `molopt.repo.evaluate.hgraph_scores` (improvement in penalized logP of
the best molecule with similarity >= δ, 0 when none; QED success: QED >= 0.9 at similarity
>= 0.4):

- a RePO-trained checkpoint: K answers sampled at temperature 1 to "optimize ... higher LogP"
  (or QED), as `bench.repo` scores it;
- the graph GA through the discovery loop: `run_task` on `tasks/hgraph/<set>.yaml` with the
  source swapped in (seed = the source; candidates below the similarity threshold are
  invalid, `molopt.constrained`), K evaluations after the seed;
- peer, measured in the same run: K independent random graph-GA mutations of the source (no
  selection, no gate), what the GA adds is the difference.

    .venv/bin/python -m bench.hgraph_ga --limit 200 --samples 20
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import torch

from bench.repo import one_mutation
from discovery.home import data_folder
from discovery.runner import run_task
from discovery.spec import TaskSpec, load_task
from memory import Store
from memory.store import sqlite_url
from molopt.repo.data import load_hgraph_test
from molopt.repo.evaluate import evaluate_hgraph, hgraph_scores
from molopt.repo.model import load_policy

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "tasks" / "hgraph"
SETS = ("logp04", "logp06", "qed")
CHECKPOINT = Path("~/.cache/discovery/repo/bench/repo/last.pt").expanduser()


def task_for(name: str, source: str) -> TaskSpec:
    """The set's task YAML with `source` as the molecule to improve, evaluated in-process."""
    spec = load_task(TASKS / f"{name}.yaml")
    return spec.model_copy(
        update={
            "params": {**spec.params, "source": source},
            "seed": [source],
            "evaluation": spec.evaluation.model_copy(update={"sandbox": False}),
        }
    )


def ga_candidates(store: Store, spec: TaskSpec, k: int, folder: Path) -> list[str]:
    """The molecules one graph GA run scored: the seed and `k` more."""
    result = run_task(spec, store, folder, evaluations=k + 1, seed=0, fresh=True)
    return [record.content for record in store.history(result.run_id)]


def graph_ga(name: str, sources: list[str], k: int) -> dict:
    """hgraph figures of the graph GA, one loop run per source molecule."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store(sqlite_url(folder / f"{name}.sqlite"))
        candidates = [ga_candidates(store, task_for(name, s), k, folder / "runs") for s in sources]
        store.close()
    return hgraph_scores(name, sources, candidates)


def mutations(name: str, sources: list[str], k: int) -> dict:
    """hgraph figures of `k` independent random mutations of each source."""
    rng = random.Random(0)
    candidates = [[one_mutation(s, rng) for _ in range(k)] for s in sources]
    return hgraph_scores(name, sources, candidates)


def policy(checkpoint: Path, name: str, sources: list[str], k: int) -> dict:
    """hgraph figures of `k` sampled answers of the checkpoint per source."""
    model, tokenizer, _ = load_policy(checkpoint, "cpu")
    settings = {"samples": k, "batch_size": 250, "max_new_tokens": 96, "temperature": 1.0}
    return evaluate_hgraph(model, tokenizer, name, sources, {**settings, "seed": 0})


def timed(function, *args) -> dict:
    """`function(*args)` with its wall seconds added."""
    start = time.perf_counter()
    out = function(*args)
    return {**out, "seconds": round(time.perf_counter() - start, 1)}


def main() -> None:
    """Score the three systems on each set, print a table, save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200, help="first N molecules per set")
    parser.add_argument("--samples", type=int, default=20, help="scored molecules per source")
    parser.add_argument("--checkpoint", type=Path, default=CHECKPOINT)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "hgraph_ga.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(1)
    data = data_folder() / "molopt"
    results: dict[str, dict] = {}
    for name in SETS:
        sources = load_hgraph_test(data, name)[: args.limit]
        results[name] = {
            "RePO checkpoint": timed(policy, args.checkpoint, name, sources, args.samples),
            "graph GA (loop)": timed(graph_ga, name, sources, args.samples),
            "peer: random mutations": timed(mutations, name, sources, args.samples),
        }
        for system, row in results[name].items():
            print(name, f"{system:24}", json.dumps(row), flush=True)
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, 1 torch thread",
        "limit": args.limit,
        "samples": args.samples,
        "checkpoint": str(args.checkpoint),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2))
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
