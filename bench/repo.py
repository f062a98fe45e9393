"""RePO comparison on a model trained here: SFT, GRPO, GRPO from SFT, RePO (+ peer baselines).

Trains the four rows of the RePO paper's table from the `molopt/configs/repo_*_<preset>.yaml`
configurations (fresh runs under --work), then scores each checkpoint with one greedy answer
per prompt on TOMG-Bench MolOpt (QED / LogP / MR: SR over all prompts, Sim over valid
answers, SR×Sim) and, by sampling, on the hgraph2graph constrained benchmarks. Peer
baselines measured in the same run on the same prompts: "copy" (answer the source) and
"one mutation" (one random graph-GA mutation of the source, `molopt.mutate`).

    .venv/bin/python -m bench.repo --preset cpu --limit 500 --hgraph-limit 100 --samples 5
    .venv/bin/python -m bench.repo --preset gpu            # all 5,000 prompts, 800 molecules, 20 samples
    .venv/bin/python -m bench.repo --eval-only --tasks QED,LogP,MR,AddComponent,DelComponent,SubComponent \
        --hgraph "" --out bench/results/repo_cpu_full.json   # score the checkpoints under --work again
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import torch
from rdkit import Chem

from discovery.home import data_folder
from molopt.molecules import parse_or_none
from molopt.mutate import mutate
from molopt.repo.config import load_config
from molopt.repo.data import load_hgraph_test, load_tomg_test
from molopt.repo.edits import OPT_TASKS
from molopt.repo.errors import RepoCheckpointError
from molopt.repo.evaluate import evaluate_checkpoint, hgraph_scores, tomg_metrics
from molopt.repo.train import train

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {
    "SFT": "repo_sft",
    "GRPO": "repo_grpo",
    "GRPO from SFT": "repo_grpo_from_sft",
    "RePO": "repo",
}
PAPER_REPO_QWEN3B = {"QED": 0.236, "LogP": 0.297, "MR": 0.294}  # SR×Sim, RePO paper goal row
HGRAPH = ("logp04", "logp06", "qed")


def train_all(preset: str, work: Path) -> dict[str, dict]:
    """Train the four variants (GRPO from SFT starts from this run's SFT checkpoint)."""
    runs = {}
    for variant, stem in VARIANTS.items():
        overrides = {"out_dir": str(work / stem), "data_dir": str(data_folder() / "molopt")}
        if variant == "GRPO from SFT":
            overrides["init_from"] = str(work / VARIANTS["SFT"] / "last.pt")
        config = load_config(f"{stem}_{preset}", **overrides)
        start = time.perf_counter()
        report = train(config, resume=False)
        runs[variant] = {
            "checkpoint": report["checkpoint"],
            "steps": report["step"],
            "train_seconds": round(time.perf_counter() - start, 1),
            "last_log": report["history"][-1] if report["history"] else None,
        }
        print(
            f"{variant}: {report['step']} steps in {runs[variant]['train_seconds']} s", flush=True
        )
    return runs


def trained_runs(work: Path) -> dict[str, dict]:
    """The checkpoints a previous `train_all` left under `work`, to be scored again."""
    runs = {}
    for variant, stem in VARIANTS.items():
        checkpoint = work / stem / "last.pt"
        if not checkpoint.is_file():
            raise RepoCheckpointError(f"{checkpoint}: missing; run bench.repo without --eval-only")
        runs[variant] = {"checkpoint": str(checkpoint)}
    return runs


def one_mutation(source: str, rng: random.Random) -> str:
    """One random graph-GA mutation of `source` (`molopt.mutate`); the source when none works."""
    child = mutate(parse_or_none(source), rng)
    return Chem.MolToSmiles(child) if child is not None else source


def baselines(data: Path, plan: dict) -> dict[str, dict]:
    """Copy and one-random-mutation editors on the same prompts and molecules."""
    rng = random.Random(0)
    editors = {"copy": lambda s: s, "one mutation": lambda s: one_mutation(s, rng)}
    out = {}
    for name, edit in editors.items():
        row = {}
        for task in plan["tasks"]:
            examples = load_tomg_test(data, task)[: plan["limit"]]
            row[task] = tomg_metrics(
                [e.source for e in examples],
                [edit(e.source) for e in examples],
                [e.goal for e in examples],
            )
        for bench in plan["hgraph"]:
            sources = load_hgraph_test(data, bench)[: plan["hgraph_limit"]]
            candidates = [[edit(s) for _ in range(plan["samples"])] for s in sources]
            row[f"hgraph_{bench}"] = hgraph_scores(bench, sources, candidates)
        out[name] = row
    return out


def print_table(results: dict, tasks: list[str]) -> None:
    """SR / Sim / SR×Sim per TOMG-Bench task and the hgraph2graph figures, one row per system."""
    print(
        f"{'system':16} "
        + " ".join(f"{t + ' SR/Sim/SRxSim':>24}" for t in tasks)
        + "  logp04  logp06  qedSR"
    )
    for name, row in results.items():
        cells = [
            f"{row[t]['success_rate']:.3f}/{row[t]['similarity']:.3f}/{row[t]['sr_x_sim']:.3f}".rjust(
                24
            )
            for t in tasks
        ]
        hg = [row.get(f"hgraph_{b}", {}) for b in HGRAPH]
        tail = f"{hg[0].get('improvement_mean', float('nan')):7.2f} {hg[1].get('improvement_mean', float('nan')):7.2f} {hg[2].get('success_rate', float('nan')):6.3f}"
        print(f"{name:16} " + " ".join(cells) + "  " + tail)
    print("paper goal (Qwen2.5-3B RePO) SR×Sim:", PAPER_REPO_QWEN3B)


def main() -> None:
    """Train, evaluate, print the table, save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="cpu", choices=("cpu", "gpu"))
    parser.add_argument(
        "--work", type=Path, default=Path("~/.cache/discovery/repo/bench").expanduser()
    )
    parser.add_argument("--eval-only", action="store_true", help="score the checkpoints in --work")
    parser.add_argument("--tasks", default=",".join(OPT_TASKS), help="TOMG-Bench subtasks")
    parser.add_argument("--hgraph", default=",".join(HGRAPH), help='hgraph2graph sets ("": none)')
    parser.add_argument("--limit", type=int, default=None, help="first N prompts per TOMG task")
    parser.add_argument("--hgraph-limit", type=int, default=None, help="first N molecules per set")
    parser.add_argument("--samples", type=int, default=20, help="answers per hgraph2graph molecule")
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(1 if args.preset == "cpu" else torch.get_num_threads())
    data = data_folder() / "molopt"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    plan = {
        "tasks": [t for t in args.tasks.split(",") if t],
        "limit": args.limit,
        "hgraph": [h for h in args.hgraph.split(",") if h],
        "hgraph_limit": args.hgraph_limit,
        "samples": args.samples,
        "batch_size": args.batch_size,
        "max_new_tokens": 96,
        "temperature": 1.0,
        "seed": 0,
        "device": device,
    }
    started = time.perf_counter()
    runs = trained_runs(args.work) if args.eval_only else train_all(args.preset, args.work)
    results: dict[str, dict] = {}
    for variant, run in runs.items():
        t0 = time.perf_counter()
        results[variant] = evaluate_checkpoint(Path(run["checkpoint"]), data, plan)
        run["eval_seconds"] = round(time.perf_counter() - t0, 1)
        print(f"evaluated {variant} in {run['eval_seconds']} s", flush=True)
    results.update(baselines(data, plan))
    print_table(results, plan["tasks"])
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, device {device}",
        "preset": args.preset,
        "plan": plan,
        "runs": runs,
        "results": results,
        "paper_goal_sr_x_sim": PAPER_REPO_QWEN3B,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    out = args.out or ROOT / "bench" / "results" / f"repo_{args.preset}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
