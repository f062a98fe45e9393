"""Erdős minimum overlap: the bound, the projection, the polish and strict rejection."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from tests.tasks.conftest import load_task_module

erdos = load_task_module("erdos_min_overlap")


def test_half_constant_function_bounds_one_half():
    assert erdos.overlap_bound(np.full(20, 0.5)) == pytest.approx(0.5)


def test_indicator_of_the_first_half_bounds_one():
    h = np.r_[np.ones(10), np.zeros(10)]
    assert erdos.overlap_bound(h) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(3))
def test_projection_lands_on_the_constraint_set_and_is_idempotent(seed):
    values = np.random.default_rng(seed).normal(0.5, 1.0, 30)
    h = erdos.project(values)
    assert h.min() >= 0 and h.max() <= 1
    assert h.sum() == pytest.approx(15.0, abs=1e-12)
    assert np.allclose(erdos.project(h), h, atol=1e-12)


def test_correlation_jacobian_matches_finite_differences():
    h = np.random.default_rng(0).uniform(0, 1, 7)
    numeric = [
        approx_fprime(h, lambda x, k=k: np.correlate(x, 1 - x, "full")[k], 1e-7) for k in range(13)
    ]
    assert np.allclose(erdos.correlation_jacobian(h), numeric, atol=1e-5)


def test_polish_lowers_the_bound_and_its_output_reproduces_the_score():
    candidate = np.random.default_rng(1).uniform(0, 1, 20).tolist()
    result = erdos.evaluate(candidate, n=20, polish_iterations=30)
    again = erdos.evaluate(result["artifacts"]["polished"], n=20, polish_iterations=0)
    assert result["c5"] < result["raw_c5"]
    assert again["c5"] == pytest.approx(result["c5"], abs=1e-12)
    assert result["c5"] == pytest.approx(
        erdos.overlap_bound(np.array(again["artifacts"]["polished"]))
    )


def test_a_function_off_the_constraint_set_is_reported():
    assert "sum h must be n/2 = 5" in erdos.problems_of(np.full(10, 0.6))[0]
    assert "must lie in [0, 1]" in erdos.problems_of(np.r_[np.full(9, 0.5), 1.0 + 1e-12])[0]


@pytest.mark.parametrize("candidate", [[0.5] * 19, [float("nan")] * 20, [float("inf")] * 20])
def test_malformed_candidates_are_invalid(candidate):
    result = erdos.evaluate(candidate, n=20)
    assert result["valid"] is False
    assert "expected 20 finite numbers" in result["feedback"]
