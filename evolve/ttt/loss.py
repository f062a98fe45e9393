"""TTT-Discover's policy-gradient loss for one group of rollouts from one state.

    loss = - sum_i A_i log pi(a_i | s)  +  kl_weight * mean_i (log pi(a_i | s) - log pi_0(a_i | s))

A_i are the entropic advantages (`evolve.ttt.entropic`), constants for the gradient. The
optional second term keeps the policy near the frozen base policy pi_0 (a sample estimate of
KL(pi || pi_0) on the group's own actions).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def ttt_loss(
    log_probs: torch.Tensor,
    advantages: Sequence[float],
    base_log_probs: torch.Tensor | None = None,
    kl_weight: float = 0.0,
) -> torch.Tensor:
    """The loss of one group: `log_probs` [K] differentiable, `base_log_probs` [K] constants."""
    weights = torch.as_tensor(list(advantages), dtype=log_probs.dtype, device=log_probs.device)
    loss = -(weights * log_probs).sum()
    if kl_weight and base_log_probs is not None:
        loss = loss + kl_weight * (log_probs - base_log_probs.detach()).mean()
    return loss
