"""Chirality check-and-reflect and writing poses with hydrogens and bond orders."""

from __future__ import annotations

import numpy as np
from rdkit import Chem

from docking.network.featurize import heavy_atom_indices
from docking.poses.pose import check_and_reflect, fit_conformer, pose_molecule, reflect
from docking.structures import ligand_from_smiles

ALANINE = "C[C@H](N)C(=O)O"


def heavy_positions(mol):
    return mol.GetConformer().GetPositions()[heavy_atom_indices(mol)]


def stereo_smiles(mol):
    mol = Chem.Mol(mol)
    Chem.AssignStereochemistryFrom3D(mol)
    return Chem.MolToSmiles(Chem.RemoveHs(mol))


def test_mirror_image_is_detected_and_reflected_back():
    start = ligand_from_smiles(ALANINE, seed=3)
    mirrored = reflect(heavy_positions(start))
    assert stereo_smiles(pose_molecule(mirrored, start)) != stereo_smiles(start)
    fixed, reflected = check_and_reflect(mirrored, start)
    assert reflected
    assert stereo_smiles(pose_molecule(fixed, start)) == stereo_smiles(start)


def test_correct_chirality_is_left_alone():
    start = ligand_from_smiles(ALANINE, seed=3)
    positions = heavy_positions(start)
    kept, reflected = check_and_reflect(positions, start)
    assert not reflected and np.array_equal(kept, positions)


def test_fitted_conformer_keeps_bond_lengths_and_lands_on_the_prediction():
    start = ligand_from_smiles("CC(=O)Oc1ccccc1C(=O)O", seed=0)
    target = heavy_positions(start) + np.array([10.0, -5.0, 3.0])
    noisy = target + np.random.default_rng(0).normal(0, 0.3, target.shape)
    fitted = fit_conformer(noisy, start)
    bonds = [(b.GetBeginAtomIdx(), b.GetEndAtomIdx()) for b in Chem.RemoveHs(start).GetBonds()]
    lengths = lambda p: np.array([np.linalg.norm(p[a] - p[b]) for a, b in bonds])  # noqa: E731
    np.testing.assert_allclose(lengths(fitted), lengths(target), atol=1e-6)
    assert np.sqrt(((fitted - target) ** 2).sum(1).mean()) < 0.3


def test_pose_molecule_adds_hydrogens_and_keeps_bond_orders():
    start = ligand_from_smiles("CC(=O)Oc1ccccc1C(=O)O", seed=0)
    mol = pose_molecule(heavy_positions(start) + 1.0, start)
    assert mol.GetNumAtoms() == start.GetNumAtoms()
    assert Chem.MolToSmiles(Chem.RemoveHs(mol)) == Chem.MolToSmiles(Chem.RemoveHs(start))
