"""OpenMM relaxation of poses in their pocket, on the PDBbind 6ce6 crystal complex."""

from __future__ import annotations

import numpy as np
import pytest
from openmm import app
from rdkit import Chem
from rdkit.Geometry import Point3D

from docking.errors import RelaxError
from docking.relaxation.pocket_cut import prepare_pocket
from docking.relaxation.relax import RelaxOptions, relax_pose, relax_sdf_file
from docking.structures import load_ligand_file
from tests.docking.conftest import DATA

SHIFT_ANGSTROM = 1.2


def _heavy(mol: Chem.Mol) -> np.ndarray:
    heavy = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() > 1]
    return mol.GetConformer().GetPositions()[heavy]


def _protein_heavy(data_dir) -> np.ndarray:
    """Heavy-atom coordinates of the 6ce6 protein file (ATOM records)."""
    lines = (data_dir / "6ce6_protein.pdb").read_text().splitlines()
    atoms = [line for line in lines if line.startswith("ATOM") and line[76:78].strip() != "H"]
    return np.array([[float(line[i : i + 8]) for i in (30, 38, 46)] for line in atoms])


def _min_distance(ligand: Chem.Mol, protein: np.ndarray) -> float:
    return float(np.linalg.norm(_heavy(ligand)[:, None] - protein[None], axis=-1).min())


def _moved(mol: Chem.Mol, shift: np.ndarray) -> Chem.Mol:
    moved = Chem.Mol(mol)
    conformer = moved.GetConformer()
    for i, xyz in enumerate(conformer.GetPositions() + shift):
        conformer.SetAtomPosition(i, Point3D(*xyz))
    return moved


def _bond_lengths(mol: Chem.Mol) -> np.ndarray:
    xyz = mol.GetConformer().GetPositions()
    pairs = np.array([(b.GetBeginAtomIdx(), b.GetEndAtomIdx()) for b in mol.GetBonds()])
    return np.linalg.norm(xyz[pairs[:, 0]] - xyz[pairs[:, 1]], axis=1)


def _stereo(mol: Chem.Mol) -> list:
    mol = Chem.Mol(mol)
    Chem.AssignStereochemistryFrom3D(mol)
    return Chem.FindMolChiralCenters(mol, includeUnassigned=True, useLegacyImplementation=False)


@pytest.fixture(scope="module")
def crystal() -> Chem.Mol:
    """The 6ce6 crystal ligand (with hydrogens)."""
    return load_ligand_file(DATA / "6ce6_ligand.sdf")


@pytest.fixture(scope="module")
def clashing(crystal) -> Chem.Mol:
    """The crystal ligand pushed 1.2 Å towards the protein atoms around it."""
    protein = _protein_heavy(DATA)
    centre = _heavy(crystal).mean(0)
    around = protein[np.linalg.norm(protein - centre, axis=1) < 8.0].mean(0)
    direction = (around - centre) / np.linalg.norm(around - centre)
    return _moved(crystal, SHIFT_ANGSTROM * direction)


@pytest.fixture(scope="module")
def relaxed_clash(clashing):
    """The clashing pose relaxed in its pocket (computed once for the module)."""
    return relax_pose(DATA / "6ce6_protein.pdb", clashing, name="6ce6")


def test_relax_removes_a_clash_and_lowers_the_energy(clashing, relaxed_clash, data_dir):
    protein = _protein_heavy(data_dir)
    assert _min_distance(clashing, protein) < 2.0  # the shifted pose clashes
    assert _min_distance(relaxed_clash.ligand, protein) > 2.2
    assert relaxed_clash.energy_after_kj_mol < relaxed_clash.energy_before_kj_mol - 1000
    assert relaxed_clash.interaction_after_kj_mol < relaxed_clash.interaction_before_kj_mol
    assert 0.3 < relaxed_clash.ligand_rmsd_angstrom < 2 * SHIFT_ANGSTROM


def test_relax_keeps_bonds_hydrogens_and_chirality(clashing, relaxed_clash):
    relaxed = relaxed_clash.ligand
    assert Chem.MolToSmiles(relaxed) == Chem.MolToSmiles(clashing)
    assert relaxed.GetNumAtoms() == clashing.GetNumAtoms()
    assert np.abs(_bond_lengths(relaxed) - _bond_lengths(clashing)).max() < 0.1
    assert _stereo(relaxed) == _stereo(clashing)


