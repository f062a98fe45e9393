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
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from transformers import GPT2LMHeadModel

from molopt.policy.config import PretrainConfig, resolve_sources
from molopt.policy.data import HGRAPH_TESTS, TOMG_TESTS, Corpus, build_corpus
from molopt.policy.likelihood import encode_batch, mean_token_loss
from molopt.policy.model import build_model, save_checkpoint
from molopt.policy.quality import sample_quality
from molopt.policy.sampling import sample
from molopt.policy.tokenizer import SmilesTokenizer

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


def batches(train: list[str], batch_size: int, rng: random.Random):
    """Endless shuffled mini-batches of SMILES, epoch after epoch."""
    order = list(train)
    while True:
        rng.shuffle(order)
        for start in range(0, len(order) - batch_size + 1, batch_size):
            yield order[start : start + batch_size]


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


def train(
    model: GPT2LMHeadModel, tokenizer: SmilesTokenizer, corpus: Corpus, config: PretrainConfig
) -> dict[str, Any]:
    """The optimization loop; returns steps, tokens seen, seconds and the loss history."""
    device = next(model.parameters()).device
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    stream = batches(corpus.train, config.batch_size, random.Random(config.seed))
    history: list[dict[str, float]] = []
    start, tokens, step = time.monotonic(), 0, 0
    model.train()
    while step < config.steps and time.monotonic() - start < config.max_minutes * 60:
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, config)
        ids, mask = encode_batch(tokenizer, next(stream), device)
        loss = mean_token_loss(model, ids, mask)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        tokens += int(mask[:, 1:].sum())
        step += 1
        if step % config.eval_every == 0:
            history.append(_checkpoint_row(model, tokenizer, corpus, config, step, loss, start))
    if not history or history[-1]["step"] != step:
        history.append(_checkpoint_row(model, tokenizer, corpus, config, step, loss, start))
    return {
        "steps": step,
        "tokens": tokens,
        "seconds": time.monotonic() - start,
        "history": history,
    }


def _checkpoint_row(model, tokenizer, corpus, config, step, loss, start) -> dict[str, float]:
    row = {
        "step": step,
        "train_loss": round(loss.item(), 4),
        "valid_loss": round(validation_loss(model, tokenizer, corpus.valid, 256), 4),
        "minutes": round((time.monotonic() - start) / 60, 2),
    }
    log.info("step %(step)d train %(train_loss).4f valid %(valid_loss).4f (%(minutes).1f min)", row)
    return row


def pretrain(config: PretrainConfig, data_folder: Path) -> dict[str, Any]:
    """Build the corpus, train, check samples and write the checkpoint; returns the report."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    corpus = corpus_for(config, data_folder)
    log.info("corpus: %s", corpus.counts)
    tokenizer = SmilesTokenizer.build(corpus.train)
    model = build_model(tokenizer, config.model).to(torch.device(config.device))
    run = train(model, tokenizer, corpus, config)
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
        "data": {**corpus.counts, "train": len(corpus.train), "valid": len(corpus.valid)},
        **run,
        "samples": sample_quality(strings, set(corpus.train)),
    }
    out = Path(config.out_dir).expanduser()
    save_checkpoint(model, tokenizer, out)
    (out / "training.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
