"""Pretraining the SMILES policy: next-token prediction on drug-like SMILES.

`pretrain(config, data_folder)` builds the corpus (`molopt.policy.data`: test molecules of
TOMG-Bench and hgraph2graph excluded, a validation split held out), a tokenizer over the
training SMILES and a GPT-2 from `config.model`, then trains with AdamW, linear warm-up and
cosine decay to 10 % of the learning rate, gradient clipping at 1, until `steps` or
`max_minutes`. It evaluates the validation loss every `eval_every` steps, samples
`sample_check` molecules at the end (validity, uniqueness, novelty against the training set),
and writes the checkpoint and `training.json` (data counts, steps, losses, rates, machine)
into `out_dir`. The command line is ``discover molopt pretrain --config FILE``.
"""

from __future__ import annotations

import json
import logging
import math
import platform
import random
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from transformers import GPT2LMHeadModel

from molopt.policy.config import PretrainConfig, resolve_sources
from molopt.policy.data import HGRAPH_TESTS, TOMG_TESTS, Corpus, build_corpus
from molopt.policy.likelihood import encode_batch, mean_token_loss
from molopt.policy.model import build_model, load_checkpoint, save_checkpoint
from molopt.policy.proposer import randomized
from molopt.policy.quality import sample_quality
from molopt.policy.resume import TrainingState, load_state, save_state
from molopt.policy.sampling import sample
from molopt.policy.tokenizer import SmilesTokenizer, tokenize

log = logging.getLogger(__name__)

FINAL_LR_SHARE = 0.1


def learning_rate(step: int, config: PretrainConfig) -> float:
    """Linear warm-up to `learning_rate`, then cosine decay to 10 % of it at `steps`."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = min(1.0, (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps))
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return config.learning_rate * (FINAL_LR_SHARE + (1 - FINAL_LR_SHARE) * cosine)


def corpus_for(config: PretrainConfig, data_folder: Path) -> Corpus:
    """The corpus a config trains on (deterministic: same config and data, same split)."""
    exclude = [Path(data_folder) / p for p in (*TOMG_TESTS, *HGRAPH_TESTS)]
    return build_corpus(
        resolve_sources(config, data_folder),
        exclude,
        config.valid_size,
        config.model.max_tokens,
        config.seed,
    )


def batches(
    train: list[str], batch_size: int, rng: random.Random, epoch: int = 0, position: int = 0
):
    """Endless shuffled mini-batches of SMILES, epoch after epoch, as ``(epoch, position,
    batch)`` with the position after the batch; starting at (`epoch`, `position`) replays the
    earlier epochs' shuffles, so a resumed run sees the very batches it would have seen."""
    order = list(train)
    for _ in range(epoch):
        rng.shuffle(order)
    while True:
        rng.shuffle(order)
        for start in range(position, len(order) - batch_size + 1, batch_size):
            yield epoch, start + batch_size, order[start : start + batch_size]
        epoch, position = epoch + 1, 0


def augmented(
    smiles: list[str], tokenizer: SmilesTokenizer, share: float, max_tokens: int, seed: int
) -> list[str]:
    """The batch with a random `share` of it written as randomized SMILES (Arus-Pous et al.
    2019, "Randomized SMILES strings improve the quality of molecular generative models"),
    seeded by `seed`; a spelling with a token outside the vocabulary or too long stays canonical."""
    if share <= 0:
        return smiles
    rng = random.Random(seed)
    out = []
    for text in smiles:
        spelled = randomized(text, rng.randrange(2**31)) if rng.random() < share else text
        tokens = tokenize(spelled)
        fits = len(tokens) + 2 <= max_tokens and all(t in tokenizer.ids for t in tokens)
        out.append(spelled if fits else text)
    return out


@torch.no_grad()
def validation_loss(
    model: GPT2LMHeadModel, tokenizer: SmilesTokenizer, valid: list[str], batch_size: int
) -> float:
    """Mean token loss over the validation SMILES."""
    model.eval()
    device = next(model.parameters()).device
    total, tokens = 0.0, 0
    for start in range(0, len(valid), batch_size):
        ids, mask = encode_batch(tokenizer, valid[start : start + batch_size], device)
        count = int(mask[:, 1:].sum())
        total += float(mean_token_loss(model, ids, mask)) * count
        tokens += count
    model.train()
    return total / max(tokens, 1)


class StopSignal:
    """Set by SIGTERM while training: the loop ends after the current step and saves."""

    def __init__(self) -> None:
        self.raised = False
        self._previous = None

    def __enter__(self) -> StopSignal:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)

    def _handle(self, signum, frame) -> None:
        log.info("SIGTERM: stopping after this step, state saved")
        self.raised = True


