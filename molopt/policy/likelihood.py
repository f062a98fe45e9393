"""Batches of token ids and the log-likelihood a policy gives to SMILES strings.

``log p(x) = sum_t log p(x_t | x_<t)`` over the tokens after ``<bos>``, ``<eos>`` included:
the quantity REINVENT's augmented likelihood is built on (Olivecrona et al. 2017). The mean
token loss used in pretraining is the same sum divided by the number of tokens.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import GPT2LMHeadModel

from molopt.policy.tokenizer import SmilesTokenizer


def encode_batch(
    tokenizer: SmilesTokenizer, smiles: Sequence[str], device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids ``[batch, length]`` and their attention mask (1 on real tokens)."""
    encoded = [tokenizer.encode(s) for s in smiles]
    length = max(len(ids) for ids in encoded)
    ids = torch.full((len(encoded), length), tokenizer.pad_id, dtype=torch.long)
    mask = torch.zeros((len(encoded), length), dtype=torch.long)
    for row, tokens in enumerate(encoded):
        ids[row, : len(tokens)] = torch.tensor(tokens)
        mask[row, : len(tokens)] = 1
    return ids.to(device), mask.to(device)


def token_log_probs(model: GPT2LMHeadModel, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Log-probability of each next token ``[batch, length - 1]`` (0 on padding)."""
    logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]  # [batch, length-1, vocab]
    picked = torch.log_softmax(logits.float(), dim=-1).gather(-1, ids[:, 1:, None])[..., 0]
    return picked * mask[:, 1:]


def log_likelihoods(
    model: GPT2LMHeadModel, tokenizer: SmilesTokenizer, smiles: Sequence[str]
) -> torch.Tensor:
    """``log p(x)`` of each SMILES under `model` ``[batch]`` (differentiable)."""
    device = next(model.parameters()).device
    ids, mask = encode_batch(tokenizer, smiles, device)
    return token_log_probs(model, ids, mask).sum(dim=1)


def mean_token_loss(model: GPT2LMHeadModel, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood per predicted token (the pretraining loss)."""
    return -token_log_probs(model, ids, mask).sum() / mask[:, 1:].sum()
