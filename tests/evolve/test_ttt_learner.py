"""`TTTLearner` on a policy small enough to check by hand: a softmax over five actions."""

from __future__ import annotations

import math

import pytest
import torch

from evolve.ttt.loss import ttt_loss
from evolve.ttt.policy import Group, TTTConfig, TTTLearner, TTTPolicy


class Categorical:
    """pi(a) = softmax(logits)[a], whatever the state."""

    def __init__(self, logits: torch.Tensor | None = None) -> None:
        self.logits = torch.nn.Parameter(torch.zeros(5) if logits is None else logits.clone())

    def sample(self, state, k, generator):
        probs = torch.softmax(self.logits.detach(), 0)
        return torch.multinomial(probs, k, replacement=True, generator=generator).tolist()

    def log_probs(self, state, actions):
        return torch.log_softmax(self.logits, 0)[list(actions)]

    def parameters(self):
        return [self.logits]

    def frozen_copy(self):
        return Categorical(self.logits.detach())


def test_a_categorical_is_a_ttt_policy():
    assert isinstance(Categorical(), TTTPolicy)


def test_the_loss_is_minus_the_advantage_weighted_log_likelihood():
    log_probs = torch.tensor([-1.0, -2.0, -0.5], requires_grad=True)
    loss = ttt_loss(log_probs, [0.5, -1.0, 0.25])
    assert float(loss) == pytest.approx(-(0.5 * -1.0 + -1.0 * -2.0 + 0.25 * -0.5))
    loss.backward()
    assert log_probs.grad.tolist() == [-0.5, 1.0, -0.25]


def test_the_kl_term_pulls_towards_the_base_policy():
    log_probs = torch.tensor([-1.0, -2.0], requires_grad=True)
    loss = ttt_loss(log_probs, [0.0, 0.0], torch.tensor([-1.5, -1.5]), kl_weight=2.0)
    assert float(loss) == pytest.approx(2.0 * ((-1.0 + 1.5) + (-2.0 + 1.5)) / 2)


def test_learning_from_groups_moves_probability_to_the_best_action():
    policy = Categorical()
    learner = TTTLearner(policy, TTTConfig(enabled=True, group_size=8, lr=0.1))
    generator = torch.Generator().manual_seed(0)
    for _ in range(30):
        actions = policy.sample("", 8, generator)
        learner.update([Group("", tuple(actions), tuple(float(a) for a in actions))])
    probs = torch.softmax(policy.logits.detach(), 0)
    assert int(probs.argmax()) == 4 and float(probs[4]) > 0.6
    curve = learner.curve
    assert len(curve) == 30
    assert curve[-1]["mean_reward"] > curve[0]["mean_reward"]
    assert curve[-1]["entropy"] < curve[0]["entropy"]


def test_a_kl_weight_keeps_the_policy_nearer_its_base():
    def final_probability(kl_weight):
        policy = Categorical()
        config = TTTConfig(enabled=True, group_size=8, lr=0.1, kl_weight=kl_weight)
        learner = TTTLearner(policy, config)
        generator = torch.Generator().manual_seed(0)
        for _ in range(30):
            actions = policy.sample("", 8, generator)
            learner.update([Group("", tuple(actions), tuple(float(a) for a in actions))])
        return float(torch.softmax(policy.logits.detach(), 0)[4])

    assert final_probability(5.0) < final_probability(0.0)


@pytest.mark.parametrize(
    ("options", "word"),
    [({"group_size": 1}, "group_size"), ({"lr": -1.0}, "lr"), ({"lr": math.inf}, "lr")],
)
def test_bad_ttt_options_say_which(options, word):
    with pytest.raises(ValueError, match=word):
        TTTConfig(enabled=True, **options)
