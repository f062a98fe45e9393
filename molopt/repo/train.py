"""The training loop shared by SFT, GRPO, GRPO from SFT and RePO, with checkpoints and resume.

`train(config)` loads the examples (`molopt.repo.data`), builds the tokenizer and the GPT-2
policy (or loads them from ``init_from``), then runs `steps` optimizer steps of `sft_step` or
`grpo_step` under a tqdm bar. ``out_dir/last.pt`` is written every `checkpoint_every` steps
and at the end (weights, optimizer, step, history); a run finding it resumes at its step.
Batches are drawn by a generator seeded with (seed, step), so a resumed run sees the same
batches as an uninterrupted one. Training stops at `steps` or after `max_minutes`.
"""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path

import torch
from tqdm import tqdm

from molopt.repo.config import RepoConfig
from molopt.repo.data import (
    OPENMOLINS,
    TOMG,
    Example,
    held_out_molecules,
    load_openmolins,
    mine_zinc_pairs,
)
from molopt.repo.errors import RepoConfigError
from molopt.repo.grpo import grpo_step
from molopt.repo.model import (
    ModelConfig,
    build_model,
    load_policy,
    model_config_dict,
    read_checkpoint,
    save_checkpoint,
)
from molopt.repo.prompts import encode_answer, encode_prompt, prompt_tokens
from molopt.repo.sft import sft_step
from molopt.repo.tokenizer import Tokenizer, smiles_tokens

log = logging.getLogger(__name__)


def resolve_device(name: str) -> torch.device:
    """``auto`` is CUDA when present, else CPU; other names are used as given."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def load_examples(config: RepoConfig) -> list[Example]:
    """Training examples of `config.tasks` from `config.train`, no test molecule (TOMG-Bench, hgraph2graph)."""
    if config.data_dir is not None:
        exclude = held_out_molecules(config.data_dir)
    else:
        exclude = set()
        log.warning("no data_dir: test molecules are not filtered out of training")
    examples: list[Example] = []
    for source in config.train:
        path = _source_path(config, source)
        examples += load_openmolins(path, tuple(config.tasks), exclude)
    if config.zinc_pairs_pool and config.data_dir is not None:
        mined = mine_zinc_pairs(
            config.data_dir,
            exclude,
            config.zinc_pairs_pool,
            config.zinc_min_similarity,
            config.seed,
        )
        examples += [e for e in mined if e.goal.task in config.tasks]
    random.Random(config.seed).shuffle(examples)
    return examples[: config.limit_train] if config.limit_train else examples


def _source_path(config: RepoConfig, source: str) -> Path:
    if source not in OPENMOLINS:
        return Path(source)
    if config.data_dir is None:
        raise RepoConfigError(f"train source '{source}' needs data_dir (the staged molopt data)")
    return config.data_dir / TOMG / "OpenMolIns" / OPENMOLINS[source] / "train.csv"


def build_tokenizer(examples: list[Example]) -> Tokenizer:
    """Vocabulary of every prompt and answer token of `examples`."""
    pieces = [prompt_tokens(e.instruction, e.source) for e in examples]
    pieces += [smiles_tokens(e.answer or "") for e in examples]
    return Tokenizer.build(pieces)


def _encode(
    tokenizer: Tokenizer, examples: list[Example], limit: int
) -> list[tuple[Example, tuple[list[int], list[int]]]]:
    pairs = [
        (
            e,
            (
                encode_prompt(tokenizer, e.instruction, e.source),
                encode_answer(tokenizer, e.answer or ""),
            ),
        )
        for e in examples
    ]
    return [(e, pair) for e, pair in pairs if len(pair[0]) + len(pair[1]) <= limit]


def _start(
    config: RepoConfig, examples: list[Example], device: torch.device, resume_from: Path | None
):
    origin = resume_from or config.init_from
    if origin is not None:
        model, tokenizer, state = load_policy(origin)
        return model.to(device), tokenizer, ModelConfig(**state["model_config"])
    tokenizer = build_tokenizer(examples)
    return build_model(config.model, tokenizer).to(device), tokenizer, config.model


def train(config: RepoConfig, resume: bool = True) -> dict:
    """Train per `config`; resume from ``out_dir/last.pt`` when present. Returns the history."""
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    device = resolve_device(config.device)
    examples = load_examples(config)
    last = config.out_dir / "last.pt"
    resume_from = last if resume and last.exists() else None
    model, tokenizer, model_config = _start(config, examples, device, resume_from)
    data = _encode(tokenizer, examples, model_config.n_positions)
    log.info(
        "%s: %d training examples, vocabulary %d, device %s",
        config.variant,
        len(data),
        len(tokenizer),
        device,
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
    step, history = 0, []
    if resume_from is not None:
        state = read_checkpoint(resume_from)
        optimizer.load_state_dict(state["optimizer"])
        step, history = state["step"], state["history"]
        log.info("resumed from %s at step %d", resume_from, step)
    settings = {
        "group_size": config.group_size,
        "max_new_tokens": config.max_new_tokens,
        "temperature": config.temperature,
        "reference_weight": config.reference_weight,
        "device": device,
    }
    deadline = time.monotonic() + 60 * config.max_minutes

    def save() -> None:
        save_checkpoint(
            last,
            model,
            tokenizer,
            model_config=model_config_dict(model_config),
            optimizer=optimizer.state_dict(),
            step=step,
            history=history,
            variant=config.variant,
        )

    model.train()
    with tqdm(total=config.steps, initial=step, desc=config.variant) as bar:
        while step < config.steps and time.monotonic() < deadline:
            batch = random.Random(config.seed * 1_000_003 + step).sample(
                data, min(config.batch_size, len(data))
            )
            chosen, pairs = [e for e, _ in batch], [p for _, p in batch]
            if config.method == "sft":
                loss, line = sft_step(model, tokenizer, pairs, device)
            else:
                generator = torch.Generator().manual_seed(config.seed * 1_000_003 + step)
                loss, line = grpo_step(model, tokenizer, chosen, pairs, settings, generator)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
            history.append({"step": step, **line})
            bar.update(1)
            bar.set_postfix({k: f"{v:.3f}" for k, v in line.items()})
            if step % config.checkpoint_every == 0:
                save()
    save()
    return {"variant": config.variant, "step": step, "history": history, "checkpoint": str(last)}
