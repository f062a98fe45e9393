"""Sampling answers from the policy: batched, left-padded, KV-cached, stopping at ``<eos>``.

Temperature 0 is greedy decoding (the single deterministic sample used for evaluation); a
positive temperature samples from the softmax (GRPO rollouts). The prompts are run once,
then one token per step is fed with the key/value cache; position ids count real tokens
only, so left padding does not shift them.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from molopt.repo.batch import pack
from molopt.repo.tokenizer import Tokenizer


@torch.no_grad()
def generate(
    model: torch.nn.Module,
    tokenizer: Tokenizer,
    prompts: Sequence[Sequence[int]],
    max_new_tokens: int,
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
) -> list[list[int]]:
    """Answer token ids (without ``<eos>``) for each prompt; prompts must end with ``<sep>``."""
    device = next(model.parameters()).device
    packed = pack(prompts, [len(p) for p in prompts], tokenizer.pad_id).to(device)
    budget = min(max_new_tokens, model.config.n_positions - packed.input_ids.shape[1])
    attention, positions = packed.attention_mask, packed.position_ids
    out = model(
        input_ids=packed.input_ids, attention_mask=attention, position_ids=positions, use_cache=True
    )
    done = torch.zeros(len(prompts), dtype=torch.bool, device=device)
    steps: list[torch.Tensor] = []
    next_position = positions[:, -1:] + 1
    for _ in range(max(budget, 0)):
        token = _choose(out.logits[:, -1].float(), temperature, generator).to(device)
        token = torch.where(done, torch.full_like(token, tokenizer.eos_id), token)
        steps.append(token)
        done |= token == tokenizer.eos_id
        if bool(done.all()):
            break
        attention = torch.cat([attention, torch.ones_like(attention[:, :1])], dim=1)
        out = model(
            input_ids=token.unsqueeze(1),
            attention_mask=attention,
            position_ids=next_position,
            cache=out.cache,
            use_cache=True,
        )
        next_position = next_position + 1
    return _until_eos(
        torch.stack(steps, dim=1).tolist() if steps else [[] for _ in prompts], tokenizer.eos_id
    )


def _until_eos(rows: list[list[int]], eos: int) -> list[list[int]]:
    return [row[: row.index(eos)] if eos in row else row for row in rows]


def _choose(
    logits: torch.Tensor, temperature: float, generator: torch.Generator | None
) -> torch.Tensor:
    if temperature <= 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs.cpu(), 1, generator=generator).squeeze(1)
