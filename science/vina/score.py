"""Docking score with AutoDock Vina 1.2 (Eberhardt et al. 2021), through the `vina` package.

One call = one receptor, one ligand: the receptor is read, Vina's affinity maps are computed
for the ligand's atom types over the target's box (0.375 Å spacing, Vina's default, as the
dockstring command line uses), and a Monte Carlo search of `exhaustiveness` runs returns up
to `poses` poses. The score is the best pose's predicted affinity (kcal/mol, lower is
better), dockstring's docking score. With a fixed `seed` and ``cpu=1`` the result is the
same on every call; seed 0 is refused, since Vina takes it as "draw a random seed".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from vina import Vina

from science.vina.errors import VinaRunError
from science.vina.targets import Target

log = logging.getLogger(__name__)

POSES = 9  # Vina's default num_modes, which dockstring keeps


@dataclass(frozen=True)
class Docked:
    """A docking result: the best affinity (kcal/mol), every pose's affinity, the poses' PDBQT."""

    score: float
    affinities: tuple[float, ...]
    poses: str


def dock(
    ligand_pdbqt: str,
    target: Target,
    *,
    exhaustiveness: int = 8,
    seed: int = 974528263,
    cpu: int = 1,
) -> Docked:
    """Dock a ligand PDBQT into `target` and return the best pose's affinity."""
    if exhaustiveness < 1 or cpu < 1:
        raise VinaRunError(f"exhaustiveness ({exhaustiveness}) and cpu ({cpu}) must be >= 1")
    if seed == 0:  # Vina draws a random seed for 0: the score would change from call to call
        raise VinaRunError("seed 0 makes Vina pick a random seed; pass a non-zero seed")
    vina = Vina(sf_name="vina", cpu=cpu, seed=seed, verbosity=0)
    try:
        vina.set_receptor(str(target.receptor))
        vina.set_ligand_from_string(ligand_pdbqt)
        vina.compute_vina_maps(center=list(target.center), box_size=list(target.size))
        vina.dock(exhaustiveness=exhaustiveness, n_poses=POSES)
        energies = vina.energies(n_poses=POSES)
    except (RuntimeError, TypeError, ValueError) as exc:
        message = " ".join(str(exc).split())
        raise VinaRunError(f"Vina failed on target {target.name}: {message}") from exc
    if len(energies) == 0:
        raise VinaRunError(f"Vina found no pose in the box of target {target.name}")
    affinities = tuple(float(row[0]) for row in energies)
    log.debug("%s: %d poses, best %.2f kcal/mol", target.name, len(affinities), affinities[0])
    return Docked(score=affinities[0], affinities=affinities, poses=vina.poses(n_poses=1))
