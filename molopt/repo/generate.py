"""Sampling answers from the policy: batched, left-padded, stopping at ``<eos>``.

Temperature 0 is greedy decoding (the single deterministic sample used for evaluation);
a positive temperature samples from the softmax (GRPO rollouts). No KV cache: the model is
small and the sequences short, so re-running the prefix keeps the code obviously correct.
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
    limit = model.config.n_positions
    rows = [list(p) for p in prompts]
    answers: list[list[int]] = [[] for _ in rows]
    active = list(range(len(rows)))
    for _ in range(max_new_tokens):
        active = [i for i in active if len(rows[i]) < limit]
        if not active:
            break
        packed = pack([rows[i] for i in active], [len(rows[i]) for i in active], tokenizer.pad_id)
        packed = packed.to(device)
        logits = (
            model(
                input_ids=packed.input_ids,
                attention_mask=packed.attention_mask,
                position_ids=packed.position_ids,
            )
            .logits[:, -1]
            .float()
        )
        chosen = _choose(logits, temperature, generator).tolist()
        still = []
        for i, token in zip(active, chosen, strict=True):
            rows[i].append(token)
            if token != tokenizer.eos_id:
                answers[i].append(token)
                still.append(i)
        active = still
    return answers


def _choose(
    logits: torch.Tensor, temperature: float, generator: torch.Generator | None
) -> torch.Tensor:
    if temperature <= 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs.cpu(), 1, generator=generator).squeeze(1)
