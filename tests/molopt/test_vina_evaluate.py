"""The docking evaluator: sane scores, determinism, invalid verdicts, a run through the sandbox."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from discovery.runner import run_task
from discovery.spec import load_task
from memory import Store
from memory.store import sqlite_url
from molopt.vina.evaluate import evaluate

TASKS = Path(__file__).resolve().parents[2] / "tasks" / "dockstring"
IBUPROFEN = "CC(C)Cc1ccc(cc1)C(C)C(=O)O"
ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


def test_ibuprofen_docks_into_cox2_with_a_drug_like_score():
    result = evaluate(IBUPROFEN, target="PTGS2", exhaustiveness=1)
    assert -10.0 < result["score"] < -5.0
    assert result["score"] == result["vina_PTGS2"]
    assert result["docked_smiles"] == "CC(C)Cc1ccc(C(C)C(=O)[O-])cc1"  # pH 7.4: carboxylate
    assert result["feedback"].startswith(f"docking {result['score']:.2f} (lower is better")


def test_same_seed_same_score():
    first = evaluate(ASPIRIN, target="F2", exhaustiveness=1, seed=3)
    again = evaluate(ASPIRIN, target="F2", exhaustiveness=1, seed=3)
    assert first == again


@pytest.mark.parametrize(
    ("smiles", "reason"),
    [
        ("C1CC", "invalid molecule: RDKit cannot parse"),
        ("CCO.O", "2 fragments"),
        ("OB(O)c1ccccc1", "cannot dock OB(O)c1ccccc1: Vina failed on target F2: PDBQT parsing"),
        ("F[Xe]F", "cannot dock F[Xe]F: neither MMFF94 nor UFF"),
    ],
)
def test_unusable_molecules_are_invalid_with_the_reason(smiles, reason):
    result = evaluate(smiles, target="F2", exhaustiveness=1)
    assert result["valid"] is False and "score" not in result
    assert reason in result["feedback"]


def test_benchmark_objective_adds_the_qed_penalty():
    result = evaluate(ASPIRIN, objective="F2", exhaustiveness=1)
    assert result["score"] == pytest.approx(result["vina_F2"] + 10 * (1 - result["qed"]))
    assert "QED 0.550, penalty 4.50" in result["feedback"]


def test_docking_task_runs_through_the_sandbox(tmp_path):
    spec = load_task(TASKS / "f2_docking.yaml")
    engine = spec.engine.model_copy(update={"population_size": 4, "parents": 4, "batch_size": 4})
    small_drugs = [ASPIRIN, IBUPROFEN, "CC(=O)Nc1ccc(O)cc1", "OC(=O)c1ccccc1O"]
    spec = spec.model_copy(
        update={
            "params": {**spec.params, "exhaustiveness": 1},
            "engine": engine,
            "seed": small_drugs,  # then graph GA children of these: small, quick to dock
        }
    )
    assert spec.evaluation.sandbox
    store = Store(sqlite_url(tmp_path / "store.db"))
    result = run_task(spec, store, tmp_path / "results", evaluations=6, seed=0)
    assert result.status == "finished" and result.evaluations == 6
    history = list(store.history(result.run_id))
    valid = [record for record in history if record.valid]
    assert len(history) == 6 and len(valid) >= 5
    assert all(-15.0 < record.metrics["score"] < 0.0 for record in valid)
    assert result.best_metrics["score"] == min(record.metrics["score"] for record in valid)
    store.close()


@pytest.mark.slow
def test_scores_agree_with_dockstrings_own_pipeline(monkeypatch):
    """dockstring (Open Babel command line + Vina 1.1.2 binary) vs this oracle, same seed."""
    dockstring = pytest.importorskip("dockstring")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    reference, _ = dockstring.load_target("PTGS2").dock(IBUPROFEN, num_cpus=1)
    ours = evaluate(IBUPROFEN, target="PTGS2")["score"]
    assert ours == pytest.approx(reference, abs=1.0)
