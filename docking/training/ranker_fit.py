"""Fit the linear listwise pose ranker (`docking.inference.pose_ranker`) and choose its
regularization and feature set by leave-complexes-out cross-validation.

Loss (ListNet top-one, Cao et al. 2007), over lists L of one complex's poses with
near-native set N_L = {i : RMSD_i < 2 Å}:

    loss(w) = Σ_L  -(1/|N_L|) Σ_{i∈N_L} log softmax_L(w·z)_i  +  (λ/2) ‖w‖²

Lists whose poses are all near-native or none are carry no ranking information and are
left out of the loss (they still count in the top-1 figures). The features z are
standardized over the training poses; there is no bias (a constant does not change a
softmax). With ~40 complexes the model has at most ten weights and λ is chosen by
leave-complexes-out cross-validation on the training lists only: all lists of one
complex are held out together (`folds` groups of complexes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from docking.inference.pose_features import FEATURES
from docking.inference.pose_ranker import PoseRanker
from docking.poses.pose_metrics import SUCCESS_ANGSTROM
from docking.training.ranker_data import PoseList

LAMBDAS = (0.01, 0.1, 1.0, 10.0, 100.0)


@dataclass(frozen=True)
class CrossValidation:
    """Leave-complexes-out figures of one setting: top-1 < 2 Å of the ranker and of
    Vina's own ranking on the same held-out lists, and the mean held-out loss."""

    features: tuple[str, ...]
    l2: float
    top1: float
    vina_top1: float
    loss: float


def _ranks_something(rmsd: np.ndarray) -> bool:
    """Whether a list holds both near-native (< 2 Å) and other poses."""
    return 0 < (rmsd < SUCCESS_ANGSTROM).sum() < len(rmsd)


def _informative(lists: Sequence[PoseList]) -> list[PoseList]:
    return [p for p in lists if _ranks_something(p.rmsd)]


def _loss_and_grad(w: np.ndarray, lists: list[tuple[np.ndarray, np.ndarray]], l2: float):
    """Listwise loss and gradient over (z (n, F), near-native mask (n,)) lists."""
    loss, grad = 0.5 * l2 * w @ w, l2 * w
    for z, near in lists:
        s = z @ w
        log_p = s - logsumexp(s)
        target = near / near.sum()
        loss -= target @ log_p
        grad = grad - z.T @ (target - np.exp(log_p))
    return loss, grad


def fit_weights(
    lists: Sequence[PoseList], columns: Sequence[int], l2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, scale, weights) over the chosen feature `columns`, fit on `lists`."""
    stacked = np.concatenate([p.features[:, columns] for p in lists])
    mean, scale = stacked.mean(0), stacked.std(0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    data = [
        ((p.features[:, columns] - mean) / scale, (p.rmsd < SUCCESS_ANGSTROM).astype(float))
        for p in _informative(lists)
    ]
    if not data:
        raise ValueError("no training list has both near-native (< 2 Å) and other poses")
    result = minimize(
        _loss_and_grad, np.zeros(len(columns)), args=(data, l2), jac=True, method="L-BFGS-B"
    )
    return mean, scale, result.x


def _held_out(lists, train, test, features, l2) -> tuple[list[bool], list[bool], list[float]]:
    ranker = _ranker([lists[i] for i in train], features, l2)
    columns = [FEATURES.index(f) for f in features]
    hits, vina_hits, losses = [], [], []
    for p in (lists[i] for i in test):
        s = ranker.scores(p.features[:, columns])
        hits.append(bool(p.rmsd[int(np.argmax(s))] < SUCCESS_ANGSTROM))
        vina_hits.append(bool(p.rmsd[int(np.argmin(p.vina_score))] < SUCCESS_ANGSTROM))
        if _ranks_something(p.rmsd):
            losses.append(float(-(s - logsumexp(s))[p.rmsd < SUCCESS_ANGSTROM].mean()))
    return hits, vina_hits, losses


def cross_validate(
    lists: Sequence[PoseList], features: Sequence[str], l2: float, folds: int = 5
) -> CrossValidation:
    """Top-1 and loss of the ranker on held-out complexes: the complexes (sorted ids)
    are dealt into `folds` groups, each held out once."""
    ids = sorted({p.pdb_id for p in lists})
    fold_of = {pdb_id: index % folds for index, pdb_id in enumerate(ids)}
    hits, vina_hits, losses = [], [], []
    for fold in range(folds):
        test = [i for i, p in enumerate(lists) if fold_of[p.pdb_id] == fold]
        train = [i for i, p in enumerate(lists) if fold_of[p.pdb_id] != fold]
        h, v, loss = _held_out(lists, train, test, features, l2)
        hits, vina_hits, losses = hits + h, vina_hits + v, losses + loss
    return CrossValidation(
        tuple(features),
        l2,
        float(np.mean(hits)),
        float(np.mean(vina_hits)),
        float(np.mean(losses)) if losses else float("nan"),
    )


def choose(
    lists: Sequence[PoseList], feature_sets: dict[str, Sequence[str]], folds: int = 5
) -> tuple[CrossValidation, list[CrossValidation]]:
    """Every feature set × `LAMBDAS` cross-validated; the best by held-out top-1, then by
    held-out loss (the smoother figure breaks ties), and all results."""
    results = [cross_validate(lists, f, l2, folds) for f in feature_sets.values() for l2 in LAMBDAS]
    best = min(results, key=lambda r: (-r.top1, r.loss))
    return best, results


def _ranker(
    lists: Sequence[PoseList], features: Sequence[str], l2: float, record: dict | None = None
) -> PoseRanker:
    """The ranker fit on `lists` with `features` and λ = `l2`."""
    mean, scale, w = fit_weights(lists, [FEATURES.index(f) for f in features], l2)
    return PoseRanker(
        tuple(features),
        tuple(mean.round(6).tolist()),
        tuple(scale.round(6).tolist()),
        tuple(w.round(6).tolist()),
        record or {},
    )


def fit_ranker(lists: Sequence[PoseList], chosen: CrossValidation, record: dict) -> PoseRanker:
    """The ranker on every training list with the chosen features and λ."""
    return _ranker(lists, chosen.features, chosen.l2, record)
