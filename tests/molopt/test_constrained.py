"""The similarity-gated evaluator of hgraph2graph molecules, alone and through the loop."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdkit.Chem import Descriptors

from discovery.runner import run_task
from discovery.spec import load_task
from memory import Store
from memory.store import sqlite_url
from molopt.constrained import evaluate
from molopt.errors import InvalidMoleculeError
from molopt.fingerprints import molecule_similarity
from molopt.molecules import parse_or_none
from molopt.penalized_logp import penalized_logp
from molopt.repo.evaluate import hgraph_scores

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "CCCCCCO"


def test_score_is_the_penalized_logp_gain_when_similar_enough():
    result = evaluate("CCCCCCC", SOURCE, "plogp", 0.2)
    gain = penalized_logp(parse_or_none("CCCCCCC")) - penalized_logp(parse_or_none(SOURCE))
    assert result["score"] == pytest.approx(gain) and gain > 0
    assert result.get("valid", True)
    assert result["similarity"] == pytest.approx(
        molecule_similarity(parse_or_none(SOURCE), parse_or_none("CCCCCCC"))
    )


def test_below_threshold_or_unparsable_is_invalid():
    far = evaluate("c1ccccc1C(=O)N", SOURCE, "plogp", 0.4)
    assert far["valid"] is False and "similarity" in far["feedback"]
    broken = evaluate("C1CC(", SOURCE, "qed", 0.4)
    assert broken == {"score": 0.0, "valid": False, "feedback": broken["feedback"]}


def test_qed_target_and_bad_arguments():
    assert evaluate(SOURCE, SOURCE, "qed", 0.4)["score"] == pytest.approx(
        Descriptors.qed(parse_or_none(SOURCE))
    )
    with pytest.raises(ValueError, match="plogp"):
        evaluate(SOURCE, SOURCE, "logp")
    with pytest.raises(InvalidMoleculeError, match="source"):
        evaluate(SOURCE, "C1CC(", "qed")


def test_graph_ga_through_the_loop_keeps_only_molecules_past_the_gate(tmp_path):
    spec = load_task(ROOT / "tasks" / "hgraph" / "logp04.yaml")
    spec = spec.model_copy(
        update={"evaluation": spec.evaluation.model_copy(update={"sandbox": False})}
    )
    source = spec.params["source"]
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    result = run_task(spec, store, tmp_path / "runs", evaluations=11, seed=0, fresh=True)
    records = list(store.history(result.run_id))
    store.close()
    assert len(records) == 11 and records[0].content == source
    start = parse_or_none(source)
    for record in records:
        mol = parse_or_none(record.content)
        assert record.valid == (mol is not None and molecule_similarity(start, mol) >= 0.4)
    best = max(r.metrics["score"] for r in records if r.valid)
    scores = hgraph_scores("logp04", [source], [[r.content for r in records]])
    assert scores["improvement_mean"] == pytest.approx(max(best, 0.0))
