"""Score modifiers and means, checked against their closed forms."""

from __future__ import annotations

import math

import pytest
from scipy.stats import gmean

from molopt.modifiers import (
    Clipped,
    Complement,
    Gaussian,
    MaxGaussian,
    MinGaussian,
    Threshold,
    arithmetic_mean,
    geometric_mean,
)


def test_gaussian_is_one_at_mu_and_exp_minus_half_one_sigma_away():
    g = Gaussian(mu=2.0, sigma=0.5)
    assert g(2.0) == 1.0
    assert g(2.5) == pytest.approx(math.exp(-0.5))
    assert g(1.5) == pytest.approx(math.exp(-0.5))


def test_half_gaussians_are_flat_on_the_good_side():
    at_most = MinGaussian(mu=1.0, sigma=1.0)
    at_least = MaxGaussian(mu=100.0, sigma=10.0)
    assert at_most(-3.0) == 1.0 and at_most(2.0) == pytest.approx(math.exp(-0.5))
    assert at_least(150.0) == 1.0 and at_least(90.0) == pytest.approx(math.exp(-0.5))


def test_clipped_is_linear_then_flat():
    clip = Clipped(upper_x=0.75)
    assert clip(0.375) == pytest.approx(0.5)
    assert clip(0.9) == 1.0
    assert clip(-0.1) == 0.0


def test_clipped_rejects_a_degenerate_range():
    with pytest.raises(ValueError, match="differ"):
        Clipped(upper_x=0.0, lower_x=0.0)


def test_threshold_and_complement():
    assert Threshold(0.5)(0.25) == 0.5
    assert Threshold(0.5)(0.8) == 1.0
    assert Complement()(1.0) == 0.0


def test_means_match_scipy_and_zero_vetoes_the_geometric_mean():
    scores = [0.2, 0.9, 0.5]
    assert geometric_mean(scores) == pytest.approx(gmean(scores))
    assert arithmetic_mean(scores) == pytest.approx(sum(scores) / 3)
    assert geometric_mean([0.0, 1.0]) == 0.0
