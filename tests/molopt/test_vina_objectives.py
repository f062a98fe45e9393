"""DOCKSTRING's objectives agree with the formulas shipped in `dockstring.benchmarks`."""

from __future__ import annotations

import pytest
from dockstring.benchmarks import original

from molopt.errors import UnknownObjectiveError
from molopt.vina.objectives import BENCHMARKS, get_docking_objective, qed_penalty

CASES = [
    {"F2": -9.3, "PPARA": -8.0, "PPARD": -10.2, "PPARG": -7.1, "JAK2": -9.9, "LCK": -7.2},
    {"F2": -5.0, "PPARA": -11.0, "PPARD": -10.5, "PPARG": -12.0, "JAK2": -8.4, "LCK": -9.6},
]


@pytest.mark.parametrize("scores", CASES)
@pytest.mark.parametrize("qed", [0.2, 0.85])
def test_benchmarks_match_dockstrings_own_formulas(scores, qed):
    assert BENCHMARKS["F2"].value(scores, qed) == pytest.approx(
        original.F2_score(F2=scores["F2"], QED=qed)
    )
    ppar = {name: scores[name] for name in ("PPARA", "PPARD", "PPARG")}
    assert BENCHMARKS["promiscuous_PPAR"].value(scores, qed) == pytest.approx(
        original.promiscuous_PPAR_score(**ppar, QED=qed)
    )
    assert BENCHMARKS["selective_JAK2"].value(scores, qed) == pytest.approx(
        original.selective_JAK2_score(JAK2=scores["JAK2"], LCK=scores["LCK"], QED=qed)
    )


def test_selective_jak2_penalizes_lck_scores_better_than_the_median():
    objective = BENCHMARKS["selective_JAK2"]
    weak_lck = objective.value({"JAK2": -10.0, "LCK": -7.0}, 1.0)
    strong_lck = objective.value({"JAK2": -10.0, "LCK": -9.6}, 1.0)
    assert weak_lck == pytest.approx(-10.0) and strong_lck == pytest.approx(-8.5)


def test_qed_penalty_spans_zero_to_ten():
    assert (qed_penalty(1.0), qed_penalty(0.0), qed_penalty(0.75)) == (0.0, 10.0, 2.5)


def test_docking_objective_is_the_plain_score_on_its_target():
    objective = get_docking_objective("docking", "ABL1")
    assert objective.targets == ("ABL1",)
    assert objective.value({"ABL1": -11.2}, 0.1) == -11.2


@pytest.mark.parametrize(
    ("name", "target", "message"),
    [
        ("docking", None, "needs a target"),
        ("F3", None, "unknown docking objective 'F3'; defined: docking, F2"),
        ("selective_JAK2", "F2", "docks into JAK2, LCK, not 'F2'"),
    ],
)
def test_bad_objective_settings_say_how_to_fix_them(name, target, message):
    with pytest.raises(UnknownObjectiveError, match=message):
        get_docking_objective(name, target)
