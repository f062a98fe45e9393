"""The linear listwise pose ranker: its fit recovers a planted signal in synthetic
within-complex lists, cross-validation holds complexes out, and the JSON round-trips."""

from __future__ import annotations

import numpy as np
import pytest

from docking.errors import CheckpointError
from docking.inference.pose_features import FEATURES
from docking.inference.pose_ranker import PoseRanker, load_ranker, save_ranker
from docking.training.ranker_data import PoseList
from docking.training.ranker_fit import choose, cross_validate, fit_ranker

SIGNAL, NOISE = FEATURES.index("vinardo_delta"), FEATURES.index("vina_delta")


def _lists(count: int, seed: int = 0) -> list[PoseList]:
    """Lists of 9 poses: the near-native one has a low `vinardo_delta` (plus noise);
    `vina_delta` is pure noise, so Vina's own top pose is right by chance only."""
    rng = np.random.default_rng(seed)
    lists = []
    for index in range(count):
        features = rng.normal(size=(9, len(FEATURES)))
        rmsd = rng.uniform(3.0, 8.0, size=9)
        good = rng.integers(9)
        rmsd[good] = 1.0
        features[good, SIGNAL] -= 2.5
        lists.append(PoseList(f"c{index:03d}", features, rmsd, features[:, NOISE]))
    return lists


def test_fit_recovers_the_planted_feature_and_beats_vina_held_out():
    lists = _lists(40)
    best, results = choose(lists, {"vina": ("vina_delta",), "both": FEATURES[:3]})
    assert best.features == FEATURES[:3]
    assert best.top1 > best.vina_top1 + 0.3
    assert len(results) == 2 * 5
    ranker = fit_ranker(lists, best, {})
    weights = dict(zip(ranker.features, ranker.weights, strict=True))
    assert weights["vinardo_delta"] < -1.0
    assert abs(weights["vina_delta"]) < abs(weights["vinardo_delta"]) / 3


def test_cross_validation_never_tests_on_a_trained_complex():
    lists = _lists(10)
    twins = [PoseList(p.pdb_id, p.features, p.rmsd, p.vina_score) for p in lists]
    figures = cross_validate(lists + twins, FEATURES[:3], l2=1.0, folds=5)
    lonely = cross_validate(lists, FEATURES[:3], l2=1.0, folds=5)
    # a complex's second list sits in the same fold, so memorizing it cannot help
    assert figures.top1 == pytest.approx(lonely.top1, abs=0.25)


def test_lists_without_a_ranking_signal_are_an_error():
    lists = [PoseList(i, np.zeros((3, len(FEATURES))), np.full(3, 5.0), np.zeros(3)) for i in "ab"]
    with pytest.raises(ValueError, match="near-native"):
        cross_validate(lists, FEATURES[:2], l2=1.0, folds=2)


def test_ranker_round_trips_and_scores(tmp_path):
    ranker = PoseRanker(("vina_delta", "vinardo_delta"), (1.0, 2.0), (2.0, 4.0), (-1.0, -2.0))
    save_ranker(tmp_path / "r.json", ranker)
    loaded = load_ranker(tmp_path / "r.json")
    assert loaded == ranker
    x = np.array([[0.0, 0.0], [1.0, 6.0]])
    assert loaded.scores(x).tolist() == [1.5, -2.0]
    assert loaded.probabilities(x).sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="needs"):
        loaded.scores(np.zeros((2, 3)))


def test_ranker_file_with_unknown_features_is_refused(tmp_path):
    save_ranker(tmp_path / "r.json", PoseRanker(("shape",), (0.0,), (1.0,), (1.0,)))
    with pytest.raises(CheckpointError, match="shape"):
        load_ranker(tmp_path / "r.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(CheckpointError, match="cannot read"):
        load_ranker(tmp_path / "bad.json")
