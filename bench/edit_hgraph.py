"""hgraph2graph constrained benchmarks with the edit policy as a multi-step editor.

For each of the first --limit test molecules of logp04 / logp06 / qed, the policy edits the
source --steps times toward "increase LogP" (logp04 / logp06: penalized logP is not a goal
the policy knows, logP is its main term) or "increase QED" (qed), each step the top-ranked
fresh edit of the previous molecule, no oracle (`molopt.edit.multistep`). The K = --steps
molecules of the trajectory are the K answers `molopt.repo.evaluate.hgraph_scores` judges
(best penalized-logP gain with similarity >= δ, 0 when none; QED success: QED >= 0.9 at
similarity >= 0.4), as a translation model's K decodes are. Also scored, from the same
trajectories: the first step alone (one single-shot edit). Peer in the same run: K
independent uniformly drawn single edits of the source (seeded).

Trajectories are appended to a JSONL file per goal under --answers as they are made (logp04
and logp06 hold the same 800 molecules and share one goal, so they share one file), so a
killed run resumes where it stopped; use a fresh --answers folder for another checkpoint.

    .venv/bin/python -m bench.edit_hgraph --limit 30 --steps 10 --checkpoint RUNS/sft/best.pt
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import torch
from rdkit import Chem

from bench.record import machine, now, save_record
from discovery.home import data_folder
from molopt.edit.answer import SHIPPED_CHECKPOINT, EditPolicy
from molopt.edit.multistep import policy_trajectory
from molopt.edit.space import enumerate_edits
from molopt.repo.data import load_hgraph_test
from molopt.repo.edits import EditGoal
from molopt.repo.evaluate import hgraph_scores

SETS = {"logp04": EditGoal("LogP", direction=1), "logp06": EditGoal("LogP", direction=1)}
SETS["qed"] = EditGoal("QED", direction=1)


def random_edits(source: str, k: int, rng: random.Random) -> list[str]:
    """`k` uniformly drawn single edits of `source` (with replacement)."""
    edits = enumerate_edits(Chem.MolFromSmiles(source))
    return [rng.choice(edits).smiles for _ in range(k)] if edits else []


def trajectories(
    policy: EditPolicy, sources: list[str], goal: EditGoal, steps: int, answers: Path
) -> tuple[list[list[str]], float]:
    """The policy's trajectory of every source (resuming from `answers`), and the CPU
    seconds spent on those made in this run."""
    direction = "increase" if goal.direction > 0 else "decrease"
    path = answers / f"{direction}_{goal.task}_steps_{steps}.jsonl"
    done = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    for row, source in zip(done, sources, strict=False):
        if row["source"] != source:
            raise SystemExit(f"{path} was made for other sources: give another --answers")
    start = time.process_time()
    with path.open("a") as handle:
        for source in sources[len(done) :]:
            row = {"source": source, "path": policy_trajectory(policy, source, goal, steps)}
            handle.write(json.dumps(row) + "\n")
            handle.flush()
            done.append(row)
    return [row["path"] for row in done[: len(sources)]], time.process_time() - start


def run_set(policy: EditPolicy, name: str, limit: int, steps: int, answers: Path) -> dict:
    """The set's figures for the editor (K steps and its first step) and the peer."""
    sources = load_hgraph_test(data_folder() / "molopt", name)[:limit]
    paths, editor_seconds = trajectories(policy, sources, SETS[name], steps, answers)
    rng = random.Random(0)
    return {
        f"edit policy, {steps} steps": {
            **hgraph_scores(name, sources, paths),
            "cpu_seconds_this_run": round(editor_seconds, 1),
            "mean_steps": sum(map(len, paths)) / len(paths),
        },
        "edit policy, 1 step": hgraph_scores(name, sources, [p[:1] for p in paths]),
        f"peer: {steps} random single edits": hgraph_scores(
            name, sources, [random_edits(s, steps, rng) for s in sources]
        ),
    }


def main() -> None:
    """Score every set, print each row, save the record (bench/results/edit_hgraph.json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=30, help="first N molecules per set")
    parser.add_argument("--steps", type=int, default=10, help="edits per molecule (K)")
    parser.add_argument("--checkpoint", type=Path, default=SHIPPED_CHECKPOINT)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument(
        "--answers", type=Path, default=Path("~/.cache/discovery/edit/hgraph"), help="resume"
    )
    args = parser.parse_args()
    answers = args.answers.expanduser()
    answers.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    policy = EditPolicy.load(args.checkpoint.expanduser())
    record = {
        "machine": machine(),
        "date": now(),
        "command": f"python -m bench.edit_hgraph --limit {args.limit} --steps {args.steps} "
        f"--checkpoint {args.checkpoint}",
    }
    for name in args.sets.split(","):
        record[name] = run_set(policy, name, args.limit, args.steps, answers)
        for system, row in record[name].items():
            print(name, f"{system:28}", json.dumps(row), flush=True)  # noqa: T201
        save_record("edit_hgraph", f"limit_{args.limit}_steps_{args.steps}", record)


if __name__ == "__main__":
    main()
