"""TOMG-Bench MolOpt / MolEdit with the graph-edit policy (`molopt.edit`), beside its peers.

For every prompt (the first --limit of each subtask's 5,000, or all), in one pass: the
source's edits are enumerated once; each trained checkpoint answers with its top edit (no
oracle); "one random edit" answers a uniformly drawn edit (seeded); the "RDKit-oracle upper
bound" measures every edit and answers the one of highest success × sim (the most similar
edit when none succeeds). Metrics are TOMG-Bench's (`molopt.repo.evaluate.tomg_metrics`:
SR over all prompts, Sim over valid answers, validity, SR×Sim). Answers are appended to a
JSONL file per subtask as they are made, so a killed run resumes where it stopped.
Subtasks are answered in rounds of --round prompts each (the first 100 of every subtask,
then the next 100, ...), and the record is saved after every round, so a run stopped early
holds the same prefix of every subtask for every system.

Also reported: DelComponent's gameability (the share of its sources that hold exactly one
copy of the group to delete, over all 5,000) and each checkpoint's training CPU minutes.

    .venv/bin/python -m bench.edit_policy --limit 300 \
        --checkpoint SFT=RUNS/sft/best.pt --checkpoint GRPO=RUNS/grpo/best.pt \
        --checkpoint "GRPO from SFT=RUNS/grpo_from_sft/best.pt" --checkpoint RePO=RUNS/repo/best.pt
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from rdkit import Chem

from bench.record import machine, now, save_record
from discovery.home import data_folder
from molopt.edit.errors import EditCheckpointError
from molopt.edit.features import edit_features, task_vector
from molopt.edit.labels import most_similar_success
from molopt.edit.model import collate, load_scorer
from molopt.edit.space import enumerate_edits
from molopt.edit.task import parse_task
from molopt.repo.data import load_tomg_test
from molopt.repo.edits import EDIT_TASKS, OPT_TASKS, group_count
from molopt.repo.evaluate import tomg_metrics
from science.training.checkpoint import read_state

PAPER_REPO_QWEN3B = {"QED": 0.236, "LogP": 0.297, "MR": 0.294}  # SR×Sim, RePO paper goal row
RANDOM, ORACLE = "one random edit", "RDKit-oracle upper bound"
TOMG_PROMPTS = 5000  # per subtask


@torch.no_grad()
def answer_prompt(models: dict, source: str, instruction: str, rng: random.Random) -> dict:
    """Every method's answer to one prompt ("" when the source has no edit)."""
    mol = Chem.MolFromSmiles(source)
    goal = parse_task(instruction, source)
    edits = enumerate_edits(mol) if mol is not None else []
    if not edits:
        return {name: "" for name in (*models, RANDOM, ORACLE)}
    batch = collate([(edit_features(mol, edits), task_vector(goal))])
    out = {name: edits[int(model(batch).argmax())].smiles for name, model in models.items()}
    out[RANDOM] = rng.choice(edits).smiles
    best, sims = most_similar_success(mol, edits, goal)
    if best is None or sims[best] == 0:  # success × sim is 0 everywhere: the closest edit
        best = int(np.argmax(sims))
    out[ORACLE] = edits[best].smiles
    return out


def run_task(models: dict, task: str, limit: int | None, answers_dir: Path, seed: int) -> dict:
    """Answer (resuming) and score the first `limit` prompts of `task`."""
    examples = load_tomg_test(data_folder() / "molopt", task)[:limit]
    path = answers_dir / f"{task}.jsonl"
    done = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    start = time.perf_counter()
    with path.open("a") as handle:
        for index in range(len(done), len(examples)):
            example = examples[index]
            rng = random.Random(seed * 100_003 + index)
            row = answer_prompt(models, example.source, example.instruction, rng)
            handle.write(json.dumps(row) + "\n")
            handle.flush()
            done.append(row)
    seconds = time.perf_counter() - start
    sources = [e.source for e in examples]
    goals = [e.goal for e in examples]
    results = {
        name: tomg_metrics(sources, [row[name] for row in done[: len(examples)]], goals)
        for name in done[0]
    }
    return {"prompts": len(examples), "seconds_this_run": round(seconds, 1), **results}


def delcomponent_gameability() -> dict:
    """Share of DelComponent sources holding exactly one copy of the group to delete."""
    examples = load_tomg_test(data_folder() / "molopt", "DelComponent")
    counts = [group_count(Chem.MolFromSmiles(e.source), e.goal.removed) for e in examples]
    return {
        "prompts": len(counts),
        "exactly_one_copy": statistics.fmean(c == 1 for c in counts),
        "no_copy": statistics.fmean(c == 0 for c in counts),
    }


def training_cost(paths: dict[str, Path]) -> dict:
    """CPU minutes and steps each checkpoint's run recorded (its folder's last.pt)."""
    cost = {}
    for name, path in paths.items():
        if not (path.parent / "last.pt").is_file():
            cost[name] = None  # a checkpoint without its run folder: cost unknown
            continue
        last = read_state(path.parent / "last.pt", EditCheckpointError)
        _, best = load_scorer(path)
        cost[name] = {
            "cpu_minutes_this_run": round(last["state"]["cpu_seconds"] / 60, 2),
            "steps": last["state"]["step"],
            "best_step": best["step"],
            "init_from": last["settings"].get("init_from"),
        }
    return cost


def main() -> None:
    """Parse arguments, run every subtask, save the record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", action="append", default=[], help="NAME=PATH")
    parser.add_argument("--tasks", default=",".join(OPT_TASKS + EDIT_TASKS))
    parser.add_argument("--limit", type=int, default=None, help="prompts per subtask")
    parser.add_argument("--answers", type=Path, default=Path("~/.cache/discovery/edit/bench"))
    parser.add_argument("--label", default=None, help="record label (default: by --limit)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--round", type=int, default=100, help="prompts per subtask per round")
    args = parser.parse_args()
    torch.set_num_threads(1)
    paths = dict(item.split("=", 1) for item in args.checkpoint)
    paths = {name: Path(p).expanduser() for name, p in paths.items()}
    models = {name: load_scorer(p)[0] for name, p in paths.items()}
    answers_dir = args.answers.expanduser() / (args.label or f"limit_{args.limit or 'all'}")
    answers_dir.mkdir(parents=True, exist_ok=True)
    record = {
        "machine": machine(),
        "date": now(),
        "command": "python -m bench.edit_policy "
        + " ".join(f"--checkpoint '{n}={p}'" for n, p in paths.items())
        + f" --limit {args.limit} --tasks {args.tasks}",
        "paper_repo_qwen3b_sr_x_sim": PAPER_REPO_QWEN3B,
        "delcomponent_gameability": delcomponent_gameability(),
        "training": training_cost(paths),
    }
    label = args.label or f"limit_{args.limit or 'all'}"
    limit = args.limit or TOMG_PROMPTS
    for end in range(args.round, limit + args.round, args.round):
        record["prompts_per_subtask"] = min(end, limit)
        for task in args.tasks.split(","):
            record[task] = run_task(models, task, min(end, limit), answers_dir, args.seed)
            scores = {k: v["sr_x_sim"] for k, v in record[task].items() if isinstance(v, dict)}
            print(task, min(end, limit), json.dumps(scores), flush=True)  # noqa: T201
        save_record("edit_policy", label, record)


if __name__ == "__main__":
    main()
