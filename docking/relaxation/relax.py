"""Relax a docked pose in its pocket: OpenMM energy minimization, protein restrained.

The physical-validity step after docking (the "relax" of DiffDock-style pipelines and of
PoseBusters' discussion, Buttenschoen et al., Chem. Sci. 2024): remove clashes and
strained geometry while moving the pose as little as possible.

System, in vacuum (`relax_pose`):

- **protein**: the residues within ``pocket_cutoff_angstrom`` (8 Å) of the ligand,
  PDBFixer'd, ACE/NME-capped at cuts and protonated at pH 7.4 (`docking.relaxation.pocket_cut`);
  Amber ff14SB (``amber14-all.xml``), no cutoff, constant dielectric 1 within the protein.
- **ligand**: MMFF94 from RDKit (`docking.relaxation.mmff`), with its own nonbonded terms
  (buffered 14-7, buffered Coulomb, dielectric 1).
- **protein-ligand**: 12-6 Lennard-Jones, Lorentz-Berthelot mixing of Amber σ, ε with
  each ligand atom's MMFF-equivalent σ = R*ᵢᵢ/2^(1/6), ε = εᵢᵢ; Coulomb of Amber and MMFF
  charges with a distance-dependent dielectric ε(r) = 4r (r in Å), a
  `CustomNonbondedForce` with one interaction group, so protein-protein stays Amber and
  ligand-ligand stays MMFF.
- **restraints**: harmonic position restraints on protein heavy atoms,
  ``k = 10000`` kJ/mol/nm² on the backbone (and caps), ``2000`` on side chains; hydrogens
  and the ligand are free.

L-BFGS (`openmm.LocalEnergyMinimizer`) to an RMS force of ``tolerance_kj_mol_nm``
(10 kJ/mol/nm) or ``max_iterations`` (2000) per stage, on the CPU platform or CUDA
(``device="cuda"``). Stages (``softcore_stages``, default 0.3 then 1): the cross terms
are first softened, Beutler et al. (Chem. Phys. Lett. 222, 529, 1994) style,
``λ 4ε (1/s² - 1/s)`` with ``s = 0.5 (1 - λ) + (r/σ)⁶`` and Coulomb over
``r² + 0.01 (1 - λ)`` nm², so that a pose threaded through protein atoms can slide out
instead of tearing its bonds; the last stage is the full potential. On six time-split
complexes, one full-potential stage alone left two buried model poses with broken bond
lengths; the soft stage did not.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openmm
from openmm import app, unit
from rdkit import Chem
from rdkit.Geometry import Point3D

from docking.errors import RelaxError
from docking.relaxation.mmff import add_mmff_ligand, lennard_jones_parameters, mmff_properties
from docking.relaxation.pocket_cut import CAPS, amber_force_field, prepare_pocket

log = logging.getLogger(__name__)

COULOMB_KJ_NM = 138.935458  # 1/(4π ε0) in kJ mol⁻¹ nm e⁻²
BACKBONE_ATOMS = frozenset({"N", "CA", "C", "O", "OXT"})
LIGAND_GROUP, INTERACTION_GROUP, RESTRAINT_GROUP = 1, 2, 3  # Amber forces: group 0
ALL_GROUPS = set(range(32))
PLATFORMS = {"cpu": "CPU", "cuda": "CUDA"}
RELAXED_POCKET = "pocket_relaxed.pdb"

SOFTCORE = "protein_ligand_lambda"  # global parameter of the cross terms, 1 = full
_CROSS_TERMS = (
    "lambda*(4*epsilon*(1/s6^2 - 1/s6) + {coulomb}*charge1*charge2/({slope}*10*(r^2 + soft)));"
    " s6 = 0.5*(1 - lambda) + (r/sigma)^6; soft = 0.01*(1 - lambda); lambda = {lam};"
    " sigma = 0.5*(sigma1 + sigma2); epsilon = sqrt(epsilon1*epsilon2)"
)
_RESTRAINT = "0.5*k*((x - x0)^2 + (y - y0)^2 + (z - z0)^2)"


@dataclass(frozen=True)
class RelaxOptions:
    """Pocket cut, restraints, dielectric and minimizer settings (see the module doc)."""

    pocket_cutoff_angstrom: float = 8.0
    backbone_restraint_kj_mol_nm2: float = 10000.0
    sidechain_restraint_kj_mol_nm2: float = 2000.0
    dielectric_slope_per_angstrom: float = 4.0
    tolerance_kj_mol_nm: float = 10.0
    max_iterations: int = 2000
    softcore_stages: tuple[float, ...] = (0.3, 1.0)
    ph: float = 7.4
    device: str = "cpu"
    threads: int = 1


@dataclass(frozen=True)
class RelaxResult:
    """The relaxed pose and pocket, and what the relaxation changed.

    Energies are of the whole pocket + ligand system (restraints included); the
    interaction energy is the protein-ligand cross term alone. `ligand_rmsd_angstrom`:
    heavy-atom RMSD between the pose before and after (no superposition);
    `pocket_rmsd_angstrom`: the same for the pocket's heavy atoms (how far the restrained
    protein gave way).
    """

    ligand: Chem.Mol
    pocket_pdb: str
    energy_before_kj_mol: float
    energy_after_kj_mol: float
    interaction_before_kj_mol: float
    interaction_after_kj_mol: float
    ligand_rmsd_angstrom: float
    pocket_rmsd_angstrom: float
    seconds: float


def relax_pose(
    protein_pdb: Path,
    ligand: Chem.Mol,
    options: RelaxOptions = RelaxOptions(),
    name: str = "",
) -> RelaxResult:
    """Minimize `ligand` (a posed RDKit molecule; hydrogens are added with coordinates if
    missing) in the pocket of `protein_pdb`; `RelaxError` names the complex on failure."""
    began = time.perf_counter()
    name = name or Path(protein_pdb).stem
    platform = _platform(options, name)
    ligand = Chem.AddHs(ligand, addCoords=True)
    props = mmff_properties(ligand, name)
    ligand_angstrom = ligand.GetConformer().GetPositions()
    heavy = [a.GetIdx() for a in ligand.GetAtoms() if a.GetAtomicNum() > 1]
    topology, positions = prepare_pocket(
        Path(protein_pdb),
        ligand_angstrom[heavy],
        options.pocket_cutoff_angstrom,
        options.ph,
        name,
    )
    system = _system(topology, positions, ligand, props, options, name)
    try:
        context = _context(system, platform, options)
        context.setPositions(np.vstack([positions, ligand_angstrom / 10]))
        before, after, final = _minimize(context, options)
    except openmm.OpenMMException as error:
        raise RelaxError(f"{name}: OpenMM minimization failed: {error}") from error
    n_protein = len(positions)
    relaxed = with_positions(ligand, final[n_protein:] * 10)
    result = RelaxResult(
        ligand=relaxed,
        pocket_pdb=_pdb_text(topology, final[:n_protein]),
        energy_before_kj_mol=before["total"],
        energy_after_kj_mol=after["total"],
        interaction_before_kj_mol=before["interaction"],
        interaction_after_kj_mol=after["interaction"],
        ligand_rmsd_angstrom=_heavy_rmsd(ligand, relaxed),
        pocket_rmsd_angstrom=_pocket_rmsd(topology, positions, final[:n_protein]),
        seconds=time.perf_counter() - began,
    )
    log.info(
        "%s relaxed: %.0f -> %.0f kJ/mol, ligand moved %.2f Å, %.1f s",
        name,
        result.energy_before_kj_mol,
        result.energy_after_kj_mol,
        result.ligand_rmsd_angstrom,
        result.seconds,
    )
    return result


def relax_sdf_file(
    pose_sdf: Path, protein_pdb: Path, options: RelaxOptions = RelaxOptions(), name: str = ""
) -> RelaxResult:
    """Relax the first pose of `pose_sdf` in place: the relaxed pose (hydrogens, bond
    orders and SD tags kept) replaces it, the original is kept as ``<stem>_unrelaxed.sdf``
    and the relaxed pocket is written beside as ``pocket_relaxed.pdb``. On a `RelaxError`
    no file is touched."""
    pose_sdf = Path(pose_sdf)
    docked = next(iter(Chem.SDMolSupplier(str(pose_sdf), removeHs=False)), None)
    if docked is None:
        raise RelaxError(f"{name or pose_sdf}: RDKit cannot read the pose {pose_sdf}")
    result = relax_pose(protein_pdb, docked, options, name)
    pose_sdf.replace(pose_sdf.with_name(f"{pose_sdf.stem}_unrelaxed.sdf"))
    with Chem.SDWriter(str(pose_sdf)) as writer:
        writer.write(result.ligand)
    pose_sdf.with_name(RELAXED_POCKET).write_text(result.pocket_pdb)
    return result


def _system(
    topology: app.Topology,
    positions: np.ndarray,
    ligand: Chem.Mol,
    props,
    options: RelaxOptions,
    name: str,
) -> openmm.System:
    """Amber pocket + MMFF ligand + cross terms + position restraints."""
    try:
        system = amber_force_field().createSystem(
            topology, nonbondedMethod=app.NoCutoff, constraints=None, removeCMMotion=False
        )
    except Exception as error:
        raise RelaxError(f"{name}: Amber ff14SB cannot parametrize the pocket: {error}") from error
    nonbonded = next(f for f in system.getForces() if isinstance(f, openmm.NonbondedForce))
    protein = range(system.getNumParticles())
    ligand_particles = add_mmff_ligand(system, ligand, props, group=LIGAND_GROUP)
    cross = _cross_terms(nonbonded, lennard_jones_parameters(ligand, props), options)
    cross.addInteractionGroup(protein, ligand_particles)
    for _ in ligand_particles:
        nonbonded.addParticle(0.0, 0.1, 0.0)  # the ligand's nonbonded terms are MMFF's
    system.addForce(cross)
    system.addForce(_restraints(topology, positions, options))
    return system


def _cross_terms(
    nonbonded: openmm.NonbondedForce,
    ligand_parameters: list[tuple[float, float, float]],
    options: RelaxOptions,
) -> openmm.CustomNonbondedForce:
    """Protein-ligand LJ + 4r-dielectric Coulomb: Amber parameters of the protein
    particles (read from `nonbonded`, before the ligand joins it), then the ligand's."""
    cross = openmm.CustomNonbondedForce(
        _CROSS_TERMS.format(
            coulomb=COULOMB_KJ_NM, slope=options.dielectric_slope_per_angstrom, lam=SOFTCORE
        )
    )
    cross.addGlobalParameter(SOFTCORE, 1.0)
    for parameter in ("charge", "sigma", "epsilon"):
        cross.addPerParticleParameter(parameter)
    for i in range(nonbonded.getNumParticles()):
        charge, sigma, epsilon = nonbonded.getParticleParameters(i)
        cross.addParticle(
            [
                charge.value_in_unit(unit.elementary_charge),
                sigma.value_in_unit(unit.nanometer),
                epsilon.value_in_unit(unit.kilojoule_per_mole),
            ]
        )
    for parameters in ligand_parameters:
        cross.addParticle(list(parameters))
    for index in range(nonbonded.getNumExceptions()):  # platforms want equal exclusions
        cross.addExclusion(*nonbonded.getExceptionParameters(index)[:2])
    cross.setNonbondedMethod(openmm.CustomNonbondedForce.NoCutoff)
    cross.setForceGroup(INTERACTION_GROUP)
    return cross


