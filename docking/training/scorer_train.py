"""Train the pose scorer on labelled poses, within-complex ranking first.

Each step takes one training complex and up to `poses_per_step` of its poses (the best
one always among them), moves the pocket atoms by apo-like noise (Gaussian, larger on
side chains than on the backbone: a crystal pocket made to look like a predicted one),
and minimizes

    BCE(logit, RMSD < 2 Å) + w_rank · pairwise logistic ranking loss + w_rmsd · Huber(RMSD)

where the ranking loss (RankNet, Burges et al. 2005) asks every pose to outscore each pose
of the same complex that is more than `rank_margin` Å farther from the crystal. A share of
the label folder's complexes (by a hash of the id: the same ones in every run) is held out
to pick the best checkpoint; they are training-split ids too, so the validation split
stays untouched for the benchmark.

Training resumes from ``out_dir/last.pt`` (weights, optimizer, step, random state, CPU
seconds, history), written every `checkpoint_minutes` and at the end; ``best.pt`` holds
the weights with the best held-out top-1 rate so far (the latest when none is held out).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from docking.errors import CheckpointError
from docking.network.pose_graph import PoseGraph
from docking.network.pose_scorer import PoseScorer, ScorerConfig, collate
from docking.network.scorer_checkpoint import SCORER_FORMAT, save
from docking.training.scorer_data import SUCCESS_ANGSTROM, ComplexPoses, load_groups
from science.training.checkpoint import read_state

log = logging.getLogger(__name__)


@dataclass
class ScorerTrainConfig:
    """A scorer training run."""

    label_folders: list[Path]
    out_dir: Path
    data_folder: Path
    cache_dir: Path = Path("~/.cache/discovery/pose-scorer")
    max_minutes: float = 30.0
    max_steps: int = 100_000
    poses_per_step: int = 12
    learning_rate: float = 1e-3
    seed: int = 1
    holdout_share: float = 0.15
    checkpoint_minutes: float = 3.0
    backbone_noise: float = 0.2
    side_chain_noise: float = 0.5
    rank_weight: float = 1.0
    rank_margin: float = 1.0
    rmsd_weight: float = 0.1
    model: ScorerConfig = field(default_factory=ScorerConfig)


def is_holdout(pdb_id: str, share: float) -> bool:
    """Whether `pdb_id` is held out to pick checkpoints (a stable hash of the id)."""
    return int(hashlib.sha256(pdb_id.encode()).hexdigest()[:8], 16) / 16**8 < share


def apo_noise(pose: PoseGraph, config: ScorerTrainConfig, rng: torch.Generator) -> PoseGraph:
    """`pose` with its pocket atoms jittered (backbone and side chains apart)."""
    sigma = torch.where(pose.pocket_backbone, config.backbone_noise, config.side_chain_noise)
    noise = torch.randn(pose.pocket_pos.shape, generator=rng) * sigma.unsqueeze(-1)
    return PoseGraph(**{**pose.__dict__, "pocket_pos": pose.pocket_pos + noise})


def scorer_loss(
    logit: Tensor, predicted: Tensor, rmsd: Tensor, config: ScorerTrainConfig
) -> Tensor:
    """Classification + within-complex pairwise ranking + RMSD regression."""
    good = (rmsd < SUCCESS_ANGSTROM).float()
    loss = nn.functional.binary_cross_entropy_with_logits(logit, good)
    better = rmsd.unsqueeze(1) + config.rank_margin < rmsd.unsqueeze(0)  # i much closer than j
    if better.any():
        gap = (logit.unsqueeze(1) - logit.unsqueeze(0))[better]
        loss = loss + config.rank_weight * nn.functional.softplus(-gap).mean()
    target = rmsd.clamp(max=15.0)
    return loss + config.rmsd_weight * nn.functional.huber_loss(predicted, target)


def sample_poses(group: ComplexPoses, count: int, rng: np.random.Generator) -> list[int]:
    """Up to `count` pose indices: the best pose and a random draw of the others."""
    best = int(group.rmsd.argmin())
    others = [i for i in range(len(group.graphs)) if i != best]
    chosen = rng.choice(others, size=min(count - 1, len(others)), replace=False).tolist()
    return [best, *chosen]


@torch.no_grad()
def evaluate(model: PoseScorer, groups: list[ComplexPoses]) -> dict:
    """Top-1 success (< 2 Å) among each held-out complex's Vina poses, ranked by the
    scorer and by Vina's score, and the best reachable."""
    model.eval()
    scorer, vina, best, count = 0, 0, 0, 0
    for group in groups:
        index = [i for i, k in enumerate(group.kinds) if k == "vina"]
        if not index:
            continue
        graphs = [group.graphs[i] for i in index]
        rmsd = group.rmsd[index]
        logit, _ = model(collate(graphs))
        scorer += float(rmsd[int(logit.argmax())] < SUCCESS_ANGSTROM)
        vina += float(rmsd[int(np.argmin([g.vina_score for g in graphs]))] < SUCCESS_ANGSTROM)
        best += float(rmsd.min() < SUCCESS_ANGSTROM)
        count += 1
    model.train()
    rate = lambda hits: hits / count if count else float("nan")  # noqa: E731
    return {
        "complexes": count,
        "top1_scorer": rate(scorer),
        "top1_vina": rate(vina),
        "top1_best_reachable": rate(best),
    }


