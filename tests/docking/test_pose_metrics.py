"""Figures over many poses: shares below 2 Å and 5 Å, the RMSD distribution, pocket Cα RMSD."""

import numpy as np
import pytest

from docking.poses.pose_metrics import pocket_ca_rmsd, rmsd_distribution, share_below
from docking.structures import Protein


def protein(ca: np.ndarray, ids: list[tuple[str, int, str]]) -> Protein:
    n = len(ids)
    return Protein("p", ca, np.zeros((n, 3, 3)), np.zeros(n, dtype=int), tuple(ids))


def test_share_below_counts_strictly_below_the_cutoff():
    assert share_below([0.5, 2.0, 1.99, 7.0]) == 0.5
    assert share_below([0.5, 2.0, 1.99, 7.0], 5.0) == 0.75
    with pytest.raises(ValueError, match="no RMSDs"):
        share_below([])


def test_distribution_gives_quartiles_mean_and_success_shares():
    figures = rmsd_distribution([1.0, 2.0, 3.0, 6.0])
    assert figures["median"] == 2.5 and figures["mean"] == 3.0
    assert (figures["p25"], figures["p75"]) == (1.75, 3.75)
    assert (figures["below_2A"], figures["below_5A"]) == (0.25, 0.75)


def test_pocket_ca_rmsd_is_over_the_predicted_residues_only():
    ids = [("A", i, "") for i in range(1, 5)]
    holo = protein(np.arange(12.0).reshape(4, 3), ids)
    apo = protein(holo.ca + np.array([[0.0, 0, 2]] * 2 + [[0, 0, 9]] * 2), ids)
    predicted = protein(holo.ca[:2] + np.array([0.0, 0, 1]), ids[:2])
    assert pocket_ca_rmsd(predicted, apo, holo) == pytest.approx((1.0, 2.0))


def test_pocket_residues_missing_from_the_apo_structure_are_named():
    ids = [("A", 1, ""), ("A", 2, "")]
    structure = protein(np.zeros((2, 3)), ids)
    stray = protein(np.zeros((1, 3)), [("B", 7, "")])
    with pytest.raises(ValueError, match="'B', 7"):
        pocket_ca_rmsd(stray, structure, structure)
