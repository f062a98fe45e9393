"""Engine-side local refinement (`science.refine`, `evolve.refinement`): it improves what
a score-only evaluator scores, solves max-min problems in epigraph form from `terms`,
is deterministic, rejects malformed structure clearly, and runs through the loop (in the
sandbox too) with its inner calls stored apart from the budget."""

import csv
import io

import numpy as np
import pytest

from discovery.report import write_history_csv
from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from evolve.proposers.vector import REFINING
from memory import Store
from science.refine import Refinement, refine_verdict
from science.structure import StructureInvalid, validate_structure

TARGET = np.array([0.2, 0.7, 0.4, 0.9])


def shifted_sphere(candidate):
    """Score only: maximize -|x - TARGET|^2 (optimum 0 at TARGET)."""
    return {"score": -float(np.sum((np.asarray(candidate) - TARGET) ** 2))}


def smallest_share(candidate, structured=True):
    """Maximize the smallest coordinate subject to sum(x) <= 1: optimum 1/n, all equal."""
    x = np.asarray(candidate)
    result = {"smallest": float(x.min()), "valid": bool(x.sum() <= 1.0 + 1e-9)}
    if structured:
        result["terms"] = x.tolist()
        result["constraints"] = [1.0 - float(x.sum())]
    return result


def test_score_only_refinement_reaches_the_optimum_of_a_smooth_evaluator():
    verdict = refine_verdict(shifted_sphere, [0.5] * 4, {}, Refinement("score", max_calls=500))
    assert verdict.valid
    assert verdict.metrics["score"] > -1e-10
    assert np.allclose(verdict.artifacts["refined"], TARGET, atol=1e-5)
    assert 1 < verdict.artifacts["inner_calls"] <= 500


def test_refinement_never_returns_worse_than_its_start():
    start = TARGET.tolist()  # already optimal
    verdict = refine_verdict(shifted_sphere, start, {}, Refinement("score", max_calls=3))
    assert verdict.metrics["score"] == 0.0
    assert verdict.artifacts["inner_calls"] == 3
    assert verdict.artifacts["stopped"] == "calls"


def test_epigraph_refinement_solves_a_max_min_problem_from_terms():
    refinement = Refinement("smallest", max_calls=2000)
    verdict = refine_verdict(smallest_share, [0.1, 0.3, 0.05, 0.2], {}, refinement)
    assert verdict.artifacts["method"] == "slsqp"
    assert verdict.metrics["smallest"] == pytest.approx(0.25, abs=1e-6)


def test_minimized_terms_use_the_max_of_the_terms():
    def largest(candidate):
        x = np.asarray(candidate)
        return {"largest": float(x.max()), "terms": x.tolist(), "constraints": [x.sum() - 1.0]}

    verdict = refine_verdict(
        largest, [0.9, 0.3, 0.5], {}, Refinement("largest", "minimize", max_calls=2000)
    )
    assert verdict.metrics["largest"] == pytest.approx(1 / 3, abs=1e-6)


def test_on_a_kinked_max_min_score_the_evolution_strategy_moves_on_where_lbfgsb_stops():
    start, params = [0.1, 0.15, 0.2, 0.25], {"structured": False}  # score only; optimum 1/4

    def reached(method):
        settings = Refinement("smallest", max_calls=3000, method=method)
        return refine_verdict(smallest_share, start, params, settings).metrics["smallest"]

    assert reached("lbfgsb") < 0.2  # stuck where the two smallest coordinates tie
    assert reached("auto") > 0.23  # L-BFGS-B, then the (1+1)-ES along the kink


def lennard_jones(candidate):
    """Score only, smooth with many minima: the pair energy of four atoms (minimized)."""
    x = np.asarray(candidate).reshape(-1, 3)
    i, j = np.triu_indices(len(x), 1)
    r2 = np.sum((x[i] - x[j]) ** 2, axis=1)
    return {"energy": float(np.sum(4.0 * (r2**-6 - r2**-3)))}


