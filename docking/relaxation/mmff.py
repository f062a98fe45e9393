"""MMFF94 of an RDKit molecule as OpenMM forces (Halgren, J. Comput. Chem. 17, 490, 1996).

RDKit assigns the parameters (`MMFFGetMoleculeProperties`); this module writes them into
an `openmm.System` with MMFF's own functional forms, so that OpenMM's energy of the
ligand alone equals RDKit's ``MMFFGetMoleculeForceField(...).CalcEnergy()`` (energy and
forces tested to 1e-6 kcal/mol on crystal ligands and drugs). Parameters stay in MMFF
units (kcal/mol, Å, degrees, mdyn/Å) and the expressions convert OpenMM's nm, radians and
kJ/mol:

- bond stretch: ``143.9325/2 kb dr² (1 + cs dr + 7/12 cs² dr²)``, cs = -2 Å⁻¹;
- angle bend: ``0.043844/2 ka dθ² (1 + cb dθ)``, cb = -0.007 deg⁻¹; linear centres
  (MMFF types 4, 53, 61): ``143.9325 ka (1 + cos θ)``;
- stretch-bend: ``2.51210 (kIJK drIJ + kKJI drKJ) dθ`` (none at linear centres);
- Wilson out-of-plane: ``0.043844/2 koop χ²`` for each of the three bonds of a
  tricoordinate centre;
- torsion: ``½ (V1 (1 + cos φ) + V2 (1 - cos 2φ) + V3 (1 + cos 3φ))``;
- buffered 14-7 vdW: ``ε (1.07 R*/(R + 0.07 R*))⁷ (1.12 R*⁷/(R⁷ + 0.12 R*⁷) - 2)`` with
  RDKit's combined (donor-acceptor scaled) R* and ε, on pairs 1-4 and beyond;
- buffered Coulomb: ``332.0716 qi qj / (D (R + 0.05))``, or ``/(D (R + 0.05)²)`` with the
  distance-dependent model, 1-4 pairs scaled by 0.75 (dielectric as in the properties).

As RDKit does by default, pairs in different fragments of a multi-fragment molecule get
no nonbonded term. For mixing with another force field, `lennard_jones_parameters` maps
each atom's MMFF R*ᵢᵢ, εᵢᵢ onto a 12-6 Lennard-Jones atom with the same minimum:
σ = R*ᵢᵢ / 2^(1/6), ε = εᵢᵢ.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import openmm
from rdkit import Chem
from rdkit.Chem import AllChem, rdForceFieldHelpers

from docking.errors import RelaxError

KJ_PER_KCAL = 4.184
ANGSTROM_PER_NM = 10.0
DEGREES_PER_RADIAN = 180.0 / math.pi
MDYNE_A_TO_KCAL_MOL = 143.9325
COULOMB_KCAL_ANGSTROM = 332.0716
ELECTROSTATIC_BUFFER_ANGSTROM = 0.05
ELECTROSTATIC_SCALE_14 = 0.75
DISTANCE_DEPENDENT_MODEL = 2  # RDKit's dielModel code (1: constant)
LINEAR_ATOM_TYPES = frozenset({4, 53, 61})  # MMFFPROP "lin" flag

_UNITS = f"kj={KJ_PER_KCAL}; nm={ANGSTROM_PER_NM}; deg={DEGREES_PER_RADIAN}"
_BOND = (
    "kj*0.5*{c}*kb*dr^2*(1 + cs*dr + 7/12*cs^2*dr^2); cs = -2; dr = r*nm - r0; " + _UNITS
).format(c=MDYNE_A_TO_KCAL_MOL)
_ANGLE = ("kj*0.5*{c}*ka*dt^2*(1 - 0.006981317*dt); dt = theta*deg - t0; " + _UNITS).format(
    c=MDYNE_A_TO_KCAL_MOL / DEGREES_PER_RADIAN**2
)
_LINEAR_ANGLE = f"kj*{MDYNE_A_TO_KCAL_MOL}*ka*(1 + cos(theta)); " + _UNITS
_STRETCH_BEND = (
    "kj*{c}*(kijk*(distance(p1, p2)*nm - r1) + kkji*(distance(p3, p2)*nm - r2))"
    "*(angle(p1, p2, p3)*deg - t0); " + _UNITS
).format(c=MDYNE_A_TO_KCAL_MOL / DEGREES_PER_RADIAN)
_OOP = (
    "kj*0.5*{c}*koop*chi^2; chi = deg*asin(min(1, max(-1, s)));"
    " s = (nx*cx + ny*cy + nz*cz)/sqrt((nx^2 + ny^2 + nz^2)*(cx^2 + cy^2 + cz^2));"
    " nx = ay*bz - az*by; ny = az*bx - ax*bz; nz = ax*by - ay*bx;"
    " ax = x1 - x2; ay = y1 - y2; az = z1 - z2; bx = x3 - x2; by = y3 - y2; bz = z3 - z2;"
    " cx = x4 - x2; cy = y4 - y2; cz = z4 - z2; " + _UNITS
).format(c=MDYNE_A_TO_KCAL_MOL / DEGREES_PER_RADIAN**2)
_VDW = "kj*eps*(1.07*rs/(d + 0.07*rs))^7*(1.12*rs^7/(d^7 + 0.12*rs^7) - 2); d = r*nm; " + _UNITS
_ELECTROSTATIC = "kj*{c}*qq/({dielectric}*(r*nm + {b})^{power}); " + _UNITS


def mmff_properties(mol: Chem.Mol, name: str = "") -> AllChem.MMFFMolProperties:
    """RDKit's MMFF94 parameters of `mol` (explicit hydrogens needed); `RelaxError` when an
    atom has no MMFF type (unusual element or valence)."""
    if not rdForceFieldHelpers.MMFFHasAllMoleculeParams(mol):
        raise RelaxError(
            f"{name or Chem.MolToSmiles(mol)}: MMFF94 has no parameters for this ligand "
            "(check its elements, charges and explicit hydrogens)"
        )
    return AllChem.MMFFGetMoleculeProperties(mol)


def add_mmff_ligand(
    system: openmm.System,
    mol: Chem.Mol,
    props: AllChem.MMFFMolProperties,
    group: int = 1,
) -> range:
    """Add `mol`'s atoms as particles and its MMFF94 terms as forces in force `group`;
    the system particle index of each atom, in RDKit atom order."""
    first = system.getNumParticles()
    for atom in mol.GetAtoms():
        system.addParticle(atom.GetMass())
    forces = [_bond_force(mol, props, first), *_angle_forces(mol, props, first)]
    forces += [_stretch_bend_force(mol, props, first), _oop_force(mol, props, first)]
    forces += [_torsion_force(mol, props, first), *_nonbonded_forces(mol, props, first)]
    for force in forces:
        force.setForceGroup(group)
        system.addForce(force)
    return range(first, system.getNumParticles())


def lennard_jones_parameters(
    mol: Chem.Mol, props: AllChem.MMFFMolProperties
) -> list[tuple[float, float, float]]:
    """(charge e, σ nm, ε kJ/mol) per atom: MMFF charge and the 12-6 atom with MMFF's
    own-pair minimum (σ = R*ᵢᵢ/2^(1/6), ε = εᵢᵢ)."""
    params = []
    for i in range(mol.GetNumAtoms()):
        r_star, epsilon = props.GetMMFFVdWParams(i, i)[2:]
        sigma_nm = r_star / 2 ** (1 / 6) / ANGSTROM_PER_NM
        params.append((props.GetMMFFPartialCharge(i), sigma_nm, epsilon * KJ_PER_KCAL))
    return params


def _bond_force(mol: Chem.Mol, props, first: int) -> openmm.CustomBondForce:
    force = openmm.CustomBondForce(_BOND)
    for parameter in ("kb", "r0"):
        force.addPerBondParameter(parameter)
    for bond in mol.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        _, kb, r0 = props.GetMMFFBondStretchParams(mol, i, j)
        force.addBond(first + i, first + j, [kb, r0])
    return force


def _angles(mol: Chem.Mol):
    """(i, j, k) for each bond angle, j the centre."""
    for centre in mol.GetAtoms():
        neighbours = [n.GetIdx() for n in centre.GetNeighbors()]
        for i, k in itertools.combinations(neighbours, 2):
            yield i, centre.GetIdx(), k


def _is_linear(props, j: int) -> bool:
    return props.GetMMFFAtomType(j) in LINEAR_ATOM_TYPES


def _angle_forces(
    mol: Chem.Mol, props, first: int
) -> tuple[openmm.CustomAngleForce, openmm.CustomAngleForce]:
    bent = openmm.CustomAngleForce(_ANGLE)
    bent.addPerAngleParameter("ka")
    bent.addPerAngleParameter("t0")
    linear = openmm.CustomAngleForce(_LINEAR_ANGLE)
    linear.addPerAngleParameter("ka")
    for i, j, k in _angles(mol):
        params = props.GetMMFFAngleBendParams(mol, i, j, k)
        if params is None:
            continue
        _, ka, theta0 = params
        if _is_linear(props, j):
            linear.addAngle(first + i, first + j, first + k, [ka])
        else:
            bent.addAngle(first + i, first + j, first + k, [ka, theta0])
    return bent, linear


def _stretch_bend_force(mol: Chem.Mol, props, first: int) -> openmm.CustomCompoundBondForce:
    force = openmm.CustomCompoundBondForce(3, _STRETCH_BEND)
    for parameter in ("kijk", "kkji", "r1", "r2", "t0"):
        force.addPerBondParameter(parameter)
    for i, j, k in _angles(mol):
        params = props.GetMMFFStretchBendParams(mol, i, j, k)
        if params is None or _is_linear(props, j):
            continue
        _, k_ijk, k_kji = params
        r1 = props.GetMMFFBondStretchParams(mol, i, j)[2]
        r2 = props.GetMMFFBondStretchParams(mol, k, j)[2]
        theta0 = props.GetMMFFAngleBendParams(mol, i, j, k)[2]
        force.addBond([first + i, first + j, first + k], [k_ijk, k_kji, r1, r2, theta0])
    return force


def _oop_force(mol: Chem.Mol, props, first: int) -> openmm.CustomCompoundBondForce:
    force = openmm.CustomCompoundBondForce(4, _OOP)
    force.addPerBondParameter("koop")
    for centre in mol.GetAtoms():
        if centre.GetDegree() != 3:
            continue
        a, b, c = (n.GetIdx() for n in centre.GetNeighbors())
        j = centre.GetIdx()
        for i, k, out in ((a, b, c), (a, c, b), (b, c, a)):
            koop = props.GetMMFFOopBendParams(mol, i, j, k, out)
            if koop:
                force.addBond([first + i, first + j, first + k, first + out], [koop])
    return force


def _torsions(mol: Chem.Mol):
    """(i, j, k, l) for each proper torsion about each bond j-k (no 3-ring closures)."""
    for bond in mol.GetBonds():
        j, k = bond.GetBeginAtom(), bond.GetEndAtom()
        for i in (n.GetIdx() for n in j.GetNeighbors() if n.GetIdx() != k.GetIdx()):
            for m in (n.GetIdx() for n in k.GetNeighbors() if n.GetIdx() != j.GetIdx()):
                if m != i:
                    yield i, j.GetIdx(), k.GetIdx(), m


def _torsion_force(mol: Chem.Mol, props, first: int) -> openmm.PeriodicTorsionForce:
    force = openmm.PeriodicTorsionForce()
    for i, j, k, m in _torsions(mol):
        params = props.GetMMFFTorsionParams(mol, i, j, k, m)
        if params is None:
            continue
        particles = (first + i, first + j, first + k, first + m)
        for periodicity, (v, phase) in enumerate(
            ((params[1], 0.0), (params[2], math.pi), (params[3], 0.0)), start=1
        ):
            if v:
                force.addTorsion(*particles, periodicity, phase, 0.5 * v * KJ_PER_KCAL)
    return force


def _nonbonded_pairs(mol: Chem.Mol):
    """(i, j, is_14) for atom pairs three or more bonds apart in the same fragment."""
    hops = Chem.GetDistanceMatrix(mol)
    n = mol.GetNumAtoms()
    for i, j in itertools.combinations(range(n), 2):
        if 3 <= hops[i, j] < n:
            yield i, j, hops[i, j] == 3


def _nonbonded_forces(mol: Chem.Mol, props, first: int) -> list[openmm.CustomBondForce]:
    distance_dependent = props.GetMMFFDielectricModel() == DISTANCE_DEPENDENT_MODEL
    expression = _ELECTROSTATIC.format(
        c=COULOMB_KCAL_ANGSTROM,
        b=ELECTROSTATIC_BUFFER_ANGSTROM,
        dielectric=props.GetMMFFDielectricConstant(),
        power=2 if distance_dependent else 1,
    )
    electrostatic = openmm.CustomBondForce(expression)
    electrostatic.addPerBondParameter("qq")
    vdw = openmm.CustomBondForce(_VDW)
    vdw.addPerBondParameter("rs")
    vdw.addPerBondParameter("eps")
    charges = np.array([props.GetMMFFPartialCharge(i) for i in range(mol.GetNumAtoms())])
    for i, j, is_14 in _nonbonded_pairs(mol):
        r_star, epsilon = props.GetMMFFVdWParams(i, j)[2:]
        vdw.addBond(first + i, first + j, [r_star, epsilon])
        scale = ELECTROSTATIC_SCALE_14 if is_14 else 1.0
        if charges[i] and charges[j]:
            electrostatic.addBond(first + i, first + j, [scale * charges[i] * charges[j]])
    return [vdw, electrostatic]
