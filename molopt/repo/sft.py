"""Supervised fine-tuning step: maximise the likelihood of the reference answer tokens."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from molopt.repo.batch import forward_logprobs, pack
from molopt.repo.losses import sft_loss
from molopt.repo.tokenizer import Tokenizer


def reference_batch(
    pairs: Sequence[tuple[list[int], list[int]]], tokenizer: Tokenizer, device: torch.device
):
    """Packed ``prompt + reference answer`` sequences of (prompt ids, answer ids) pairs."""
    return pack([p + a for p, a in pairs], [len(p) for p, _ in pairs], tokenizer.pad_id).to(device)


def sft_step(
    model: torch.nn.Module,
    tokenizer: Tokenizer,
    pairs: Sequence[tuple[list[int], list[int]]],
    device: torch.device,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The SFT loss of one batch of (prompt ids, answer ids) pairs, and its log line."""
    packed = reference_batch(pairs, tokenizer, device)
    loss = sft_loss(forward_logprobs(model, packed), packed.answer_mask)
    return loss, {"loss": float(loss.detach())}
