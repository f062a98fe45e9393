"""The SMILES policy (molopt.policy): sample quality of the shipped checkpoint, and PMO
figures of the graph GA, the REINVENT-style policy, their mixture and the policy learning at
test time (`smiles_ttt`, TTT-Discover's objective and state reuse) at a reduced budget.

`sample`: 10,000 strings from `molopt/checkpoints/smiles_gpt` (seeded), their validity,
uniqueness and novelty against the training split the checkpoint was trained on (rebuilt
from its config and the shared data, so the comparison is exact). `pmo`: for each task and
seed, `run_task` on the `tasks/pmo/` YAML with only the proposer swapped (same engine:
population 120, 70 children per generation); AUC top-10, top-1, top-10 by `molopt.pmo`,
normalized by the reduced budget (not comparable with published 10,000-call figures).

    .venv/bin/python -m bench.smiles_policy sample --count 10000
    .venv/bin/python -m bench.smiles_policy pmo --tasks albuterol_similarity median1 \
        --budget 1000 --seeds 2
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import torch

from bench.pmo import graph_ga_run, summarize, task_spec
from discovery.home import data_folder
from discovery.spec import ProposerSpec
from molopt.policy.config import load_config
from molopt.policy.model import SHIPPED_CHECKPOINT, load_checkpoint
from molopt.policy.pretrain import corpus_for
from molopt.policy.quality import sample_quality
from molopt.policy.sampling import sample

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CONFIG = ROOT / "molopt" / "policy" / "configs" / "cpu_small.yaml"
PROPOSERS = {
    "graph_ga": {"kind": "graph_ga", "mutation_rate": 0.067},
    "smiles_policy": {"kind": "smiles_policy"},
    "augmented_memory": {"kind": "smiles_policy", "augmentation_rounds": 2},
    "mixture": {"kind": "smiles_mixture", "policy_share": 0.5},
    "smiles_ttt": {
        "kind": "molopt.policy.proposer:smiles_policy",
        "ttt": {"enabled": True, "group_size": 8, "lr": 1e-4},
    },
    # The edit policy (molopt/checkpoints/edit_policy), conditioned on "increase QED" (its
    # default goal for a black-box objective), sampled frozen or learning at test time; lr is
    # the scorer's own SFT rate, not tuned on these tasks.
    "edit_frozen": {"kind": "molopt.edit.ttt_proposer:edit_policy", "ttt": {"group_size": 8}},
    "edit_ttt": {
        "kind": "molopt.edit.ttt_proposer:edit_policy",
        "ttt": {"enabled": True, "group_size": 8, "lr": 1e-3},
    },
}
# Engine changes a proposer needs: TTT expands a few states with groups of children, chosen
# by TTT-Discover's PUCT, instead of PMO's 120 parents (the frozen edit policy too, so that
# only the learning differs between edit_frozen and edit_ttt).
TTT_ENGINE = {"selection": "ttt_puct", "parents": 8, "batch_size": 64}
ENGINES = {"smiles_ttt": TTT_ENGINE, "edit_frozen": TTT_ENGINE, "edit_ttt": TTT_ENGINE}


def header() -> dict:
    """Date, machine and thread count of this measurement."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "torch_threads": torch.get_num_threads(),
    }


def sample_report(count: int, seed: int, checkpoint: Path = SHIPPED_CHECKPOINT) -> dict:
    """Sample quality of a checkpoint (the shipped one by default) against the training split
    of `cpu_small.yaml` (the split every continuation of the shipped model keeps)."""
    model, tokenizer = load_checkpoint(checkpoint)
    start = time.perf_counter()
    strings = sample(model, tokenizer, count, torch.Generator().manual_seed(seed), batch_size=500)
    seconds = time.perf_counter() - start
    train = set(corpus_for(load_config(CONFIG), data_folder()).train)
    return {
        **header(),
        "checkpoint": str(checkpoint),
        "seed": seed,
        "sampling_seconds": round(seconds, 1),
        "training_molecules": len(train),
        **sample_quality(strings, train),
    }


def pmo_report(args: argparse.Namespace, out: Path) -> dict:
    """AUC top-10 etc. of each proposer on each task, over the seeds; the report so far is
    saved to `out` after each proposer, so a long run that is stopped keeps what it finished;
    with `--resume` the (task, proposer) pairs already in `out` are not run again."""
    report = {**header(), "budget": args.budget, "seeds": args.seeds, "tasks": {}}
    if args.resume and out.is_file():
        report["tasks"] = json.loads(out.read_text())["tasks"]
    with tempfile.TemporaryDirectory() as tmp:
        for task in args.tasks:
            spec = task_spec(task, in_process=True)
            row = report["tasks"].setdefault(task, {})
            for label in args.proposers:
                if label in row:
                    continue
                proposer = PROPOSERS[label]
                folder = Path(tmp) / task / label
                folder.mkdir(parents=True)
                engine = spec.engine.model_copy(update=ENGINES.get(label, {}))
                swapped = spec.model_copy(
                    update={"proposer": ProposerSpec(**proposer), "engine": engine}
                )
                runs = [graph_ga_run(swapped, args.budget, s, folder) for s in range(args.seeds)]
                row[label] = summarize([r for r, _ in runs])
                row[label]["seconds_per_run"] = round(sum(s for _, s in runs) / len(runs), 1)
                auc = row[label]["auc_top10"]
                print(f"{task:24s} {label:14s} AUC top-10 {auc[0]:.3f}±{auc[1]:.3f} {row[label]}")
                save(report, out)
    return report


def save(report: dict, out: Path) -> None:
    """Write the report as JSON."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")


def main() -> None:
    """Run one part of the benchmark, print it and save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="part", required=True)
    sampling = sub.add_parser("sample", help="validity, uniqueness, novelty of samples")
    sampling.add_argument("--count", type=int, default=10_000)
    sampling.add_argument("--seed", type=int, default=0)
    sampling.add_argument("--checkpoint", type=Path, default=SHIPPED_CHECKPOINT)
    pmo = sub.add_parser("pmo", help="graph GA vs SMILES policy vs mixture (AUC top-10)")
    pmo.add_argument("--tasks", nargs="+", default=["albuterol_similarity", "median1"])
    pmo.add_argument("--budget", type=int, default=1000)
    pmo.add_argument("--seeds", type=int, default=2)
    pmo.add_argument("--proposers", nargs="+", choices=list(PROPOSERS), default=list(PROPOSERS))
    pmo.add_argument("--resume", action="store_true", help="skip pairs already in --out")
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread ran 4.7x faster than two on the shared 2-core CPU
    out = args.out or RESULTS / f"smiles_policy_{args.part}.json"
    if args.part == "sample":
        report = sample_report(args.count, args.seed, args.checkpoint)
        print(json.dumps(report, indent=2))
    else:
        report = pmo_report(args, out)
    save(report, out)
    print(f"saved {out}")


if __name__ == "__main__":
    main()
