"""The task evaluator: score, per-term metrics, canonical SMILES and feedback."""

from __future__ import annotations

import pytest

from molopt.evaluate import evaluate


def test_valid_molecule_gets_score_terms_and_canonical_smiles():
    result = evaluate("OC(=O)c1ccccc1OC(C)=O", objective="qed")
    assert result["score"] == pytest.approx(0.550, abs=0.005)
    assert result["smiles"] == "CC(=O)Oc1ccccc1C(=O)O"
    assert "qed 0.55" in result["feedback"]
    assert "valid" not in result


def test_charged_candidate_is_scored_neutral_with_feedback():
    charged = evaluate("CC(=O)[O-]", objective="osimertinib_mpo")
    neutral = evaluate("CC(=O)O", objective="osimertinib_mpo")
    assert charged["score"] == neutral["score"]
    assert charged["tpsa_raw"] == neutral["tpsa_raw"]
    assert "neutralized" in charged["feedback"]


@pytest.mark.parametrize("smiles", ["CCO.CCO", "not a molecule", "C[CH2]"])
def test_unacceptable_molecule_is_invalid_with_score_zero(smiles):
    result = evaluate(smiles, objective="qed")
    assert result["valid"] is False
    assert result["score"] == 0.0
    assert result["feedback"].startswith("invalid molecule:")
