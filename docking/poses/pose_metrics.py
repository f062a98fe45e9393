"""How good a set of docked poses is, in the figures the docking literature reports: the share
of ligands within 2 Å of the crystal pose (and within 5 Å), the distribution of the ligand
RMSDs, and how close a predicted pocket's Cα trace comes to the holo structure.

The RMSD of one pose is `docking.poses.pose_rmsd.symmetric_rmsd` (heavy atoms, symmetry-corrected,
no superposition); here are the figures over many. Benchmarks in `bench/` call these, so a
figure means the same in every table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from docking.structures import Protein

SUCCESS_ANGSTROM = 2.0  # a pose within this RMSD of the crystal counts as docked correctly
NEAR_ANGSTROM = 5.0  # within this, the pose is in the right place if not the right pose


def share_below(rmsds: Sequence[float], cutoff_angstrom: float = SUCCESS_ANGSTROM) -> float:
    """The share (0 to 1) of `rmsds` strictly below `cutoff_angstrom`."""
    if not rmsds:
        raise ValueError("no RMSDs to summarize")
    return sum(value < cutoff_angstrom for value in rmsds) / len(rmsds)


def rmsd_distribution(rmsds: Sequence[float]) -> dict[str, float]:
    """Percentiles 25/50/75 and mean (Å), and the shares below 2 Å and 5 Å."""
    q25, q50, q75 = np.percentile(rmsds, [25, 50, 75])
    return {
        "p25": float(q25),
        "median": float(q50),
        "p75": float(q75),
        "mean": float(np.mean(rmsds)),
        "below_2A": share_below(rmsds, SUCCESS_ANGSTROM),
        "below_5A": share_below(rmsds, NEAR_ANGSTROM),
    }


def pocket_ca_rmsd(predicted: Protein, apo: Protein, holo: Protein) -> tuple[float, float]:
    """Cα RMSD (Å) to `holo` over the residues of the `predicted` pocket: of the prediction,
    and of the `apo` structure it started from (the figure to beat). `apo` and `holo` share
    their residue order, as PDBbind-style apo/holo pairs do."""
    index = {rid: i for i, rid in enumerate(apo.residue_ids)}
    missing = [rid for rid in predicted.residue_ids if rid not in index]
    if missing:
        raise ValueError(f"predicted pocket residues not in the apo structure: {missing[:5]}")
    rows = [index[rid] for rid in predicted.residue_ids]
    truth = holo.ca[rows]  # (R, 3)

    def rmsd(ca: np.ndarray) -> float:
        return float(np.sqrt(((ca - truth) ** 2).sum(1).mean()))

    return rmsd(predicted.ca), rmsd(apo.ca[rows])