def _restraints(
    topology: app.Topology, positions: np.ndarray, options: RelaxOptions
) -> openmm.CustomExternalForce:
    force = openmm.CustomExternalForce(_RESTRAINT)
    for parameter in ("k", "x0", "y0", "z0"):
        force.addPerParticleParameter(parameter)
    for atom in topology.atoms():
        if atom.element == app.element.hydrogen:
            continue
        backbone = atom.name in BACKBONE_ATOMS or atom.residue.name in CAPS
        k = (
            options.backbone_restraint_kj_mol_nm2
            if backbone
            else options.sidechain_restraint_kj_mol_nm2
        )
        force.addParticle(atom.index, [k, *positions[atom.index]])
    force.setForceGroup(RESTRAINT_GROUP)
    return force


def _platform(options: RelaxOptions, name: str) -> openmm.Platform:
    try:
        return openmm.Platform.getPlatformByName(PLATFORMS[options.device])
    except (KeyError, openmm.OpenMMException) as error:
        raise RelaxError(
            f"{name}: no OpenMM platform for device {options.device!r} "
            f"(choose one of {sorted(PLATFORMS)} that this OpenMM build has)"
        ) from error


def _context(
    system: openmm.System, platform: openmm.Platform, options: RelaxOptions
) -> openmm.Context:
    properties = {"Threads": str(options.threads)} if options.device == "cpu" else {}
    return openmm.Context(system, openmm.VerletIntegrator(0.001), platform, properties)