def test_on_a_smooth_score_the_evolution_strategy_is_skipped_once_lbfgsb_converged():
    start = [0.0, 0.0, 0.0, 1.2, 0.1, 0.0, 0.5, 1.0, 0.1, 0.4, 0.4, 0.9]  # four atoms
    settings = {"metric": "energy", "direction": "minimize", "low": -2.0, "high": 2.0}
    verdicts = {
        method: refine_verdict(
            lennard_jones, start, {}, Refinement(**settings, max_calls=20000, method=method)
        )
        for method in ("lbfgsb", "auto")
    }
    assert verdicts["lbfgsb"].metrics["energy"] == pytest.approx(-6.0, abs=1e-6)  # tetrahedron
    assert verdicts["auto"].artifacts["stopped"] == "converged"
    # auto (L-BFGS-B, then the strategy only past a kink) made exactly L-BFGS-B's calls
    assert verdicts["auto"].artifacts["inner_calls"] == verdicts["lbfgsb"].artifacts["inner_calls"]
    assert verdicts["auto"].artifacts["refined"] == verdicts["lbfgsb"].artifacts["refined"]


@pytest.mark.parametrize(
    ("method", "structured"),
    [
        ("auto", True),
        ("auto", False),
        ("lbfgsb", True),
        ("es", False),
        ("powell", True),
        ("nelder-mead", True),
        ("slsqp", True),
        ("cma", True),
        ("cma", False),
    ],
)
def test_refinement_is_deterministic(method, structured):
    refinement = Refinement("smallest", max_calls=300, method=method)
    runs = [
        refine_verdict(
            smallest_share, [0.1, 0.3, 0.05, 0.2], {"structured": structured}, refinement
        )
        for _ in range(2)
    ]
    assert runs[0].artifacts == runs[1].artifacts
    assert runs[0].metrics == runs[1].metrics


def rastrigin(candidate):
    """Rastrigin's function: a global minimum 0 at the origin among ~10^4 local minima."""
    x = np.asarray(candidate)
    return {"value": float(10 * x.size + np.sum(x**2 - 10 * np.cos(2 * np.pi * x)))}


def test_a_cma_run_finds_the_global_minimum_where_a_descent_stops_in_a_local_one():
    box = {"direction": "minimize", "low": -5.12, "high": 5.12, "max_calls": 20000}
    start = [3.3, -2.1, 4.4, -3.7]
    descent = refine_verdict(rastrigin, start, {}, Refinement("value", **box))
    search = refine_verdict(rastrigin, start, {}, Refinement("value", method="cma", **box))
    assert descent.metrics["value"] > 1.0  # a local minimum near the start
    assert search.metrics["value"] < 1e-8
    assert search.artifacts["method"] == "cma+lbfgsb-es"
    assert search.artifacts["inner_calls"] <= 20000


@pytest.mark.parametrize(
    ("terms", "constraints", "message"),
    [
        ([[0.1, 0.2], [0.3]], None, r"`terms\[0\]` is list, not a number"),
        ([0.1, float("nan")], None, r"`terms\[1\]` is nan"),
        ("0.1, 0.2", None, "`terms` must be a flat list of numbers, got str"),
        ([], None, "`terms` is empty"),
        ([0.1], [float("inf")], r"`constraints\[0\]` is inf"),
        ([0.1], {"a": 1.0}, "`constraints` must be a flat list of numbers, got dict"),
    ],
)
def test_malformed_structure_is_a_clear_error(terms, constraints, message):
    with pytest.raises(StructureInvalid, match=message):
        validate_structure(terms, constraints)


def test_constraints_of_another_length_than_before_are_a_clear_error():
    with pytest.raises(StructureInvalid, match="`constraints` has 1 values, but earlier calls"):
        validate_structure([0.1], [0.0], term_count=1, constraint_count=2)
    with pytest.raises(StructureInvalid, match="`terms` has 2 values, but earlier calls"):
        validate_structure([0.1, 0.2], None, term_count=3, constraint_count=0)


def test_an_evaluator_whose_constraints_change_length_fails_the_refinement_clearly():
    def shifting(candidate):
        count = 1 if candidate[0] < 0.5 else 2
        return {"score": float(candidate[0]), "terms": [candidate[0]], "constraints": [1.0] * count}

    verdict = refine_verdict(shifting, [0.4], {}, Refinement("score", max_calls=200))
    assert not verdict.valid
    assert "`constraints` has 2 values, but earlier calls returned 1" in verdict.error


