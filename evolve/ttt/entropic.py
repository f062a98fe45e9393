"""The adaptive entropic advantage of TTT-Discover.

The objective is the entropic risk J_beta = log E_a[exp(beta R(a))], which tends to the best
reward of a group as beta grows: discovery wants the single best child, not a good average.
Its gradient weights each action by w(a) = exp(beta R(a)) / E[exp(beta R)], with the baseline
1 (E[w] = 1), so the advantage is A(a) = w(a) - 1.

beta is chosen per group, not tuned: the tilted distribution q_beta(i) proportional to
exp(beta r_i) must sit at KL(q_beta || uniform) = ln 2 from the uniform one over the group
(found by bisection, the KL grows monotonically with beta). The mean in w's denominator leaves
the action itself out (leave-one-out), so an action does not shrink its own weight:

    w_i = exp(beta (r_i - r_max)) / mean_{j != i} exp(beta (r_j - r_max)),   A_i = w_i - 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

TARGET_KL = math.log(2.0)
BISECTION_STEPS = 100


def _tilted_kl(rewards: np.ndarray, beta: float) -> float:
    """KL(q_beta || uniform) for q_beta proportional to exp(beta * rewards)."""
    logits = beta * (rewards - rewards.max())
    q = np.exp(logits - np.log(np.exp(logits).sum()))
    positive = q > 0
    return float(np.sum(q[positive] * np.log(q[positive] * len(rewards))))


def adaptive_beta(rewards: Sequence[float], target: float = TARGET_KL) -> float:
    """The beta >= 0 with KL(q_beta || uniform) = `target`, by bisection.

    0 when the rewards are all equal (every beta gives the uniform distribution). As beta
    grows, q_beta tends to the uniform distribution over the m best rewards, so the KL never
    exceeds ln(K / m) for a group of K: where that bound is at most `target` (a group of two,
    or the best reward shared by half the group), beta aims at half the bound instead.
    """
    r = np.asarray(rewards, dtype=float)
    if len(r) < 2 or np.ptp(r) == 0:
        return 0.0
    bound = math.log(len(r) / np.sum(r == r.max()))
    if bound <= target:
        target = 0.5 * bound
    low, high = 0.0, 1.0 / np.ptp(r)  # beta in units of the reward spread
    while _tilted_kl(r, high) < target:
        low, high = high, 2.0 * high
    for _ in range(BISECTION_STEPS):
        middle = 0.5 * (low + high)
        if _tilted_kl(r, middle) < target:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def leave_one_out_weights(rewards: Sequence[float], beta: float) -> np.ndarray:
    """w_i = exp(beta (r_i - r_max)) / mean_{j != i} exp(beta (r_j - r_max))."""
    r = np.asarray(rewards, dtype=float)
    if len(r) < 2:
        return np.ones(len(r))
    e = np.exp(beta * (r - r.max()))
    others = (e.sum() - e) / (len(r) - 1)
    return e / others


def entropic_advantages(rewards: Sequence[float], target: float = TARGET_KL) -> np.ndarray:
    """A_i = w_i - 1 with beta from `adaptive_beta`; zeros for a group with one reward."""
    beta = adaptive_beta(rewards, target)
    return leave_one_out_weights(rewards, beta) - 1.0
