"""PMO metrics on hand-computed examples and on a stored run."""

from __future__ import annotations

import pytest

from memory import NewCandidate, Store
from molopt.pmo import call_scores, mean_and_std, pmo_result, run_result, top_k_auc, top_k_mean


def test_top_k_mean_uses_what_there_is():
    assert top_k_mean([0.1, 0.9, 0.5], 2) == pytest.approx(0.7)
    assert top_k_mean([0.4], 10) == pytest.approx(0.4)
    assert top_k_mean([], 10) == 0.0


def test_auc_on_a_hand_computed_example():
    # calls 0.1 0.5 0.3 0.9 0.2; top-2 sampled every 2 calls, budget 8:
    #   at 2 calls top-2 = 0.3   -> 2 * (0.3 + 0) / 2   = 0.3   (the curve starts at 0)
    #   at 4 calls top-2 = 0.7   -> 2 * (0.7 + 0.3) / 2 = 1.0
    #   at 5 calls top-2 = 0.7   -> 1 * (0.7 + 0.7) / 2 = 0.7
    #   finished early: 0.7 carried over calls 6..8      = 2.1
    # (0.3 + 1.0 + 0.7 + 2.1) / 8 = 0.5125; without the carry: 2.0 / 8 = 0.25
    scores = [0.1, 0.5, 0.3, 0.9, 0.2]
    assert top_k_auc(scores, k=2, budget=8, freq=2) == pytest.approx(0.5125)
    assert top_k_auc(scores, k=2, budget=8, freq=2, finish=False) == pytest.approx(0.25)


def test_auc_of_a_perfect_run_loses_only_the_first_half_step():
    # constant 1.0 for the whole budget: 50 for the first 100 calls, then 900 -> 0.95
    assert top_k_auc([1.0] * 1000, k=10, budget=1000) == pytest.approx(0.95)


def test_calls_past_the_budget_are_ignored():
    assert top_k_auc([0.5] * 300 + [1.0] * 300, budget=300) == top_k_auc([0.5] * 300, budget=300)


def test_run_result_reads_the_store_and_counts_invalid_as_zero(tmp_path):
    store = Store.at_home(tmp_path)
    run = store.create_run("pmo-test", "key", {}, 0)
    values = [0.2, None, 0.6, 0.4]  # None: an invalid candidate
    new = [
        NewCandidate(
            hash=f"h{i}",
            representation="smiles",
            content=f"C{'C' * i}",
            valid=v is not None,
            metrics={"score": v} if v is not None else {"score": 0.0},
            fitness=v,
        )
        for i, v in enumerate(values)
    ]
    store.add_candidates(run.id, new, {}, 1.0)
    assert call_scores(store.history(run.id)) == [0.2, 0.0, 0.6, 0.4]
    result = run_result(store, run.id, budget=10)
    assert result == pmo_result([0.2, 0.0, 0.6, 0.4], budget=10)
    assert result.top1 == pytest.approx(0.6)
    assert result.top10 == pytest.approx(0.3)
    assert result.calls == 4
    # one final segment: 4 * (0.3 + 0) / 2 = 0.6, then 0.3 over 6 calls = 1.8; / 10
    assert result.auc_top10 == pytest.approx(0.24)
    store.close()


def test_mean_and_std_over_seeds():
    a, b = pmo_result([0.2] * 20, budget=20), pmo_result([0.4] * 20, budget=20)
    summary = mean_and_std([a, b])
    assert summary["top1"][0] == pytest.approx(0.3)
    assert summary["top1"][1] == pytest.approx(0.1414, abs=1e-4)
