"""The evaluator of molecule tasks: ``evaluator: molopt.evaluate:evaluate`` in a task YAML.

``params: {objective: <name>}`` picks an objective of `molopt.objectives` (the PMO set).
The candidate SMILES is standardized first (`molopt.molecules.standardize`: one fragment, no
radicals, charges neutralized, canonical); an unacceptable molecule is invalid and scores 0,
as in PMO (Gao et al. 2022), with the reason in `feedback`.
"""

from __future__ import annotations

from typing import Any

from molopt.errors import InvalidMoleculeError
from molopt.molecules import standardize
from molopt.objectives import get_objective


def evaluate(candidate: str, objective: str = "qed") -> dict[str, Any]:
    """Score one SMILES: `score` in [0, 1] plus each term's raw and shaped value."""
    scorer = get_objective(objective)
    try:
        molecule = standardize(candidate)
    except InvalidMoleculeError as error:
        return {"score": 0.0, "valid": False, "feedback": f"invalid molecule: {error}"}
    result = scorer.score(molecule.mol)
    metrics: dict[str, Any] = {"score": result.score}
    for name, shaped in result.shaped.items():
        metrics[name] = shaped
        metrics[f"{name}_raw"] = result.raw[name]
    parts = ", ".join(f"{n} {result.raw[n]:.3g} -> {s:.3f}" for n, s in result.shaped.items())
    notes = "; ".join(molecule.notes)
    metrics["feedback"] = f"{objective} {result.score:.4f} ({parts})" + (
        f"; {notes}" if notes else ""
    )
    metrics["smiles"] = molecule.smiles
    return metrics
