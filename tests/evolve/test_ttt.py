"""TTT-Discover's pieces against their definitions, on hand-made rewards and a hand-built tree."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evolve.context import Member
from evolve.ttt import (
    adaptive_beta,
    entropic_advantages,
    leave_one_out_weights,
    select_states,
    tree_stats,
    ttt_puct_scores,
)


def kl_to_uniform(rewards, beta):
    """KL(q || uniform), q_i = exp(beta r_i) / sum_j exp(beta r_j), computed term by term."""
    terms = [math.exp(beta * r) for r in rewards]
    total = sum(terms)
    return sum(t / total * math.log(t / total * len(rewards)) for t in terms)


@pytest.mark.parametrize(
    "rewards",
    [[0.1, 0.2, 0.3, 0.9], [1.0, 1.0, 1.0, 2.0], [-5.0, 3.0, 2.5, 2.9, 0.0, 1.0]],
)
def test_beta_solves_the_kl_condition(rewards):
    beta = adaptive_beta(rewards)
    assert beta > 0
    assert kl_to_uniform(rewards, beta) == pytest.approx(math.log(2), rel=1e-6)


def test_beta_is_scale_free_in_the_rewards():
    rewards = [0.1, 0.2, 0.3, 0.9]
    assert adaptive_beta([10 * r for r in rewards]) == pytest.approx(adaptive_beta(rewards) / 10)


def test_equal_rewards_give_beta_zero_and_no_advantage():
    assert adaptive_beta([2.0, 2.0, 2.0]) == 0.0
    assert np.allclose(entropic_advantages([2.0, 2.0, 2.0]), 0.0)


@pytest.mark.parametrize("rewards", [[0.0, 1.0], [0.0, 1.0, 1.0]])
def test_out_of_reach_targets_aim_at_half_the_bound(rewards):
    """KL < ln(K / m) for every finite beta (m best rewards of K): where that bound is at most
    ln 2, beta aims at half of it, and the weights stay finite."""
    bound = math.log(len(rewards) / rewards.count(max(rewards)))
    beta = adaptive_beta(rewards)
    assert kl_to_uniform(rewards, beta) == pytest.approx(bound / 2, rel=1e-6)
    assert np.isfinite(entropic_advantages(rewards)).all()


def test_leave_one_out_weights_match_a_direct_computation():
    rewards, beta = [0.5, 1.5, -1.0, 2.0], 1.7
    expected = []
    for i, r in enumerate(rewards):
        others = [math.exp(beta * rewards[j]) for j in range(len(rewards)) if j != i]
        expected.append(math.exp(beta * r) / (sum(others) / len(others)))
    assert np.allclose(leave_one_out_weights(rewards, beta), expected)


def test_the_best_child_gets_the_largest_advantage():
    advantages = entropic_advantages([0.2, 0.9, 0.4, 0.1])
    assert int(np.argmax(advantages)) == 1
    assert advantages[1] > 0 > advantages[3]


def member(name, fitness, parent=None):
    return Member(name, name, fitness, {}, fitness is not None, parents=(parent,) if parent else ())


# a (R=1) -> b (R=3) -> d (R=5);  a -> c (R=2);  e (R=0) alone
TREE = [
    member("a", 1.0),
    member("b", 3.0, "a"),
    member("c", 2.0, "a"),
    member("d", 5.0, "b"),
    member("e", 0.0),
]
EXPANSIONS = {"a": 2, "b": 1}


def test_q_is_the_best_child_reward_else_the_own_reward():
    stats = tree_stats(TREE, EXPANSIONS)
    assert {h: s.q for h, s in stats.items()} == {"a": 3.0, "b": 5.0, "c": 2.0, "d": 5.0, "e": 0.0}


def test_n_counts_the_expansions_of_the_state_and_its_descendants():
    stats = tree_stats(TREE, EXPANSIONS)
    assert {h: s.n for h, s in stats.items()} == {"a": 3, "b": 1, "c": 0, "d": 0, "e": 0}
    assert stats["d"].ancestors == {"a", "b"}


def test_puct_score_follows_the_formula():
    c, total, scale = 0.5, 3, 5.0  # T = 2 + 1 expansions; scale = 5 - 0
    prior = np.array([1 / 4, 1 / 2, 1 / 3, 1, 1 / 5])  # ranks: d b c a e
    prior /= prior.sum()
    q = np.array([3.0, 5.0, 2.0, 5.0, 0.0])
    n = np.array([3, 1, 0, 0, 0])
    expected = q + c * scale * prior * math.sqrt(1 + total) / (1 + n)
    assert np.allclose(ttt_puct_scores(TREE, EXPANSIONS, exploration=c), expected)


def test_invalid_members_take_the_lowest_reward():
    tree = [*TREE, member("x", None, "e")]
    stats = tree_stats(tree, {})
    assert stats["x"].q == 0.0 and stats["e"].q == 0.0


def test_selected_states_are_not_in_each_others_lineage():
    picked = select_states(TREE, 3, EXPANSIONS, exploration=0.0)
    names = [m.hash for m in picked]
    assert names[0] in ("b", "d")  # Q = 5
    assert not ({"b", "d"} <= set(names)) and not ({"a", "b"} <= set(names))
    assert not ({"a", "d"} <= set(names))
    assert "e" in names