def test_relax_fixes_posebusters_protein_distance_check(clashing, relaxed_clash, tmp_path):
    from docking.inference.checks import posebusters_flags

    pocket = tmp_path / "pocket.pdb"
    pocket.write_text(relaxed_clash.pocket_pdb)
    before, after = tmp_path / "before.sdf", tmp_path / "after.sdf"
    Chem.MolToMolFile(clashing, str(before))
    Chem.MolToMolFile(relaxed_clash.ligand, str(after))
    assert "minimum_distance_to_protein" in posebusters_flags(before, pocket).failed
    assert posebusters_flags(after, pocket).failed == ()


def test_relax_moves_a_crystal_pose_little(crystal, data_dir):
    result = relax_pose(data_dir / "6ce6_protein.pdb", crystal)
    assert result.ligand_rmsd_angstrom < 0.5
    assert 0 < result.pocket_rmsd_angstrom < 0.5  # the restrained protein barely moves
    assert result.energy_after_kj_mol < result.energy_before_kj_mol
    assert result.seconds > 0


def test_relaxing_a_file_keeps_the_docked_pose_beside_it(clashing, data_dir, tmp_path):
    pose = tmp_path / "rank1.sdf"
    clashing = Chem.Mol(clashing)
    clashing.SetProp("confidence_rmsd_angstrom", "1.234567")
    with Chem.SDWriter(str(pose)) as writer:
        writer.write(clashing)
    result = relax_sdf_file(pose, data_dir / "6ce6_protein.pdb", name="6ce6")
    relaxed = next(Chem.SDMolSupplier(str(pose), removeHs=False))
    kept = Chem.MolFromMolFile(str(tmp_path / "rank1_unrelaxed.sdf"), removeHs=False)
    assert relaxed.GetProp("confidence_rmsd_angstrom") == "1.234567"
    assert relaxed.GetNumAtoms() == kept.GetNumAtoms() == clashing.GetNumAtoms()
    moved = relaxed.GetConformer().GetPositions() - kept.GetConformer().GetPositions()
    assert np.sqrt((moved**2).sum(1).mean()) > 0.1
    assert (tmp_path / "pocket_relaxed.pdb").read_text() == result.pocket_pdb


def test_pocket_is_cut_capped_and_protonated(crystal, data_dir):
    topology, positions = prepare_pocket(data_dir / "6ce6_protein.pdb", _heavy(crystal))
    residues = list(topology.residues())
    names = {r.name for r in residues}
    assert {"ACE", "NME"} <= names
    assert 20 < len(residues) < 101  # a pocket, not the whole 101-residue protein
    for chain in topology.chains():  # each cut stretch is its own chain, capped at cuts
        chain_residues = list(chain.residues())
        assert chain_residues[0].name == "ACE" or chain_residues[0].id == "1108"
    assert any(a.element == app.element.hydrogen for a in topology.atoms())
    assert positions.shape == (topology.getNumAtoms(), 3)


def test_pose_far_from_the_protein_is_refused(crystal, data_dir):
    far = _moved(crystal, np.array([60.0, 0.0, 0.0]))
    with pytest.raises(RelaxError, match="no protein residue within 8.0 Å"):
        relax_pose(data_dir / "6ce6_protein.pdb", far, name="6ce6-far")


def test_unreadable_protein_is_a_relax_error_naming_the_complex(crystal, tmp_path):
    broken = tmp_path / "broken.pdb"
    broken.write_text("ATOM      1  CA  XYZ A   1    nonsense\n")
    with pytest.raises(RelaxError, match="broken-complex"):
        relax_pose(broken, crystal, name="broken-complex")


def test_unknown_device_is_refused(crystal, data_dir):
    with pytest.raises(RelaxError, match="no OpenMM platform for device 'tpu'"):
        relax_pose(data_dir / "6ce6_protein.pdb", crystal, RelaxOptions(device="tpu"))


@pytest.mark.gpu
def test_relax_on_cuda_agrees_with_cpu(crystal, data_dir):
    import openmm

    names = [
        openmm.Platform.getPlatform(i).getName() for i in range(openmm.Platform.getNumPlatforms())
    ]
    if "CUDA" not in names:
        pytest.skip("this OpenMM build has no CUDA platform")
    cpu = relax_pose(data_dir / "6ce6_protein.pdb", crystal)
    gpu = relax_pose(data_dir / "6ce6_protein.pdb", crystal, RelaxOptions(device="cuda"))
    assert gpu.ligand_rmsd_angstrom < 0.5
    assert gpu.energy_after_kj_mol == pytest.approx(cpu.energy_after_kj_mol, rel=0.01)
