"""Reading proteins and ligands: real PDBbind files, altlocs, chains, corrupt inputs."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem

from docking.errors import StructureError
from docking.structures import (
    UNKNOWN_RESIDUE,
    ligand_from_smiles,
    load_ligand,
    load_ligand_file,
    load_protein,
    parse_protein,
)

TWO_CHAINS_WITH_ALTLOC = """\
ATOM      1  N   ALA A   1      11.000  10.000  10.000  1.00  0.00           N
ATOM      2  CA AALA A   1      12.000  10.000  10.000  0.60  0.00           C
ATOM      3  CA BALA A   1      12.500  10.000  10.000  0.40  0.00           C
ATOM      4  C   ALA A   1      13.000  10.000  10.000  1.00  0.00           C
ATOM      5  O   ALA A   1      13.500  11.000  10.000  1.00  0.00           O
ATOM      6  CA  MSE B   7      20.000  10.000  10.000  1.00  0.00           C
HETATM    7  O   HOH B 100      30.000  30.000  30.000  1.00  0.00           O
HETATM    8  C1  LIG B 101      31.000  30.000  30.000  1.00  0.00           C
END
"""


def test_protein_keeps_amino_acids_and_drops_waters(data_dir):
    protein = load_protein(data_dir / "6ce6_protein.pdb")
    text = (data_dir / "6ce6_protein.pdb").read_text()
    ca_lines = [ln for ln in text.splitlines() if ln.startswith("ATOM") and ln[12:16] == " CA "]
    assert protein.num_residues == len(ca_lines)
    assert protein.ca.shape == (protein.num_residues, 3)
    assert protein.backbone.shape == (protein.num_residues, 3, 3)
    assert protein.residue_type.max() < UNKNOWN_RESIDUE + 1


def test_altloc_takes_highest_occupancy_and_chains_are_kept():
    protein = parse_protein(TWO_CHAINS_WITH_ALTLOC, "inline.pdb")
    assert protein.residue_ids == (("A", 1, ""), ("B", 7, ""))
    np.testing.assert_allclose(protein.ca[0], [12.0, 10.0, 10.0])
    assert protein.residue_type[1] == UNKNOWN_RESIDUE  # selenomethionine is non-standard


def test_missing_backbone_atoms_are_filled_with_ca():
    protein = parse_protein(TWO_CHAINS_WITH_ALTLOC, "inline.pdb")
    np.testing.assert_allclose(protein.backbone[1], np.repeat(protein.ca[1][None], 3, axis=0))


def test_corrupt_protein_names_the_file(tmp_path):
    path = tmp_path / "broken.pdb"
    path.write_text("this is not a protein\n")
    with pytest.raises(StructureError, match="broken.pdb"):
        load_protein(path)


def test_missing_protein_file_is_a_structure_error(tmp_path):
    with pytest.raises(StructureError, match="cannot read"):
        load_protein(tmp_path / "absent.pdb")


def test_sdf_and_mol2_give_the_same_heavy_atom_graph(data_dir):
    from_sdf = load_ligand_file(data_dir / "6ce6_ligand.sdf")
    from_mol2 = load_ligand_file(data_dir / "6ce6_ligand.mol2")
    graphs = [
        Chem.MolToSmiles(Chem.RemoveHs(m), allHsExplicit=False) for m in (from_sdf, from_mol2)
    ]
    skeletons = [Chem.MolFromSmiles(s.replace("[O-]", "O")) for s in graphs]  # mol2 is ionized
    assert Chem.MolToSmiles(skeletons[0]) == Chem.MolToSmiles(skeletons[1])
    assert any(a.GetAtomicNum() == 1 for a in from_sdf.GetAtoms())


def test_unsanitizable_sdf_falls_back_to_mol2(data_dir):
    with pytest.raises(StructureError, match="5i7x_ligand.sdf"):
        load_ligand_file(data_dir / "5i7x_ligand.sdf")
    mol = load_ligand_file(data_dir / "5i7x_ligand.sdf", fallback=data_dir / "5i7x_ligand.mol2")
    assert mol.GetNumHeavyAtoms() == 22


def test_smiles_gets_an_etkdg_conformer_with_hydrogens():
    mol = ligand_from_smiles("CC(=O)Oc1ccccc1C(=O)O", seed=1)
    assert mol.GetNumConformers() == 1
    assert mol.GetNumAtoms() == 21  # 13 heavy + 8 H
    positions = mol.GetConformer().GetPositions()
    assert np.ptp(positions, axis=0).min() > 0.5  # really 3D


def test_load_ligand_dispatches_on_file_or_smiles(data_dir):
    assert load_ligand(data_dir / "6ce6_ligand.sdf").GetNumHeavyAtoms() == 22
    assert load_ligand("c1ccccc1O").GetNumHeavyAtoms() == 7


def test_bad_smiles_is_a_structure_error():
    with pytest.raises(StructureError, match="cannot parse"):
        load_ligand("C1CC(")
