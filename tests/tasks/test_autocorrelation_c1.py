"""First autocorrelation inequality: the exact bound of a step function, polish, rejection."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from tests.tasks.conftest import load_task_module

c1 = load_task_module("autocorrelation_c1")


def test_constant_function_bounds_two():
    # f = 1 on [-1/4, 1/4]: max(f * f) = 1/2 and (int f)^2 = 1/4.
    assert c1.autoconvolution_bound(np.ones(10)) == pytest.approx(2.0)


def test_bound_is_scale_free_and_matches_a_fine_numeric_autoconvolution():
    heights = np.random.default_rng(0).uniform(0, 1, 8)
    fine = np.repeat(heights, 200)  # the same step function on a 200x finer grid
    width = 0.5 / len(fine)
    numeric = np.max(np.convolve(fine, fine)) * width / (fine.sum() * width) ** 2
    assert c1.autoconvolution_bound(3.0 * heights) == pytest.approx(
        c1.autoconvolution_bound(heights)
    )
    assert c1.autoconvolution_bound(heights) == pytest.approx(numeric, rel=1e-2)


def test_convolution_jacobian_matches_finite_differences():
    a = np.random.default_rng(1).uniform(0, 1, 6)
    numeric = [approx_fprime(a, lambda x, k=k: np.convolve(x, x)[k], 1e-7) for k in range(11)]
    assert np.allclose(c1.convolution_jacobian(a), numeric, atol=1e-5)


def test_polish_lowers_the_bound_and_its_output_reproduces_the_score():
    candidate = np.random.default_rng(2).uniform(0, 1, 20).tolist()
    result = c1.evaluate(candidate, n=20, polish_iterations=30)
    again = c1.evaluate(result["artifacts"]["polished"], n=20, polish_iterations=0)
    assert result["c1"] < result["raw_c1"]
    assert again["c1"] == pytest.approx(result["c1"], rel=1e-12)
    assert max(result["artifacts"]["polished"]) == 1.0


@pytest.mark.parametrize(
    ("candidate", "words"),
    [
        ([0.5] * 9, "expected 10 heights"),
        ([float("nan")] * 10, "heights must be finite"),
        ([0.5] * 9 + [-1e-12], "step 9 is -1e-12"),
        ([0.0] * 10, "at least one height must be positive"),
    ],
)
def test_bad_heights_are_invalid_with_a_reason(candidate, words):
    result = c1.evaluate(candidate, n=10)
    assert result["valid"] is False
    assert words in result["feedback"]
