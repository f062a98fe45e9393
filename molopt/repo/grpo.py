"""One GRPO / RePO step: sample G answers per prompt, reward them, update on answer tokens.

GRPO (Shao et al. 2024) and RePO are one trainer: `reference_weight` β = 0 is GRPO, β > 0
adds the reference-answer likelihood term of RePO (see `molopt.repo.losses.repo_loss`).
Rewards are `molopt.repo.rewards.edit_reward`; no verifier beyond RDKit is in the loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from molopt.repo.batch import forward_logprobs, pack
from molopt.repo.data import Example
from molopt.repo.generate import generate
from molopt.repo.losses import group_advantages, repo_loss
from molopt.repo.rewards import edit_reward
from molopt.repo.sft import reference_batch
from molopt.repo.tokenizer import Tokenizer


def rollout_rewards(
    tokenizer: Tokenizer, examples: Sequence[Example], answers: Sequence[list[int]], group: int
) -> torch.Tensor:
    """Reward of each sampled answer; answers come in groups of `group` per example."""
    rewards = [
        edit_reward(
            examples[i // group].source, tokenizer.decode_smiles(ids), examples[i // group].goal
        )
        for i, ids in enumerate(answers)
    ]
    return torch.tensor(rewards, dtype=torch.float32)


def grpo_step(
    model: torch.nn.Module,
    tokenizer: Tokenizer,
    examples: Sequence[Example],
    pairs: Sequence[tuple[list[int], list[int]]],
    settings: dict,
    generator: torch.Generator,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The GRPO/RePO loss of one batch and its log line.

    `pairs` are the examples' (prompt ids, reference answer ids); `settings` holds
    ``group_size``, ``max_new_tokens``, ``temperature``, ``reference_weight`` and ``device``.
    """
    group, device = settings["group_size"], settings["device"]
    prompts = [p for p, _ in pairs for _ in range(group)]
    model.eval()
    answers = generate(
        model, tokenizer, prompts, settings["max_new_tokens"], settings["temperature"], generator
    )
    model.train()
    rewards = rollout_rewards(tokenizer, examples, answers, group)
    advantages = group_advantages(rewards, group).to(device)
    sampled = pack(
        [p + a + [tokenizer.eos_id] for p, a in zip(prompts, answers, strict=True)],
        [len(p) for p in prompts],
        tokenizer.pad_id,
    ).to(device)
    beta = settings["reference_weight"]
    reference = reference_batch(pairs, tokenizer, device) if beta > 0 else None
    loss = repo_loss(
        forward_logprobs(model, sampled),
        sampled.answer_mask,
        advantages,
        forward_logprobs(model, reference) if reference is not None else None,
        reference.answer_mask if reference is not None else None,
        beta,
    )
    return loss, {
        "loss": float(loss.detach()),
        "reward": float(rewards.mean()),
        "valid": float((rewards > 0).float().mean()),
    }
