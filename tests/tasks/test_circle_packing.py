"""Vector circle packing: LP radii, SLSQP polish, exact verification and rejection."""

import numpy as np
import pytest

from tests.tasks.conftest import load_task_module

packing = load_task_module("circle_packing")
GRID_4 = [0.25, 0.25, 0.75, 0.25, 0.25, 0.75, 0.75, 0.75]


def exact_problems(centres: np.ndarray, radii: np.ndarray) -> int:
    """Count wall crossings and overlaps with zero tolerance, independently of the evaluator."""
    count = 0
    for k, ((x, y), r) in enumerate(zip(centres, radii, strict=True)):
        count += x - r < 0 or x + r > 1 or y - r < 0 or y + r > 1
        for m in range(k + 1, len(radii)):
            count += r + radii[m] > np.hypot(x - centres[m][0], y - centres[m][1])
    return count


def test_four_circles_on_a_grid_get_radius_one_quarter():
    result = packing.evaluate(GRID_4, n=4, polish_iterations=0)
    assert result["sum_radii"] == pytest.approx(1.0, abs=1e-9)
    assert result["sum_radii"] <= 1.0


@pytest.mark.parametrize("seed", range(3))
def test_random_centres_give_a_strictly_valid_polished_packing(seed):
    rng = np.random.default_rng(seed)
    result = packing.evaluate(rng.uniform(0, 1, 20).tolist(), n=10)
    centres = np.array(result["artifacts"]["polished"]).reshape(10, 2)
    radii = np.array(result["artifacts"]["radii"])
    assert result.get("valid", True)
    assert exact_problems(centres, radii) == 0
    assert radii.sum() == pytest.approx(result["sum_radii"], rel=1e-12)
    assert result["sum_radii"] >= result["raw_sum_radii"]


def test_the_polish_improves_most_random_starts_a_lot():
    """SLSQP is a local method and may stall from a bad start (which start depends even on
    the BLAS thread count), so this asks for most starts, not every one."""
    gains = []
    for seed in range(6):
        x = np.random.default_rng(seed).uniform(0, 1, 20).tolist()
        result = packing.evaluate(x, n=10)
        gains.append(result["sum_radii"] - result["raw_sum_radii"])
    assert sum(gain > 0.1 for gain in gains) >= 4, gains


def test_evaluation_is_deterministic_and_the_polished_centres_reproduce_the_score():
    x = np.random.default_rng(4).uniform(0, 1, 20).tolist()
    first, second = packing.evaluate(x, n=10), packing.evaluate(x, n=10)
    again = packing.evaluate(first["artifacts"]["polished"], n=10)
    assert first["sum_radii"] == second["sum_radii"]
    assert again["sum_radii"] >= first["sum_radii"] - 1e-9


def test_solver_tolerance_is_repaired_to_an_exact_packing():
    centres = np.array(GRID_4).reshape(4, 2)
    radii = np.full(4, 0.25 + 1e-9)  # what an LP within its feasibility tolerance returns
    assert packing.violations(centres, radii)
    repaired = packing.feasible_radii(centres, radii)
    assert packing.violations(centres, repaired) == []
    assert repaired.sum() == pytest.approx(1.0, abs=1e-8)


def test_overlap_feedback_names_the_circles_and_the_amount():
    centres = np.array([[0.3, 0.5], [0.5, 0.5]])
    problems = packing.violations(centres, np.array([0.15, 0.15]))
    assert problems == ["circles 0 and 1 overlap by 0.1"]


@pytest.mark.parametrize(
    ("candidate", "words"),
    [
        ([0.5] * 51, "expected 52 finite numbers"),
        ([float("nan")] * 52, "expected 52 finite numbers"),
        ([float("inf")] + [0.5] * 51, "expected 52 finite numbers"),
        ([1.5] + [0.5] * 51, "coordinate 0 is 1.5"),
        ([0.5] * 51 + [-0.1], "coordinate 51 is -0.1"),
    ],
)
def test_malformed_candidates_are_invalid_with_a_reason(candidate, words):
    result = packing.evaluate(candidate)
    assert result["valid"] is False
    assert words in result["feedback"]
