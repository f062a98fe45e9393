"""Cut a protein to a ligand's pocket, ready for Amber ff14SB: fixed, capped, protonated.

Steps (`prepare_pocket`):

1. PDBFixer (Eastman et al., PLoS Comput. Biol. 2017) on the whole PDB: waters and
   hetero groups dropped, non-standard residues replaced by their standard parents,
   missing heavy atoms added (missing loops are *not* built); hydrogens removed.
2. Cut: residues with a heavy atom within ``cutoff_angstrom`` of a ligand heavy atom;
   gaps of at most ``FILL_GAP_RESIDUES`` residues inside the cut are filled; each
   stretch of peptide-bonded residues becomes its own chain.
3. Caps: where a stretch was cut out of a longer chain, an ACE (from the previous
   residue's CA, C, O) or NME (from the next residue's N, CA) keeps the cut end neutral
   and its backbone geometry real; true chain ends keep their charged termini.
4. Hydrogens at the given pH with OpenMM's `Modeller.addHydrogens` and the Amber force
   field (what PDBFixer's ``addMissingHydrogens`` runs). OpenMM starts hydrogens at
   positions drawn from Python's `random` and then minimizes them; `random` is seeded
   (``seed``) for that call and restored after, and the minimization runs on the
   Reference platform, so a pocket is the same on every run.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

import numpy as np
import openmm
from openmm import app, unit

from docking.errors import RelaxError

FORCE_FIELD_FILES = ("amber14-all.xml",)
PEPTIDE_BOND_MAX_NM = 0.2
FILL_GAP_RESIDUES = 2
CAPS = {"ACE": (("CA", "CH3"), ("C", "C"), ("O", "O")), "NME": (("N", "N"), ("CA", "C"))}


@functools.cache
def amber_force_field() -> app.ForceField:
    """Amber ff14SB as shipped with OpenMM (``amber14-all.xml``), read once per process."""
    return app.ForceField(*FORCE_FIELD_FILES)


def prepare_pocket(
    protein_pdb: Path,
    ligand_angstrom: np.ndarray,
    cutoff_angstrom: float = 8.0,
    ph: float = 7.4,
    name: str = "",
    seed: int = 0,
) -> tuple[app.Topology, np.ndarray]:
    """The pocket of `protein_pdb` around the ligand heavy atoms `ligand_angstrom` (N, 3):
    (topology with hydrogens, positions in nm). `RelaxError` names the complex and reason."""
    label = f"{name or Path(protein_pdb).stem} ({protein_pdb})"
    try:
        topology, positions = _fixed_heavy_atoms(Path(protein_pdb))
    except Exception as error:  # PDBFixer raises bare Exception, ValueError, KeyError
        raise RelaxError(f"{label}: PDBFixer cannot read or fix the protein: {error}") from error
    cut = _PocketCut(positions)
    for chain in topology.chains():
        cut.add_chain(chain, ligand_angstrom / 10, cutoff_angstrom / 10)
    if not cut.kept:
        raise RelaxError(
            f"{label}: no protein residue within {cutoff_angstrom} Å of the ligand "
            "(is the pose in this protein's frame?)"
        )
    try:
        pocket, pocket_nm = cut.finish()
        modeller = app.Modeller(pocket, pocket_nm * unit.nanometer)
        _add_hydrogens(modeller, ph, seed)
    except Exception as error:  # OpenMM raises bare Exception and ValueError
        raise RelaxError(f"{label}: cannot protonate the pocket: {error}") from error
    return modeller.topology, _nm(modeller.getPositions())


def _add_hydrogens(modeller: app.Modeller, ph: float, seed: int) -> None:
    state = random.getstate()
    random.seed(seed)
    try:
        reference = openmm.Platform.getPlatformByName("Reference")  # deterministic
        modeller.addHydrogens(amber_force_field(), pH=ph, platform=reference)
    finally:
        random.setstate(state)


def _nm(positions) -> np.ndarray:
    return np.array(positions.value_in_unit(unit.nanometer))


def _fixed_heavy_atoms(protein_pdb: Path) -> tuple[app.Topology, np.ndarray]:
    from pdbfixer import PDBFixer

    fixer = PDBFixer(filename=str(protein_pdb))
    fixer.removeHeterogens(keepWater=False)
    fixer.findMissingResidues()
    fixer.missingResidues = {}
    fixer.findNonstandardResidues()
    fixer.replaceNonstandardResidues()
    fixer.findMissingAtoms()
    fixer.addMissingAtoms()
    modeller = app.Modeller(fixer.topology, fixer.positions)
    modeller.delete([a for a in modeller.topology.atoms() if a.element == app.element.hydrogen])
    return modeller.topology, _nm(modeller.getPositions())


def _atom(residue: app.Residue, name: str) -> app.Atom | None:
    return next((a for a in residue.atoms() if a.name == name), None)


class _PocketCut:
    """Builds the pocket topology chain by chain from the fixed protein's `positions` (nm)."""

    def __init__(self, positions: np.ndarray) -> None:
        self.positions = positions
        self.topology = app.Topology()
        self.kept: list[np.ndarray] = []

    def add_chain(self, chain: app.Chain, ligand_nm: np.ndarray, cutoff_nm: float) -> None:
        """Add the chain's pocket stretches, each a new chain with its caps."""
        residues = list(chain.residues())
        near = [
            i for i, residue in enumerate(residues) if self._near(residue, ligand_nm, cutoff_nm)
        ]
        for stretch in self._stretches(residues, near):
            new_chain = self.topology.addChain(chain.id)
            self._cap(new_chain, residues, stretch[0] - 1, stretch[0], "ACE")
            for i in stretch:
                atoms = [(a, a.name) for a in residues[i].atoms()]
                self._add_residue(new_chain, residues[i], residues[i].name, atoms)
            self._cap(new_chain, residues, stretch[-1] + 1, stretch[-1], "NME")

    def finish(self) -> tuple[app.Topology, np.ndarray]:
        """The pocket with standard and disulfide bonds, and its positions (nm)."""
        positions = np.array(self.kept)
        self.topology.createStandardBonds()
        self.topology.createDisulfideBonds(positions * unit.nanometer)
        return self.topology, positions

    def _near(self, residue: app.Residue, ligand_nm: np.ndarray, cutoff_nm: float) -> bool:
        xyz = self.positions[[a.index for a in residue.atoms()]]
        return bool((np.linalg.norm(xyz[:, None] - ligand_nm[None], axis=-1) < cutoff_nm).any())

    def _bonded(self, first: app.Residue, second: app.Residue) -> bool:
        """Peptide bond from `first` to `second` (C of one near N of the other)."""
        carbon, nitrogen = _atom(first, "C"), _atom(second, "N")
        if carbon is None or nitrogen is None:
            return False
        gap = np.linalg.norm(self.positions[carbon.index] - self.positions[nitrogen.index])
        return bool(gap < PEPTIDE_BOND_MAX_NM)

    def _stretches(self, residues: list[app.Residue], near: list[int]) -> list[list[int]]:
        """Runs of pocket (and short gap-filling) residue positions, split at chain breaks."""
        wanted = set(near)
        for a, b in zip(near, near[1:], strict=False):
            if b - a - 1 <= FILL_GAP_RESIDUES:
                wanted.update(range(a, b))
        stretches: list[list[int]] = []
        for i in sorted(wanted):
            joined = stretches and stretches[-1][-1] == i - 1
            if joined and self._bonded(residues[i - 1], residues[i]):
                stretches[-1].append(i)
            else:
                stretches.append([i])
        return stretches

    def _cap(
        self, chain: app.Chain, residues: list[app.Residue], index: int, end: int, kind: str
    ) -> None:
        """ACE before / NME after a stretch from residue `index`, if it exists and is
        peptide-bonded to the stretch's `end` residue."""
        if not 0 <= index < len(residues):
            return
        first, second = sorted((index, end))
        if not self._bonded(residues[first], residues[second]):
            return
        atoms = [(_atom(residues[index], old), new) for old, new in CAPS[kind]]
        if all(atom is not None for atom, _ in atoms):
            self._add_residue(chain, residues[index], kind, atoms)

    def _add_residue(
        self, chain: app.Chain, source: app.Residue, name: str, atoms: list[tuple[app.Atom, str]]
    ) -> None:
        residue = self.topology.addResidue(name, chain, source.id, source.insertionCode)
        for atom, atom_name in atoms:
            self.topology.addAtom(atom_name, atom.element, residue)
            self.kept.append(self.positions[atom.index])
