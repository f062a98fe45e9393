"""The untuned suite (`tasks/suite/`): every YAML loads, every evaluator scores known
constructions exactly, and every `terms` variant's terms have the score as their min
(max when minimized)."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from discovery.spec import load_task
from tests.tasks.conftest import TASKS, load_task_module

SUITE = TASKS / "suite"
YAMLS = sorted(SUITE.glob("*/*.yaml"))
PHI = (1 + 5**0.5) / 2
ICOSAHEDRON = np.array(
    [(0, s * 1, t * PHI) for s in (1, -1) for t in (1, -1)]
    + [(s * 1, t * PHI, 0) for s in (1, -1) for t in (1, -1)]
    + [(t * PHI, 0, s * 1) for s in (1, -1) for t in (1, -1)],
    dtype=float,
)


def suite_module(folder: str):
    return load_task_module(f"suite/{folder}")


def test_the_suite_holds_ten_problems_each_with_a_cited_best_value():
    best = json.loads((SUITE / "best_known.json").read_text())
    names = {load_task(path).name for path in YAMLS}
    problems = {name.removesuffix("-terms") for name in names}
    assert len(problems) >= 10
    assert problems == set(best)
    assert all(entry["source"] and isinstance(entry["value"], float) for entry in best.values())


@pytest.mark.parametrize("path", YAMLS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_task_scores_a_random_candidate_with_its_objective(path: Path):
    spec = load_task(path)
    module = load_task_module(f"suite/{path.parent.name}")
    space = spec.vector
    x = np.random.default_rng(0).uniform(space.low, space.high, space.size)
    result = module.evaluate(x.tolist(), **spec.params)
    value = result[spec.objective.metric]
    assert np.isfinite(value)
    if "terms" in result:
        terms = np.array(result["terms"])
        if spec.objective.direction == "maximize":
            assert terms.min() == pytest.approx(value, rel=1e-12)
        else:
            assert "constraints" in result and len(result["constraints"]) == len(terms)


def test_thomson_energy_of_the_icosahedron_is_the_known_minimum():
    energy = suite_module("thomson").evaluate(ICOSAHEDRON.ravel().tolist(), n=12)["energy"]
    assert energy == pytest.approx(49.165253058, abs=1e-8)


def test_lennard_jones_13_centred_icosahedron_reaches_the_database_minimum():
    evaluate = suite_module("lennard_jones").evaluate
    unit = np.vstack([[0, 0, 0], ICOSAHEDRON / np.linalg.norm(ICOSAHEDRON[0])])

    def energy(scale: float) -> float:
        return evaluate((unit * scale).ravel().tolist(), n=13)["energy"]

    best = minimize_scalar(energy, bounds=(0.9, 1.3), method="bounded", options={"xatol": 1e-12})
    assert best.fun == pytest.approx(-44.326801, abs=1e-6)


def test_tammes_angle_of_the_icosahedron():
    angle = suite_module("tammes").evaluate(ICOSAHEDRON.ravel().tolist(), n=12)["min_angle"]
    assert angle == pytest.approx(np.degrees(np.arctan(2.0)), abs=1e-9)  # 63.43 degrees


def test_seven_circles_in_a_circle_have_radius_one_third():
    ring = [(2 / 3 * np.cos(a), 2 / 3 * np.sin(a)) for a in np.arange(6) * np.pi / 3]
    centres = np.array([(0.0, 0.0), *ring])
    result = suite_module("circles_in_circle").evaluate(centres.ravel().tolist(), n=7, terms=True)
    assert result["radius"] == pytest.approx(1 / 3, abs=1e-12)
    assert len(result["terms"]) == 21 + 7


def test_a_centre_outside_the_circle_is_invalid_with_feedback():
    result = suite_module("circles_in_circle").evaluate([0.0, 0.0, 1.0, 1.0], n=2)
    assert result["valid"] is False
    assert "centre 1 is outside" in result["feedback"]


def test_nine_points_on_a_grid_are_half_apart():
    grid = np.array([(x, y) for x in (0, 0.5, 1) for y in (0, 0.5, 1)])
    result = suite_module("spread_points").evaluate(grid.ravel().tolist(), n=9)
    assert result["min_distance"] == pytest.approx(0.5)


def test_heilbronn_square_corners_give_half_the_square():
    corners = [0, 0, 1, 0, 1, 1, 0, 1]
    assert suite_module("heilbronn_square").evaluate(corners, n=4)["min_area"] == 0.5


def test_heilbronn_triangle_folds_every_pair_inside_and_corners_fill_it():
    module = suite_module("heilbronn_triangle")
    pairs = np.random.default_rng(1).uniform(0, 1, (200, 2))
    points = module.points_in_triangle(pairs)
    assert np.all(points[:, 1] >= -1e-12)
    assert np.all(points[:, 1] <= np.sqrt(3) * points[:, 0] + 1e-12)
    assert np.all(points[:, 1] <= np.sqrt(3) * (1 - points[:, 0]) + 1e-12)
    corners = [0, 0, 1, 0, 0, 1]
    assert module.evaluate(corners, n=3)["min_area"] == pytest.approx(1.0)


def test_distance_ratio_of_a_centred_hexagon_is_four():
    hexagon = [(0.5 + 0.2 * np.cos(a), 0.5 + 0.2 * np.sin(a)) for a in np.arange(6) * np.pi / 3]
    points = np.array([(0.5, 0.5), *hexagon])
    result = suite_module("distance_ratio").evaluate(points.ravel().tolist(), n=7, terms=True)
    assert result["ratio_squared"] == pytest.approx(4.0)
    assert min(result["constraints"]) == pytest.approx(0.04 / 0.05 - 1)
