"""MMFF94 transferred to OpenMM: same energy, forces and minimum as RDKit's own MMFF."""

from __future__ import annotations

import numpy as np
import openmm
import pytest
from rdkit import Chem
from rdkit.Chem import AllChem
from rdkit.Geometry import Point3D

from docking.errors import RelaxError
from docking.relaxation.mmff import (
    KJ_PER_KCAL,
    add_mmff_ligand,
    lennard_jones_parameters,
    mmff_properties,
)
from docking.structures import load_ligand_file

DRUGS = {
    "aspirin": "CC(=O)Oc1ccccc1C(=O)O",
    "caffeine": "CN1C=NC2=C1C(=O)N(C(=O)N2C)C",
    "imatinib": "Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(-c2cccnc2)n1",
    "celecoxib": "Cc1ccc(-c2cc(C(F)(F)F)nn2-c2ccc(S(N)(=O)=O)cc2)cc1",
    "zwitterion_glycine": "[NH3+]CC(=O)[O-]",
    "nitrile_alkyne": "N#CC#CCc1ccccc1",
}


def _drug(smiles: str) -> Chem.Mol:
    mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
    AllChem.EmbedMolecule(mol, randomSeed=7)
    return mol


def _crystal(data_dir, name: str) -> Chem.Mol:
    return load_ligand_file(data_dir / name)


def _shaken(mol: Chem.Mol, sigma_angstrom: float = 0.15) -> Chem.Mol:
    """A copy with every atom displaced (so that all terms are far from their minima)."""
    mol = Chem.Mol(mol)
    conformer = mol.GetConformer()
    noise = np.random.default_rng(0).normal(0, sigma_angstrom, (mol.GetNumAtoms(), 3))
    for i, xyz in enumerate(conformer.GetPositions() + noise):
        conformer.SetAtomPosition(i, Point3D(*xyz))
    return mol


def _ligand_context(mol: Chem.Mol, props) -> openmm.Context:
    system = openmm.System()
    add_mmff_ligand(system, mol, props)
    context = openmm.Context(
        system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference")
    )
    context.setPositions(mol.GetConformer().GetPositions() / 10)
    return context


def _molecules(data_dir) -> list[Chem.Mol]:
    crystal = [_crystal(data_dir, "6ce6_ligand.sdf"), _crystal(data_dir, "5i7x_ligand.mol2")]
    return crystal + [_drug(smiles) for smiles in DRUGS.values()]


@pytest.mark.parametrize("dielectric_model", [1, 2], ids=["constant", "distance"])
def test_openmm_energy_and_forces_equal_rdkit_mmff(data_dir, dielectric_model):
    for mol in map(_shaken, _molecules(data_dir)):
        props = mmff_properties(mol)
        props.SetMMFFDielectricModel(dielectric_model)
        field = AllChem.MMFFGetMoleculeForceField(mol, props)
        state = _ligand_context(mol, props).getState(getEnergy=True, getForces=True)
        energy = state.getPotentialEnergy().value_in_unit(openmm.unit.kilojoule_per_mole)
        forces = state.getForces(asNumpy=True).value_in_unit(
            openmm.unit.kilojoule_per_mole / openmm.unit.angstrom
        )
        assert energy / KJ_PER_KCAL == pytest.approx(field.CalcEnergy(), abs=1e-6)
        gradient = np.array(field.CalcGrad()).reshape(-1, 3)
        assert np.abs(forces / KJ_PER_KCAL + gradient).max() < 1e-6


@pytest.mark.parametrize("ligand", ["6ce6_ligand.sdf", "5i7x_ligand.mol2"])
def test_openmm_minimizer_finds_rdkit_minimum(data_dir, ligand):
    """Start both minimizers in the same basin (RDKit's minimum, every atom shaken by
    0.1 Å): OpenMM's L-BFGS on the transferred forces must land on RDKit's minimum."""
    minimum = _crystal(data_dir, ligand)
    props = mmff_properties(minimum)
    field = AllChem.MMFFGetMoleculeForceField(minimum, props)
    field.Minimize(maxIts=10000, forceTol=1e-6, energyTol=1e-10)
    target = np.array(field.Positions()).reshape(-1, 3)
    for i, xyz in enumerate(target):
        minimum.GetConformer().SetAtomPosition(i, Point3D(*xyz))
    context = _ligand_context(_shaken(minimum, sigma_angstrom=0.1), props)
    openmm.LocalEnergyMinimizer.minimize(context, 0.01, 10000)
    ours = context.getState(getPositions=True).getPositions(asNumpy=True)._value * 10
    assert field.CalcEnergy(ours.ravel().tolist()) == pytest.approx(field.CalcEnergy(), abs=1e-3)
    assert np.sqrt(((ours - target) ** 2).sum(1).mean()) < 0.1  # flat modes: methyl, OH


def test_lennard_jones_atom_has_mmff_minimum_distance():
    mol = _drug(DRUGS["aspirin"])
    props = mmff_properties(mol)
    charge, sigma_nm, epsilon = lennard_jones_parameters(mol, props)[0]
    r_star, eps_kcal = props.GetMMFFVdWParams(0, 0)[2:]
    assert sigma_nm * 10 * 2 ** (1 / 6) == pytest.approx(r_star)
    assert epsilon == pytest.approx(eps_kcal * KJ_PER_KCAL)
    assert charge == pytest.approx(props.GetMMFFPartialCharge(0))


def test_ligand_without_mmff_parameters_is_refused():
    mol = Chem.AddHs(Chem.MolFromSmiles("[Se]=[Te]"))
    with pytest.raises(RelaxError, match="MMFF94 has no parameters"):
        mmff_properties(mol, name="odd")
