"""Packing prompt + answer token sequences into left-padded tensors, and token log-probs.

Sequences are left-padded so that every answer ends at the same column and generation
appends to all rows at once; position ids count real tokens only. `answer_mask[b, t]` is
true where target token ``t + 1`` of row ``b`` belongs to the answer (answer tokens and
``<eos>``), so a loss weighted by it has no term, hence no gradient, on prompt tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch


@dataclass
class Packed:
    """Left-padded batch: ids, attention mask, position ids, answer mask (shifted targets)."""

    input_ids: torch.Tensor  # [B, T]
    attention_mask: torch.Tensor  # [B, T]
    position_ids: torch.Tensor  # [B, T]
    answer_mask: torch.Tensor  # [B, T-1], over targets input_ids[:, 1:]

    def to(self, device: torch.device | str) -> Packed:
        """The same batch on `device`."""
        return Packed(*(t.to(device) for t in vars(self).values()))


def pack(sequences: Sequence[Sequence[int]], answer_starts: Sequence[int], pad_id: int) -> Packed:
    """Left-pad `sequences`; tokens from index `answer_starts[b]` on are row b's answer."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(sequences), width), dtype=torch.long)
    answer = torch.zeros((len(sequences), width), dtype=torch.bool)
    for row, (seq, start) in enumerate(zip(sequences, answer_starts, strict=True)):
        offset = width - len(seq)
        ids[row, offset:] = torch.tensor(seq, dtype=torch.long)
        attention[row, offset:] = 1
        answer[row, offset + start :] = True
    positions = (attention.cumsum(dim=1) - 1).clamp(min=0)
    return Packed(ids, attention, positions, answer[:, 1:])


def token_logprobs(logits: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
    """log p(input_ids[:, t+1] | prefix) from logits [B, T, V]; shape [B, T-1]."""
    logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    return logp.gather(-1, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)


def forward_logprobs(model: torch.nn.Module, packed: Packed) -> torch.Tensor:
    """Token log-probs of `packed` under `model` (with gradient when enabled)."""
    out = model(
        input_ids=packed.input_ids,
        attention_mask=packed.attention_mask,
        position_ids=packed.position_ids,
    )
    return token_logprobs(out.logits, packed.input_ids)
