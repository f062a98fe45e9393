"""The PMO metrics (Gao et al. 2022, "Sample Efficiency Matters: A Benchmark for Practical
Molecular Optimization", NeurIPS Datasets & Benchmarks) computed from a run's history.

PMO charges an optimizer for each unique molecule it scores, up to a budget of 10,000 oracle
calls, and reports the area under the curve of the top-k mean score against calls (AUC
top-k), next to the final top-1 and top-10 means. `top_k_auc` follows `top_auc` of the PMO
code (`mol_opt/main/optimizer.py`): the top-k mean is sampled every `freq` calls, the curve
starts from 0, segments are trapezoids, the last value is carried to the budget when the run
ended early, and the sum is divided by the budget, so it lies in [0, 1] for scores in [0, 1].

From a `memory.Store`, every stored candidate is one call (the engine deduplicates by content
hash and the graph GA emits canonical SMILES, so each is a unique molecule); an invalid one
counts as a call that scored 0, which is stricter than PMO, where an unparsable SMILES is
not charged.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from memory import CandidateRecord, Store

PMO_BUDGET = 10_000
LOG_EVERY = 100


def top_k_mean(scores: Sequence[float], k: int) -> float:
    """Mean of the `k` best scores (of all of them when there are fewer)."""
    best = sorted(scores, reverse=True)[:k]
    return sum(best) / len(best) if best else 0.0


def top_k_auc(
    scores: Sequence[float],
    k: int = 10,
    budget: int = PMO_BUDGET,
    freq: int = LOG_EVERY,
    finish: bool = True,
) -> float:
    """PMO's AUC of the top-`k` mean over calls, normalized by `budget`.

    `scores` are the oracle values in call order; calls past the budget are ignored.
    """
    scores = list(scores[:budget])
    total, previous, called = 0.0, 0.0, 0
    for index in range(freq, len(scores), freq):
        now = top_k_mean(scores[:index], k)
        total += freq * (now + previous) / 2
        previous, called = now, index
    now = top_k_mean(scores, k)
    total += (len(scores) - called) * (now + previous) / 2
    if finish and len(scores) < budget:
        total += (budget - len(scores)) * now
    return total / budget


@dataclass(frozen=True)
class PmoResult:
    """One run's PMO figures."""

    auc_top10: float
    top1: float
    top10: float
    calls: int

    def to_json(self) -> dict[str, float | int]:
        """Plain dict for reports."""
        return asdict(self)


def call_scores(records: Iterable[CandidateRecord], metric: str = "score") -> list[float]:
    """Oracle value of each stored candidate in evaluation order (0 for an invalid one)."""
    return [r.metrics.get(metric, 0.0) if r.valid else 0.0 for r in records]


def pmo_result(scores: Sequence[float], budget: int = PMO_BUDGET) -> PmoResult:
    """AUC top-10, top-1 and top-10 of one run's call scores."""
    scores = list(scores[:budget])
    return PmoResult(
        auc_top10=top_k_auc(scores, 10, budget),
        top1=top_k_mean(scores, 1),
        top10=top_k_mean(scores, 10),
        calls=len(scores),
    )


def run_result(
    store: Store, run_id: str, budget: int = PMO_BUDGET, metric: str = "score"
) -> PmoResult:
    """PMO figures of a stored run."""
    return pmo_result(call_scores(store.history(run_id), metric), budget)


def mean_and_std(results: Sequence[PmoResult]) -> dict[str, tuple[float, float]]:
    """Mean and sample standard deviation of each figure over runs (seeds)."""
    summary = {}
    for name in ("auc_top10", "top1", "top10"):
        values = [getattr(r, name) for r in results]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        summary[name] = (statistics.fmean(values), spread)
    return summary
