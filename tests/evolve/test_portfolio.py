"""The operator portfolio (`evolve.proposers.portfolio`): shares follow measured yield, its
memory spans a share of the run whatever a proposal costs, and its state round-trips."""

import numpy as np
import pytest

from evolve.proposers.portfolio import (
    HALF_LIFE_SHARE,
    MAX_GAIN,
    MIN_HALF_LIFE,
    MIN_SHARE,
    Portfolio,
    memory_decay,
    relative_gain,
)

REFINEMENT_CALLS = 10_000.0  # about what one local optimization of a suite task costs


def test_one_expensive_refinement_does_not_erase_what_was_measured_before_it():
    portfolio = Portfolio([0.5, 0.5], [300.0, REFINEMENT_CALLS])
    for _ in range(20):  # arm 1 has yielded: it is well ahead
        portfolio.credit(1, MAX_GAIN, REFINEMENT_CALLS)
        portfolio.credit(0, 0.0, 300.0)
    ahead = portfolio.time_shares([0, 1])[1]
    portfolio.credit(1, 0.0, REFINEMENT_CALLS)  # one more refinement without gain
    assert ahead > 0.9
    assert portfolio.time_shares([0, 1])[1] > 0.9


def test_the_memory_half_life_grows_with_the_run_s_spending():
    assert memory_decay(MIN_HALF_LIFE, 0.0) == pytest.approx(0.5)
    spent = 10 * MIN_HALF_LIFE / HALF_LIFE_SHARE
    assert memory_decay(HALF_LIFE_SHARE * spent, spent) == pytest.approx(0.5)


def test_gains_long_ago_fade_and_the_arm_that_yields_now_takes_the_time():
    portfolio = Portfolio([0.5, 0.5], [300.0, REFINEMENT_CALLS])
    for _ in range(10):  # early in the run, arm 0 improves the best
        portfolio.credit(0, MAX_GAIN, 300.0)
    assert portfolio.time_shares([0, 1])[0] > 0.9
    for _ in range(200):  # then only arm 1 does, for a long while
        portfolio.credit(1, MAX_GAIN, REFINEMENT_CALLS)
        portfolio.credit(0, 0.0, 300.0)
    assert portfolio.time_shares([0, 1])[1] > 0.9


def test_an_arm_that_never_yields_keeps_its_floor_share():
    portfolio = Portfolio([0.5, 0.5], [300.0, 300.0])
    for _ in range(100):
        portfolio.credit(0, MAX_GAIN, 300.0)
        portfolio.credit(1, 0.0, 300.0)
    assert portfolio.time_shares([0, 1])[1] == pytest.approx(MIN_SHARE / (1 + MIN_SHARE), rel=0.2)


def test_relative_gain_is_capped_and_zero_without_improvement():
    assert relative_gain(-50.0, -10.0) == 0.0
    assert relative_gain(None, 1.0) == 0.0
    assert relative_gain(2.0, 1.0) == MAX_GAIN
    assert relative_gain(1.0 + 1e-6, 1.0) == pytest.approx(1e-6)


def test_state_round_trips_and_an_older_state_without_spending_loads():
    portfolio = Portfolio([0.2, 0.8], [300.0, REFINEMENT_CALLS])
    portfolio.credit(1, 0.005, 5000.0)
    restored = Portfolio.from_state(portfolio.state())
    assert restored.state() == portfolio.state()
    older = {k: v for k, v in portfolio.state().items() if k != "spent"}
    assert Portfolio.from_state(older).spent == 0.0
    counts = restored.counts(8, [0, 1], np.random.default_rng(0))
    assert sum(counts.values()) == 8