def train(
    model: GPT2LMHeadModel,
    tokenizer: SmilesTokenizer,
    corpus: Corpus,
    config: PretrainConfig,
    resumed: dict[str, Any] | None = None,
    until: int | None = None,
) -> dict[str, Any]:
    """The optimization loop, from a `resumed` payload (`molopt.policy.resume`) when given;
    saves that payload every `checkpoint_minutes` and at the end of the session (`steps`,
    `max_minutes`, step `until` if given, or SIGTERM). Returns steps, tokens and seconds over all sessions and the loss history."""
    device = next(model.parameters()).device
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    state = TrainingState()
    if resumed is not None:
        model.load_state_dict(resumed["model"])
        optimizer.load_state_dict(resumed["optimizer"])
        state = resumed["state"]
        log.info(
            "resumed at step %d (epoch %d, position %d)", state.step, state.epoch, state.position
        )
    stream = batches(
        corpus.train, config.batch_size, random.Random(config.seed), state.epoch, state.position
    )
    start = last_save = time.monotonic()
    seconds_before = state.seconds
    model.train()
    with StopSignal() as stop:
        while (
            state.step < min(config.steps, until or config.steps)
            and time.monotonic() - start < config.max_minutes * 60
            and not stop.raised
        ):
            _step(model, tokenizer, optimizer, stream, state, config, device)
            state.seconds = seconds_before + time.monotonic() - start
            if state.step % config.eval_every == 0:
                state.history.append(_checkpoint_row(model, tokenizer, corpus, state))
            if (
                config.checkpoint_minutes
                and time.monotonic() - last_save > config.checkpoint_minutes * 60
            ):
                _save(model, tokenizer, optimizer, state, config)
                last_save = time.monotonic()
    if not state.history or state.history[-1]["step"] != state.step:
        state.history.append(_checkpoint_row(model, tokenizer, corpus, state))
    _save(model, tokenizer, optimizer, state, config)
    return {
        "steps": state.step,
        "tokens": state.tokens,
        "seconds": state.seconds,
        "session_seconds": time.monotonic() - start,
        "history": state.history,
    }


def _step(model, tokenizer, optimizer, stream, state: TrainingState, config, device) -> None:
    for group in optimizer.param_groups:
        group["lr"] = learning_rate(state.step, config)
    state.epoch, state.position, smiles = next(stream)
    smiles = augmented(
        smiles,
        tokenizer,
        config.randomized_share,
        model.config.n_positions,
        config.seed * 1_000_003 + state.step,
    )
    ids, mask = encode_batch(tokenizer, smiles, device)
    loss = mean_token_loss(model, ids, mask)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    state.tokens += int(mask[:, 1:].sum())
    state.step += 1
    state.train_loss = loss.item()


def _save(model, tokenizer, optimizer, state: TrainingState, config: PretrainConfig) -> None:
    out = Path(config.out_dir).expanduser()
    save_state(out, model, optimizer, state, config)
    save_checkpoint(model, tokenizer, out)
    log.info("saved step %d to %s", state.step, out)


def _checkpoint_row(model, tokenizer, corpus, state: TrainingState) -> dict[str, float]:
    row = {
        "step": state.step,
        "train_loss": round(state.train_loss, 4),
        "valid_loss": round(validation_loss(model, tokenizer, corpus.valid, 256), 4),
        "minutes": round(state.seconds / 60, 2),
    }
    log.info("step %(step)d train %(train_loss).4f valid %(valid_loss).4f (%(minutes).1f min)", row)
    return row


def initial_model(
    config: PretrainConfig, corpus: Corpus
) -> tuple[GPT2LMHeadModel, SmilesTokenizer]:
    """The network and vocabulary training starts from: `init_from`'s checkpoint (its shape
    wins over `config.model`) or a fresh GPT-2 over the training SMILES' tokens."""
    if config.init_from:
        return load_checkpoint(Path(config.init_from).expanduser())
    tokenizer = SmilesTokenizer.build(corpus.train)
    return build_model(tokenizer, config.model), tokenizer


def pretrain(config: PretrainConfig, data_folder: Path) -> dict[str, Any]:
    """Build the corpus, train (resuming from `out_dir/resume.pt` when there is one), check
    samples and write the checkpoint; returns the report."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    out = Path(config.out_dir).expanduser()
    resumed = load_state(out, config)
    corpus = corpus_for(config, data_folder)
    log.info("corpus: %s", corpus.counts)
    model, tokenizer = initial_model(config, corpus)
    model = model.to(torch.device(config.device))
    run = train(model, tokenizer, corpus, config, resumed)
    model.eval()
    generator = torch.Generator().manual_seed(config.seed)
    strings = sample(model, tokenizer, config.sample_check, generator)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "device": config.device,
        "threads": config.threads,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocabulary": len(tokenizer),
        "init_from": config.init_from,
        "randomized_share": config.randomized_share,
        "data": {**corpus.counts, "train": len(corpus.train), "valid": len(corpus.valid)},
        **run,
        "samples": sample_quality(strings, set(corpus.train)),
    }
    (out / "training.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
