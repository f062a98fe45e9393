"""Training the edit policy by SFT, GRPO, GRPO from SFT, or RePO, on cached samples.

Losses over a batch of B (source, goal) pairs, π the softmax over each source's edits:

- SFT:  L = -1/B Σ_b log π(y*_b), y* the reference edit (OpenMolIns) or the RDKit-labelled
  best edit (highest success × sim);
- GRPO: G edits o_{b,1..G} ~ π per pair, reward r = success × sim (the metric's product;
  every enumerated edit is valid), advantage A = (r - mean_b r) / (std_b r + ε) within the
  group, L = -1/(BG) Σ A log π(o); one on-policy update per batch (no ratio, no KL);
- RePO: GRPO + β · SFT's term on the same pairs (the reference edit's NLL);
- GRPO from SFT: GRPO started from an SFT checkpoint (`init_from`).

Pairs whose goal no edit achieves have no reference; SFT and RePO's reference term skip
them. Every `checkpoint_every` steps ``last.pt`` is written (weights, optimizer, step,
history) and training resumes from it; batches are drawn by a generator seeded with
(seed, step), so a resumed run sees the batches an unbroken one would. Every
`validate_every` steps the greedy answers to a fixed set of validation pairs (molecules
held apart from training, never test molecules) are scored, and the best scorer so far is
kept as ``best.pt``.
"""

from __future__ import annotations

import logging
import random
import statistics
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from tqdm import tqdm

from molopt.edit.dataset import Sample, load_shards, shard_paths
from molopt.edit.errors import EditCheckpointError, EditError
from molopt.edit.features import task_vector
from molopt.edit.goals import Pair, draw_pairs
from molopt.edit.model import (
    EditScorer,
    ScorerSize,
    collate,
    load_scorer,
    padded_log_probs,
    save_scorer,
)
from science.training.checkpoint import read_state

log = logging.getLogger(__name__)

VARIANTS = ("sft", "grpo", "repo")


@dataclass
class TrainSettings:
    """One training run (see module); `variant` is sft, grpo or repo."""

    variant: str
    data_dir: Path
    out_dir: Path
    steps: int = 1500
    batch_size: int = 32
    learning_rate: float = 1e-3
    hidden: int = 128
    group_size: int = 16
    reference_weight: float = 1.0
    reference_share: float = 0.25
    valid_every_nth: int = 10
    valid_pairs: int = 600
    validate_every: int = 100
    checkpoint_every: int = 100
    init_from: Path | None = None
    max_minutes: float | None = None
    threads: int = 1
    seed: int = 0
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise EditError(f"variant '{self.variant}' unknown; choose one of {VARIANTS}")


def split(samples: list[Sample], every_nth: int) -> tuple[list[int], list[int]]:
    """Training and validation sample indices: every `every_nth` sample without a reference
    edit validates; samples with OpenMolIns reference edits always train."""
    train, valid = [], []
    zinc = 0
    for index, sample in enumerate(samples):
        if sample.references:
            train.append(index)
            continue
        (valid if zinc % every_nth == 0 else train).append(index)
        zinc += 1
    return train, valid


def _forward(model: EditScorer, samples: list[Sample], pairs: list[Pair]) -> torch.Tensor:
    batch = collate([(samples[p.sample].features, task_vector(p.goal)) for p in pairs])
    return padded_log_probs(model(batch), batch)


def sft_loss(log_probs: torch.Tensor, pairs: list[Pair]) -> torch.Tensor:
    """Mean NLL of the reference edits (pairs without one are skipped)."""
    rows = [i for i, p in enumerate(pairs) if p.target is not None]
    if not rows:
        return log_probs.new_zeros(())
    targets = torch.tensor([pairs[i].target for i in rows])
    return -log_probs[torch.tensor(rows), targets].mean()


def grpo_loss(
    log_probs: torch.Tensor,
    pairs: list[Pair],
    samples: list[Sample],
    group_size: int,
    generator: torch.Generator,
) -> tuple[torch.Tensor, float]:
    """GRPO's policy-gradient loss with group-normalised advantages, and the mean reward."""
    probs = log_probs.detach().exp()
    actions = torch.multinomial(probs, group_size, replacement=True, generator=generator)
    rewards = torch.stack(
        [
            torch.from_numpy(samples[p.sample].labels.reward(p.goal)).float()[actions[i]]
            for i, p in enumerate(pairs)
        ]
    )  # (B, G)
    std = rewards.std(dim=1, keepdim=True)
    advantage = (rewards - rewards.mean(dim=1, keepdim=True)) / (std + 1e-6)
    advantage = torch.where(std > 0, advantage, torch.zeros_like(advantage))
    chosen = log_probs.gather(1, actions)  # (B, G)
    return -(advantage * chosen).mean(), float(rewards.mean())


def validation_pairs(samples: list[Sample], valid: list[int], count: int) -> list[Pair]:
    """A fixed set of validation pairs (seeded), each subtask equally often."""
    return draw_pairs(samples, valid, count, random.Random(12345), reference_share=0.0)


