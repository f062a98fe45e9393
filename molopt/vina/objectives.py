"""DOCKSTRING's objectives: docking scores combined with a QED penalty (lower is better).

García-Ortegón et al. 2022, "DOCKSTRING: easy molecular docking yields better benchmarks
for ligand design", J. Chem. Inf. Model. 62, 3486; the formulas are those of
``dockstring/benchmarks/original.py``, which its authors give as the ones behind the
paper's tables:

- ``F2``: score(F2) + 10 (1 - QED)
- ``promiscuous_PPAR``: max(score(PPARA), score(PPARD), score(PPARG)) + 10 (1 - QED)
- ``selective_JAK2``: score(JAK2) - min(score(LCK) + 8.1, 0) + 10 (1 - QED), where -8.1
  kcal/mol is LCK's median score over the DOCKSTRING data set
- ``docking``: the plain docking score on one chosen target (the paper's single-target
  regression and optimization tasks).

Scores are Vina affinities in kcal/mol; every objective is minimized.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from molopt.errors import UnknownObjectiveError

LCK_MEDIAN_SCORE = -8.1
PPARS = ("PPARA", "PPARD", "PPARG")


def qed_penalty(qed: float) -> float:
    """DOCKSTRING's drug-likeness penalty 10 (1 - QED): 0 for QED 1, 10 for QED 0."""
    return 10.0 * (1.0 - qed)


@dataclass(frozen=True)
class DockingObjective:
    """An objective: the targets to dock into and how their scores and QED combine."""

    name: str
    targets: tuple[str, ...]
    combine: Callable[[Mapping[str, float], float], float]

    def value(self, scores: Mapping[str, float], qed: float) -> float:
        """The objective for docking `scores` (by target name) and the molecule's `qed`."""
        return float(self.combine(scores, qed))


def _f2(scores: Mapping[str, float], qed: float) -> float:
    return scores["F2"] + qed_penalty(qed)


def _promiscuous_ppar(scores: Mapping[str, float], qed: float) -> float:
    return max(scores[name] for name in PPARS) + qed_penalty(qed)


def _selective_jak2(scores: Mapping[str, float], qed: float) -> float:
    return scores["JAK2"] - min(scores["LCK"] - LCK_MEDIAN_SCORE, 0.0) + qed_penalty(qed)


BENCHMARKS: dict[str, DockingObjective] = {
    "F2": DockingObjective("F2", ("F2",), _f2),
    "promiscuous_PPAR": DockingObjective("promiscuous_PPAR", PPARS, _promiscuous_ppar),
    "selective_JAK2": DockingObjective("selective_JAK2", ("JAK2", "LCK"), _selective_jak2),
}


def docking(target: str) -> DockingObjective:
    """The plain docking score on `target`, with no QED term."""
    return DockingObjective("docking", (target,), lambda scores, _qed: scores[target])


def get_docking_objective(name: str, target: str | None = None) -> DockingObjective:
    """``docking`` on `target`, or one of DOCKSTRING's benchmarks (which fix their targets)."""
    if name == "docking":
        if not target:
            raise UnknownObjectiveError(
                "objective 'docking' needs a target: params: {objective: docking, target: F2}"
            )
        return docking(target)
    if name not in BENCHMARKS:
        raise UnknownObjectiveError(
            f"unknown docking objective '{name}'; defined: docking, {', '.join(BENCHMARKS)}"
        )
    objective = BENCHMARKS[name]
    if target and target not in objective.targets:
        raise UnknownObjectiveError(
            f"objective '{name}' docks into {', '.join(objective.targets)}, not '{target}': "
            "drop `target` from params"
        )
    return objective