STRUCTURED_EVALUATOR = """
def evaluate(candidate):
    total = sum(candidate)
    return {
        "smallest": min(candidate),
        "valid": total <= 1.0 + 1e-9,
        "terms": list(candidate),
        "constraints": [1.0 - total],
    }
"""

POLISH_ONLY = {
    "kind": "cmaes",
    "crossover_fraction": 0.0,
    "refine_fraction": 0.0,
    "polish_fraction": 1.0,
    "restart_fraction": 1.0,
    "refine_calls": 300,
}


@pytest.mark.parametrize("sandbox", [False, True], ids=["in-process", "sandbox"])
def test_through_the_loop_refined_candidates_are_verified_and_their_calls_stored(tmp_path, sandbox):
    task = write_task(
        tmp_path / "task",
        STRUCTURED_EVALUATOR,
        objective={"metric": "smallest", "direction": "maximize"},
        seed=[[0.1, 0.1, 0.1, 0.1]],
        proposer=POLISH_ONLY,
        budget={"evaluations": 12},
        evaluation={"sandbox": sandbox, "timeout_seconds": 20},
    )
    store = Store.at_home(tmp_path / "home")
    result = run_task(load_task(task), store, tmp_path / "results", seed=0)
    records = list(store.history(result.run_id))
    refined = [r for r in records if r.inner_calls > 0]
    assert len(records) == 12  # the budget counts verified candidates only
    assert refined and all(r.proposer in REFINING for r in refined)
    assert result.best_metrics["smallest"] == pytest.approx(0.25, abs=1e-6)
    stream = io.StringIO()
    write_history_csv(records, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert [int(row["inner_calls"]) for row in rows] == [r.inner_calls for r in records]


def test_a_refinement_fits_the_timeout_and_the_time_left_in_the_run():
    from evolve import Objective, Problem, VectorSpace
    from evolve.refinement import refinement_for

    problem = Problem("p", "vector", Objective("score"), vector=VectorSpace(4, -1.0, 2.0))
    asked = {"max_calls": 50, "max_seconds": 10.0, "method": "powell"}
    assert refinement_for(problem, asked, timeout_seconds=5.0).max_seconds == pytest.approx(4.0)
    late = refinement_for(problem, asked, timeout_seconds=60.0, seconds_left=2.5)
    assert late.max_seconds == pytest.approx(2.5)
    assert (late.low, late.high, late.max_calls, late.method) == (-1.0, 2.0, 50, "powell")


def test_a_point_without_terms_is_a_bad_point_not_a_structure_error():
    from science.refine import CountedObjective

    def sometimes_structured(candidate):
        x = np.asarray(candidate)
        if x[0] > 0.9:  # e.g. two points coincide: no terms can be computed
            return {"smallest": 0.0, "valid": False}
        return {"smallest": float(x.min()), "terms": x.tolist(), "constraints": [1.0 - x.sum()]}

    objective = CountedObjective(sometimes_structured, {}, Refinement("smallest"))
    assert objective.sample(np.array([0.5, 0.2])).terms.tolist() == [0.5, 0.2]
    bad = objective.sample(np.array([0.95, 0.01]))
    assert bad.fitness is None and bad.terms is None
    assert objective.best_x.tolist() == [0.5, 0.2]


def test_a_refinement_too_slow_for_a_few_gradients_stops_after_its_probe():
    import time

    from science.refine import PROBE_CALLS

    def slow_sphere(candidate):
        time.sleep(0.05)  # 20 variables: three gradients need 63 calls, 3 s; 1 s is given
        return shifted_sphere(candidate[:4])

    settings = Refinement("score", max_calls=10_000, max_seconds=1.0)
    verdict = refine_verdict(slow_sphere, [0.5] * 20, {}, settings)
    assert verdict.artifacts["stopped"] == "slow"
    assert verdict.artifacts["inner_calls"] == PROBE_CALLS
    assert verdict.valid and len(verdict.artifacts["refined"]) == 20
