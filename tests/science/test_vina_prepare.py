"""Ligand preparation: dockstring's pH 7.4 protonation, seeded embedding, meeko's PDBQT."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem

from molopt.molecules import standardize
from science.vina.errors import LigandPreparationError
from science.vina.prepare import embed, prepare_ligand, protonate, protonated_mol


@pytest.mark.parametrize(
    ("smiles", "expected"),
    [
        ("CC(=O)Oc1ccccc1C(=O)O", "CC(=O)Oc1ccccc1C(=O)[O-]"),  # acid: carboxylate
        ("CCN", "CC[NH3+]"),  # primary amine: ammonium
        ("c1ccccc1O", "Oc1ccccc1"),  # phenol stays neutral
    ],
)
def test_protonation_at_ph_7_4_is_open_babels(smiles, expected):
    assert Chem.CanonSmiles(protonate(smiles, 7.4)) == Chem.CanonSmiles(expected)


def test_protonation_none_keeps_the_neutral_molecule():
    mol = standardize("CCN").mol
    assert Chem.MolToSmiles(protonated_mol(mol, "none", 7.4)) == "CCN"
    with pytest.raises(LigandPreparationError, match="choose one of openbabel, none"):
        protonated_mol(mol, "propka", 7.4)


def test_embedding_is_deterministic_given_the_seed():
    mol = standardize("CC(C)Cc1ccc(cc1)C(C)C(=O)O").mol
    first, again, other = embed(mol, 7), embed(mol, 7), embed(mol, 8)
    coords = [m.GetConformer().GetPositions() for m in (first, again, other)]
    assert np.array_equal(coords[0], coords[1])
    assert not np.allclose(coords[0], coords[2])
    assert first.GetNumAtoms() == 33  # hydrogens added before embedding


def test_ligand_pdbqt_has_a_torsion_tree_and_merged_hydrogens():
    ligand = prepare_ligand(standardize("CC(C)Cc1ccc(cc1)C(C)C(=O)O").mol, seed=1)
    assert ligand.smiles == "CC(C)Cc1ccc(C(C)C(=O)[O-])cc1"
    atoms = [line for line in ligand.pdbqt.splitlines() if line.startswith(("ATOM", "HETATM"))]
    assert len(atoms) == 15  # 15 heavy atoms; the carboxylate has no polar hydrogen
    assert "ROOT" in ligand.pdbqt and "TORSDOF 4" in ligand.pdbqt


@pytest.mark.parametrize(
    ("smiles", "reason"),
    [
        ("F[Xe]F", "neither MMFF94 nor UFF"),
        ("C[Sn](C)(C)C", "meeko cannot"),
    ],
)
def test_unpreparable_ligands_raise_with_the_reason(smiles, reason):
    with pytest.raises(LigandPreparationError, match=reason):
        prepare_ligand(standardize(smiles).mol, seed=1)


# Two ligands of the PDBbind time split (6d07, a linear peptide; 6d3x, a cyclic one) that
# dockstring's rules reject for their size alone, as Open Babel protonates them at pH 7.4.
PEPTIDE_6D07 = (
    "C[C@H](NC(=O)[C@@H](NC(=O)[C@H](CCC(N)=O)NC(=O)[C@@H]([NH3+])CCCC[NH3+])[C@@H](C)O)"
    "C(=O)N[C@@H](CCCNC(=N)N)C(=O)N[C@@H](CCCC[N+](C)(C)C)C(=O)N[C@@H](CO)C(=O)N"
    "[C@H](C(=O)NCC(=O)O)[C@@H](C)O"
)
PEPTIDE_6D3X = (
    "CC[C@H](C)[C@@H]1NC(=O)[C@@H]2CCCN2C(=O)[C@@H]2CCCN2C(=O)[C@H](CCCC[NH3+])NC(=O)"
    "[C@H](CO)NC(=O)[C@H](CCCC[NH3+])NC(=O)[C@H](Cc2ccc(O)cc2)NC(=O)[C@@H]2CSSC[C@H](NC1=O)"
    "C(=O)N[C@@H](Cc1ccccc1)C(=O)N1CCC[C@H]1C(=O)N[C@@H](CC(=O)O)C(=O)N1O[C@H]1C(=O)N"
    "[C@@H](CCCNC(=N)N)C(=O)N2"
)


@pytest.mark.parametrize(
    ("smiles", "dockstring_reason"),
    [(PEPTIDE_6D07, "no 3D conformer"), (PEPTIDE_6D3X, "did not converge in 1000 iterations")],
)
def test_large_given_ligands_are_kept_outside_dockstrings_rules(smiles, dockstring_reason):
    """Redocking a given ligand (the docking CLI) keeps a large peptide dockstring rejects:
    ETKDG from random coordinates, more force-field iterations, a relaxed conformer."""
    mol = protonated_mol(Chem.MolFromSmiles(smiles), "openbabel", 7.4)
    with pytest.raises(LigandPreparationError, match=dockstring_reason):
        embed(mol, seed=1)
    kept = embed(mol, seed=1, dockstring_rules=False)
    xyz = kept.GetConformer().GetPositions()
    assert kept.GetNumAtoms() == Chem.AddHs(mol).GetNumAtoms() and np.ptp(xyz, axis=0).min() > 3
    bonds = [
        np.linalg.norm(xyz[b.GetBeginAtomIdx()] - xyz[b.GetEndAtomIdx()]) for b in kept.GetBonds()
    ]
    assert 0.9 < min(bonds) and max(bonds) < 2.2  # every bond at a chemical length (S-S 2.05)
