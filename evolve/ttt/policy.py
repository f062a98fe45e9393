"""What a policy must offer to learn at test time, and the learner that trains any such policy.

A policy maps a state (a parent candidate, with the objective in its own conditioning) to a
distribution over actions (children, or edits that make them). `TTTLearner` holds the policy,
a frozen copy of it as the base of the KL term, and an Adam optimizer; after each generation
it takes `steps` gradient steps of `ttt_loss` over the generation's groups and records the
learning curve (mean reward, beta, mean negative log-likelihood of the actions taken, which
is a sample estimate of the policy's entropy on them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import torch

from evolve.ttt.entropic import adaptive_beta, leave_one_out_weights
from evolve.ttt.loss import ttt_loss


@runtime_checkable
class TTTPolicy(Protocol):
    """A policy that can be sampled, scored and trained."""

    def sample(self, state: str, k: int, generator: torch.Generator) -> list[Any]:
        """`k` actions from `state` (JSON-friendly values)."""
        ...

    def log_probs(self, state: str, actions: Sequence[Any]) -> torch.Tensor:
        """log pi(a | state) of each action, differentiable, shape [len(actions)]."""
        ...

    def parameters(self) -> Iterable[torch.nn.Parameter]:
        """The parameters to train."""
        ...

    def frozen_copy(self) -> TTTPolicy:
        """A copy that will not change (the KL term's base policy)."""
        ...


@dataclass(frozen=True)
class Group:
    """K rollouts from one state and their rewards (invalid children carry the invalid reward)."""

    state: str
    actions: tuple[Any, ...]
    rewards: tuple[float, ...]


@dataclass(frozen=True)
class TTTConfig:
    """`proposer: {ttt: {...}}` of a task: group size K, learning rate, KL weight, steps."""

    enabled: bool = False
    group_size: int = 8
    lr: float = 1e-4
    kl_weight: float = 0.0
    steps_per_generation: int = 1

    def __post_init__(self) -> None:
        if self.group_size < 2:
            raise ValueError(f"ttt.group_size must be at least 2, not {self.group_size}")
        if not self.lr > 0 or not math.isfinite(self.lr):
            raise ValueError(f"ttt.lr must be a positive number, not {self.lr}")
        if self.kl_weight < 0 or self.steps_per_generation < 1:
            raise ValueError("ttt.kl_weight must be >= 0 and ttt.steps_per_generation >= 1")


@dataclass
class TTTLearner:
    """Trains `policy` on groups with the entropic objective; see the module docstring."""

    policy: TTTPolicy
    config: TTTConfig
    base: TTTPolicy | None = None
    optimizer: torch.optim.Optimizer | None = None
    curve: list[dict[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.config.kl_weight and self.base is None:
            self.base = self.policy.frozen_copy()
        if self.optimizer is None:
            self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=self.config.lr)

    def update(self, groups: Sequence[Group]) -> dict[str, float] | None:
        """`steps_per_generation` steps on `groups` (those with two rollouts or more)."""
        groups = [g for g in groups if len(g.actions) >= 2]
        if not groups:
            return None
        betas = [adaptive_beta(g.rewards) for g in groups]
        advantages = [
            leave_one_out_weights(g.rewards, b) - 1.0 for g, b in zip(groups, betas, strict=True)
        ]
        base = [self._base_log_probs(g) for g in groups]
        for _ in range(self.config.steps_per_generation):
            self.optimizer.zero_grad(set_to_none=True)
            total, nll = 0.0, 0.0
            for group, advantage, base_lp in zip(groups, advantages, base, strict=True):
                log_probs = self.policy.log_probs(group.state, group.actions)
                loss = ttt_loss(log_probs, advantage, base_lp, self.config.kl_weight)
                loss.backward()
                total += float(loss.detach())
                nll -= float(log_probs.detach().mean())
            self.optimizer.step()
        point = {
            "step": float(len(self.curve) + 1),
            "mean_reward": sum(sum(g.rewards) / len(g.rewards) for g in groups) / len(groups),
            "beta": sum(betas) / len(betas),
            "entropy": nll / len(groups),
            "loss": total / len(groups),
        }
        self.curve.append(point)
        return point

    def _base_log_probs(self, group: Group) -> torch.Tensor | None:
        if self.base is None:
            return None
        with torch.no_grad():
            return self.base.log_probs(group.state, group.actions)

    def state(self) -> dict[str, Any]:
        """Optimizer state and curve, for saving beside the policy's weights."""
        return {"optimizer": self.optimizer.state_dict(), "curve": self.curve}

    def load_state(self, state: dict[str, Any]) -> None:
        """Inverse of `state`."""
        self.optimizer.load_state_dict(state["optimizer"])
        self.curve = list(state.get("curve", []))