@torch.no_grad()
def validate(model: EditScorer, samples: list[Sample], pairs: list[Pair]) -> dict:
    """Mean success × sim of the greedy edit, per subtask and averaged over subtasks."""
    model.eval()
    by_task = defaultdict(list)
    for start in range(0, len(pairs), 64):
        chunk = pairs[start : start + 64]
        answers = _forward(model, samples, chunk).argmax(dim=1).tolist()
        for pair, answer in zip(chunk, answers, strict=True):
            by_task[pair.goal.task].append(samples[pair.sample].labels.reward(pair.goal)[answer])
    model.train()
    scores = {task: statistics.fmean(values) for task, values in sorted(by_task.items())}
    return {"mean": statistics.fmean(scores.values()), **scores}


def _start(settings: TrainSettings) -> tuple[EditScorer, torch.optim.Optimizer, dict]:
    torch.manual_seed(settings.seed)
    model = EditScorer(ScorerSize(settings.hidden))
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    state = {"step": 0, "history": [], "best": None, "cpu_seconds": 0.0}
    last = settings.out_dir / "last.pt"
    if last.is_file():
        saved = read_state(last, EditCheckpointError)
        model.load_state_dict(saved["weights"])
        optimizer.load_state_dict(saved["optimizer"])
        state = saved["state"]
        log.info("resumed %s at step %d", last, state["step"])
    elif settings.init_from is not None:
        start, _ = load_scorer(settings.init_from)
        model.load_state_dict(start.state_dict())
        log.info("started from %s", settings.init_from)
    return model, optimizer, state


def _loss(settings, model, samples, pairs, generator) -> tuple[torch.Tensor, dict]:
    log_probs = _forward(model, samples, pairs)
    if settings.variant == "sft":
        loss = sft_loss(log_probs, pairs)
        return loss, {"loss": loss.item()}
    loss, reward = grpo_loss(log_probs, pairs, samples, settings.group_size, generator)
    if settings.variant == "repo":
        loss = loss + settings.reference_weight * sft_loss(log_probs, pairs)
    return loss, {"loss": loss.item(), "reward": reward}


def _save(settings, model, optimizer, state, name: str) -> None:
    extra = {"variant": settings.variant, "step": state["step"], "settings": _plain(settings)}
    if name == "last.pt":
        extra |= {"optimizer": optimizer.state_dict(), "state": state}
    save_scorer(model, settings.out_dir / name, extra)


def _plain(settings: TrainSettings) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()}


def train(settings: TrainSettings) -> dict:
    """Run (or resume) training; returns the state (step, history, best, CPU seconds)."""
    torch.set_num_threads(settings.threads)
    samples = load_shards(shard_paths(Path(settings.data_dir)))
    if not samples:
        raise EditError(f"{settings.data_dir}: no training shards; build them first")
    train_ids, valid_ids = split(samples, settings.valid_every_nth)
    valid = validation_pairs(samples, valid_ids, settings.valid_pairs)
    model, optimizer, state = _start(settings)
    began, clock = time.monotonic(), [time.process_time()]
    bar = tqdm(range(state["step"], settings.steps), initial=state["step"], total=settings.steps)
    for step in bar:
        rng = random.Random(settings.seed * 1_000_003 + step)
        generator = torch.Generator().manual_seed(settings.seed * 1_000_003 + step)
        pairs = draw_pairs(samples, train_ids, settings.batch_size, rng, settings.reference_share)
        loss, info = _loss(settings, model, samples, pairs, generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state["step"] = step + 1
        bar.set_postfix(info)
        _count_cpu(state, clock)
        if state["step"] % settings.validate_every == 0 or state["step"] == settings.steps:
            _record(settings, model, optimizer, state, samples, valid, info)
        elif state["step"] % settings.checkpoint_every == 0:
            _save(settings, model, optimizer, state, "last.pt")
        spent = (time.monotonic() - began) / 60
        if settings.max_minutes is not None and spent > settings.max_minutes:
            break
    judged = [entry["step"] for entry in state["history"]]
    if state["step"] and state["step"] not in judged:
        # stopped by --max-minutes between validations: judge the last step too
        _record(settings, model, optimizer, state, samples, valid, {})
    _save(settings, model, optimizer, state, "last.pt")
    return state


def _count_cpu(state: dict, clock: list[float]) -> None:
    now = time.process_time()
    state["cpu_seconds"] += now - clock[0]
    clock[0] = now


def _record(settings, model, optimizer, state, samples, valid, info) -> None:
    scores = validate(model, samples, valid)
    state["history"].append({"step": state["step"], **info, "valid": scores})
    log.info("step %d: %s valid %s", state["step"], info, scores)
    if state["best"] is None or scores["mean"] > state["best"]["mean"]:
        state["best"] = {"step": state["step"], **scores}
        _save(settings, model, optimizer, state, "best.pt")
    _save(settings, model, optimizer, state, "last.pt")