def _data_seen(
    groups: list[ComplexPoses], holdout: list[ComplexPoses], folders: list[Path]
) -> dict:
    return {
        "label_folders": [str(f) for f in folders],
        "train_complexes": [g.pdb_id for g in groups],
        "train_poses": sum(len(g.graphs) for g in groups),
        "holdout_complexes": [g.pdb_id for g in holdout],
        "holdout_poses": sum(len(g.graphs) for g in holdout),
    }


def train_scorer(config: ScorerTrainConfig) -> dict:
    """Train (resuming from out_dir/last.pt when there) and return the summary."""
    torch.manual_seed(config.seed)
    groups = []
    for folder in config.label_folders:
        groups += load_groups(folder, config.data_folder, config.cache_dir.expanduser())
    held = [g for g in groups if is_holdout(g.pdb_id, config.holdout_share)]
    train = [g for g in groups if not is_holdout(g.pdb_id, config.holdout_share)]
    if not train:
        raise CheckpointError("no training complex with labelled poses yet")
    model = PoseScorer(config.model)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    state = {"step": 0, "cpu_seconds": 0.0, "history": [], "best": -1.0}
    last = config.out_dir / "last.pt"
    if last.exists():
        saved = read_state(last, CheckpointError, SCORER_FORMAT)
        model.load_state_dict(saved["state_dict"])
        optimizer.load_state_dict(saved["optimizer"])
        state = saved["train_state"]
        log.info("resumed at step %d", state["step"])
    rng = np.random.default_rng([config.seed, state["step"]])
    noise = torch.Generator().manual_seed(config.seed * 1_000_003 + state["step"])
    seen = _data_seen(train, held, config.label_folders)
    began, cpu_began, saved_at = time.monotonic(), time.process_time(), time.monotonic()

    def checkpoint() -> None:
        nonlocal cpu_began
        state["cpu_seconds"] += time.process_time() - cpu_began
        cpu_began = time.process_time()
        result = {
            "step": state["step"],
            "cpu_seconds": round(state["cpu_seconds"], 1),
            **evaluate(model, held),
        }
        state["history"].append(result)
        log.info("checkpoint %s", result)
        score = result["top1_scorer"]
        if math.isnan(score) or score >= state["best"]:  # no held-out complex: the latest
            state["best"] = -1.0 if math.isnan(score) else score
            save(config.out_dir / "best.pt", model, data_seen=seen, evaluation=result)
        save(last, model, optimizer=optimizer.state_dict(), train_state=state, data_seen=seen)
        (config.out_dir / "history.json").write_text(json.dumps(state["history"], indent=1))

    model.train()
    while state["step"] < config.max_steps and time.monotonic() - began < 60 * config.max_minutes:
        group = train[int(rng.integers(len(train)))]
        index = sample_poses(group, config.poses_per_step, rng)
        batch = collate([apo_noise(group.graphs[i], config, noise) for i in index])
        logit, predicted = model(batch)
        loss = scorer_loss(logit, predicted, group.rmsd[index], config)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        state["step"] += 1
        if time.monotonic() - saved_at > 60 * config.checkpoint_minutes:
            checkpoint()
            saved_at = time.monotonic()
    checkpoint()
    return {"steps": state["step"], "history": state["history"], "data_seen": seen}
