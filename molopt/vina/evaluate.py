"""The evaluator of docking tasks: ``evaluator: molopt.vina.evaluate:evaluate`` in a task YAML.

``params: {objective: docking, target: F2}`` minimizes the Vina score on one DOCKSTRING
target; ``objective: F2 | promiscuous_PPAR | selective_JAK2`` is one of DOCKSTRING's
benchmarks (`molopt.vina.objectives`). The candidate is standardized as in every molecule
task (`molopt.molecules.standardize`), prepared as dockstring prepares ligands
(`science.vina.prepare`) and docked with ``cpu=1`` (the sandbox pool already runs one
evaluation per core). A molecule that cannot be parsed, prepared or docked is invalid, with
the reason in `feedback`. `score` is the objective in kcal/mol: lower is better.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from molopt import oracles
from molopt.errors import InvalidMoleculeError
from molopt.molecules import standardize
from molopt.vina.objectives import DockingObjective, get_docking_objective, qed_penalty
from science.vina.errors import LigandPreparationError, VinaRunError
from science.vina.prepare import prepare_ligand
from science.vina.score import dock
from science.vina.targets import load_target

DOCKSTRING_SEED = 974528263  # dockstring's default seed for embedding and docking


def evaluate(
    candidate: str,
    target: str | None = None,
    objective: str = "docking",
    exhaustiveness: int = 8,
    seed: int = DOCKSTRING_SEED,
    protonation: str = "openbabel",
    ph: float = 7.4,
    targets_dir: str | None = None,
) -> dict[str, Any]:
    """Dock one SMILES: `score` (the objective, kcal/mol), `vina_<TARGET>` per target, `qed`."""
    goal = get_docking_objective(objective, target)
    folder = Path(targets_dir) if targets_dir else None
    receptors = [load_target(name, folder) for name in goal.targets]
    try:
        molecule = standardize(candidate)
    except InvalidMoleculeError as error:
        return {"valid": False, "feedback": f"invalid molecule: {error}"}
    try:
        ligand = prepare_ligand(molecule.mol, seed, protonation, ph)
        scores = {
            receptor.name: dock(
                ligand.pdbqt, receptor, exhaustiveness=exhaustiveness, seed=seed
            ).score
            for receptor in receptors
        }
    except (LigandPreparationError, VinaRunError) as error:
        return {
            "valid": False,
            "feedback": f"cannot dock {molecule.smiles}: {error}",
            "smiles": molecule.smiles,
        }
    qed = oracles.qed(molecule.mol)
    metrics: dict[str, Any] = {"score": goal.value(scores, qed), "qed": qed}
    metrics.update({f"vina_{name}": value for name, value in scores.items()})
    metrics["feedback"] = _feedback(goal, metrics["score"], scores, qed, ligand.smiles)
    if molecule.notes:
        metrics["feedback"] += "; " + "; ".join(molecule.notes)
    metrics["smiles"] = molecule.smiles
    metrics["docked_smiles"] = ligand.smiles
    return metrics


def _feedback(
    goal: DockingObjective, value: float, scores: dict[str, float], qed: float, docked: str
) -> str:
    parts = ", ".join(f"{name} {score:.2f} kcal/mol" for name, score in scores.items())
    penalty = "" if goal.name == "docking" else f"; QED {qed:.3f}, penalty {qed_penalty(qed):.2f}"
    return f"{goal.name} {value:.2f} (lower is better; Vina {parts}{penalty}); docked as {docked}"
