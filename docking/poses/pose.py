"""Turn predicted heavy-atom coordinates into a ligand molecule: chirality, hydrogens.

The network predicts heavy-atom coordinates directly (as FABFlex does), which may carry a
mirrored stereocentre or strained bonds. `check_and_reflect` mirrors a pose whose
stereocentres mostly disagree with the input molecule; `fit_conformer` instead places
the input's own ETKDG conformer onto the prediction (Kabsch), which keeps every bond
length and stereocentre exact. Both keep bond orders; hydrogens are placed by RDKit.
"""

from __future__ import annotations

import numpy as np
import torch
from rdkit import Chem
from rdkit.Geometry import Point3D

from docking.errors import StructureError
from docking.network.featurize import chiral_quads, heavy_atom_indices
from docking.network.geometry import kabsch_superpose, signed_volumes

POSE_MODES = ("fit", "raw")


def is_mirrored(pred: np.ndarray, reference: np.ndarray, quads: torch.Tensor) -> bool:
    """True when most stereocentres of `pred` have the opposite handedness to `reference`."""
    if quads.numel() == 0:
        return False
    pred_sign = torch.sign(signed_volumes(torch.as_tensor(pred), quads))
    ref_sign = torch.sign(signed_volumes(torch.as_tensor(reference), quads))
    return bool((pred_sign != ref_sign).float().mean() > 0.5)


def reflect(pos: np.ndarray) -> np.ndarray:
    """Mirror through the plane (through the centroid) normal to the flattest axis."""
    centred = pos - pos.mean(0)
    normal = np.linalg.svd(centred, full_matrices=False)[2][-1]  # least-variance axis
    return pos - 2.0 * np.outer(centred @ normal, normal)


def check_and_reflect(pred: np.ndarray, start: Chem.Mol) -> tuple[np.ndarray, bool]:
    """`pred` (L, 3) heavy atoms, mirrored if its chirality disagrees with `start`."""
    heavy = heavy_atom_indices(start)
    quads = chiral_quads(start, heavy)
    reference = start.GetConformer().GetPositions()[heavy]
    if is_mirrored(pred, reference, quads):
        return reflect(pred), True
    return pred, False


def fit_conformer(pred: np.ndarray, start: Chem.Mol) -> np.ndarray:
    """The start conformer's heavy atoms superposed onto `pred` (L, 3)."""
    heavy = heavy_atom_indices(start)
    mobile = torch.as_tensor(start.GetConformer().GetPositions()[heavy])
    return kabsch_superpose(mobile, torch.as_tensor(pred, dtype=mobile.dtype)).numpy()


def pose_molecule(heavy_pos: np.ndarray, start: Chem.Mol) -> Chem.Mol:
    """`start` (same atoms, bond orders) with heavy atoms at `heavy_pos`, H re-placed."""
    heavy_only = Chem.RemoveHs(start)
    if heavy_only.GetNumAtoms() != len(heavy_pos):
        raise StructureError(
            f"ligand keeps {heavy_only.GetNumAtoms()} atoms after removing hydrogens but "
            f"{len(heavy_pos)} were predicted; give the ligand without special hydrogens"
        )
    conformer = heavy_only.GetConformer()
    for i, xyz in enumerate(heavy_pos):
        conformer.SetAtomPosition(i, Point3D(*map(float, xyz)))
    return Chem.AddHs(heavy_only, addCoords=True)
