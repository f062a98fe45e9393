"""Losses of the three trainers, on token log-probs restricted to answer tokens.

- SFT: mean negative log-likelihood of the reference answer tokens.
- GRPO (Shao et al. 2024, *DeepSeekMath*): group-normalised advantages
  ``A_i = (r_i - mean(r_group)) / (std(r_group) + eps)`` over the G samples of one prompt;
  one on-policy update per batch, so the clipped ratio is 1 and the loss is
  ``-sum_i A_i sum_t logp_i,t / sum_i |o_i|`` (token-level mean over the group).
- RePO (*Reference-guided Policy Optimization*): the GRPO loss plus ``β`` times the mean
  negative log-likelihood of the reference answer given the prompt and the policy's own
  prefix. Our prompt has no reasoning segment, so that prefix is empty and the reference
  term is teacher-forced on the answer tokens only; ``β = 0`` is plain GRPO.
"""

from __future__ import annotations

import torch


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of `values` where `mask` is true (0 when the mask is empty)."""
    mask = mask.to(values.dtype)
    return (values * mask).sum() / mask.sum().clamp(min=1.0)


def sft_loss(logp: torch.Tensor, answer_mask: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood of answer tokens."""
    return -masked_mean(logp, answer_mask)


def group_advantages(rewards: torch.Tensor, group_size: int, eps: float = 1e-4) -> torch.Tensor:
    """GRPO advantages: rewards standardised within consecutive groups of `group_size`."""
    groups = rewards.view(-1, group_size)
    mean = groups.mean(dim=1, keepdim=True)
    std = groups.std(dim=1, keepdim=True, unbiased=False)
    return ((groups - mean) / (std + eps)).view(-1)


def repo_loss(
    sample_logp: torch.Tensor,
    sample_mask: torch.Tensor,
    advantages: torch.Tensor,
    reference_logp: torch.Tensor | None,
    reference_mask: torch.Tensor | None,
    reference_weight: float,
) -> torch.Tensor:
    """GRPO policy-gradient loss + `reference_weight` × reference-answer NLL (RePO).

    `sample_logp` / `sample_mask`: [B·G, T] log-probs and answer masks of sampled answers;
    `advantages`: [B·G]; `reference_logp` / `reference_mask`: [B, T'] for the reference
    answers (ignored when `reference_weight` is 0).
    """
    policy = -masked_mean(sample_logp * advantages.unsqueeze(1), sample_mask)
    if reference_weight == 0 or reference_logp is None or reference_mask is None:
        return policy
    return policy + reference_weight * sft_loss(reference_logp, reference_mask)