def _minimize(
    context: openmm.Context, options: RelaxOptions
) -> tuple[dict[str, float], dict[str, float], np.ndarray]:
    """Energies before and after L-BFGS, and the final positions (nm)."""
    before = _energies(context)
    for softness in options.softcore_stages:
        context.setParameter(SOFTCORE, softness)
        openmm.LocalEnergyMinimizer.minimize(
            context, options.tolerance_kj_mol_nm, options.max_iterations
        )
    context.setParameter(SOFTCORE, 1.0)
    state = context.getState(getPositions=True)
    return (
        before,
        _energies(context),
        state.getPositions(asNumpy=True).value_in_unit(unit.nanometer),
    )


def _energies(context: openmm.Context) -> dict[str, float]:
    def energy(groups: set[int] | int) -> float:
        state = context.getState(getEnergy=True, groups=groups)
        return state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)

    return {"total": energy(ALL_GROUPS), "interaction": energy({INTERACTION_GROUP})}


def with_positions(ligand: Chem.Mol, angstrom: np.ndarray) -> Chem.Mol:
    """A copy of `ligand` with its atoms at `angstrom` (N, 3)."""
    relaxed = Chem.Mol(ligand)
    conformer = relaxed.GetConformer()
    for i, xyz in enumerate(angstrom):
        conformer.SetAtomPosition(i, Point3D(*map(float, xyz)))
    return relaxed


def _heavy_rmsd(before: Chem.Mol, after: Chem.Mol) -> float:
    heavy = [a.GetIdx() for a in before.GetAtoms() if a.GetAtomicNum() > 1]
    delta = before.GetConformer().GetPositions()[heavy] - after.GetConformer().GetPositions()[heavy]
    return float(np.sqrt((delta**2).sum(1).mean()))


def _pocket_rmsd(topology: app.Topology, before_nm: np.ndarray, after_nm: np.ndarray) -> float:
    heavy = [a.index for a in topology.atoms() if a.element != app.element.hydrogen]
    delta = (before_nm[heavy] - after_nm[heavy]) * 10
    return float(np.sqrt((delta**2).sum(1).mean()))


def _pdb_text(topology: app.Topology, positions_nm: np.ndarray) -> str:
    handle = io.StringIO()
    app.PDBFile.writeFile(topology, positions_nm * unit.nanometer, handle, keepIds=True)
    return handle.getvalue()
