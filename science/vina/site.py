"""AutoDock Vina at one binding site of any protein: receptor PDBQT, ligand-sized box,
docking and local optimization of given poses.

`science.vina.score` docks into DOCKSTRING's prepared targets; here the receptor is any
PDB file (Open Babel adds hydrogens at pH 7.4 and writes the rigid PDBQT, as the
docking benchmark's Vina baseline does) and the box is sized to the ligand: its longest
heavy-atom extent plus 4 Å on every side (8 Å in all, gnina's ``autobox_add``), as the hybrid docking
path and its labelled-pose maker use. A `Site` computes Vina's maps once and then docks
(Monte Carlo search, `Site.dock`) or locally optimizes (`Site.optimize`, Vina's BFGS on
the pose's position, orientation and torsions) as many poses of that ligand as wanted.
"""

from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from Bio.PDB import PDBIO, PDBParser
from meeko import PDBQTMolecule, RDKitMolCreate
from openbabel import pybel
from rdkit import Chem
from vina import Vina

from science.vina.errors import VinaRunError
from science.vina.prepare import write_pdbqt

log = logging.getLogger(__name__)

BOX_MARGIN_ANGSTROM = 4.0  # per side
MIN_BOX_ANGSTROM = 12.0  # a tiny ligand still gets room to turn


@dataclass(frozen=True)
class Pose:
    """A ligand pose from Vina: the molecule (hydrogens, bond orders) and its Vina score
    (kcal/mol, intermolecular + intramolecular as Vina reports for the pose)."""

    mol: Chem.Mol
    vina_score: float


def standard_pdb(protein_pdb: Path) -> str:
    """The protein's first model as standard PDB text: Biopython reads what Open Babel
    refuses (a FoldX or modelling header before the first record, atoms without the element
    columns, as in AlphaFold models patched by FoldX) and writes every atom back with its
    element."""
    try:
        structure = PDBParser(QUIET=True).get_structure("protein", str(protein_pdb))
        model = next(iter(structure))
    except (OSError, ValueError, StopIteration) as exc:
        raise VinaRunError(
            f"cannot read the protein {protein_pdb}: {str(exc) or 'no ATOM or HETATM records'}"
        ) from exc
    out = io.StringIO()
    writer = PDBIO()
    writer.set_structure(model)
    writer.save(out)
    return out.getvalue()


def write_receptor(protein_pdb: Path, out: Path, ph: float = 7.4) -> Path:
    """Rigid receptor PDBQT of a protein PDB: Open Babel hydrogens at `ph`, no torsion tree.
    The PDB passes through `standard_pdb` first, so Open Babel always gets records it reads."""
    receptor = pybel.readstring("pdb", standard_pdb(protein_pdb))
    if receptor.OBMol.NumAtoms() == 0:
        raise VinaRunError(f"the protein {protein_pdb} has no atoms Open Babel can read")
    receptor.OBMol.AddHydrogens(False, True, ph)
    out.parent.mkdir(parents=True, exist_ok=True)
    receptor.write("pdbqt", str(out), overwrite=True, opt={"r": None, "x": None})
    if not out.exists() or out.stat().st_size == 0:
        raise VinaRunError(f"Open Babel wrote no receptor PDBQT for {protein_pdb}")
    return out


def ligand_box(mol: Chem.Mol, margin: float = BOX_MARGIN_ANGSTROM) -> float:
    """Edge (Å) of a cubic box sized to the ligand: its longest heavy-atom distance
    plus `margin` on each side (any pose of the ligand centred in the box fits)."""
    heavy = Chem.RemoveHs(mol, sanitize=False).GetConformer().GetPositions()
    span = float(np.max(np.linalg.norm(heavy[:, None] - heavy[None], axis=-1))) if len(heavy) else 0
    return max(span + 2 * margin, MIN_BOX_ANGSTROM)


def poses_from_pdbqt(text: str) -> list[Chem.Mol]:
    """Molecules of a (multi-model) PDBQT written by Vina for a meeko-prepared ligand
    (meeko keeps the SMILES and atom order in the PDBQT's remarks)."""
    mols = RDKitMolCreate.from_pdbqt_mol(PDBQTMolecule(text, skip_typing=True))
    if not mols or mols[0] is None:
        raise VinaRunError("meeko could not rebuild the pose molecule from Vina's PDBQT")
    mol = mols[0]
    return [Chem.Mol(mol, confId=c.GetId()) for c in mol.GetConformers()]


class Site:
    """Vina's maps for one receptor, box centre and size, and one ligand (its atom types)."""

    def __init__(
        self,
        receptor_pdbqt: Path,
        ligand: Chem.Mol,
        center: np.ndarray,
        box: float,
        seed: int = 1,
    ) -> None:
        if seed == 0:
            raise VinaRunError("seed 0 makes Vina pick a random seed; pass a non-zero seed")
        self.ligand = ligand
        self.center = [float(v) for v in center]
        self.box = float(box)
        self.vina = Vina(sf_name="vina", cpu=1, seed=seed, verbosity=0)
        try:
            self.vina.set_receptor(str(receptor_pdbqt))
            self.vina.set_ligand_from_string(write_pdbqt(ligand))
            self.vina.compute_vina_maps(center=self.center, box_size=[self.box] * 3)
        except (RuntimeError, TypeError, ValueError) as exc:
            raise VinaRunError(
                f"Vina cannot set up the site: {' '.join(str(exc).split())}"
            ) from exc

    def dock(self, exhaustiveness: int = 8, n_poses: int = 9) -> list[Pose]:
        """Vina's Monte Carlo search from the ligand's own conformer; the poses, best first."""
        try:
            self.vina.set_ligand_from_string(write_pdbqt(self.ligand))
            self.vina.dock(exhaustiveness=exhaustiveness, n_poses=n_poses)
            text = self.vina.poses(n_poses=n_poses, energy_range=100.0)
            energies = self.vina.energies(n_poses=n_poses, energy_range=100.0)
        except (RuntimeError, TypeError, ValueError) as exc:
            raise VinaRunError(f"Vina docking failed: {' '.join(str(exc).split())}") from exc
        mols = poses_from_pdbqt(text)
        return [Pose(mol, float(e[0])) for mol, e in zip(mols, energies, strict=False)]

    def optimize(self, pose: Chem.Mol) -> Pose:
        """Vina's local optimization of `pose` (same molecule as the site's ligand, with
        hydrogens and coordinates): the optimized pose and its score."""
        try:
            self.vina.set_ligand_from_string(write_pdbqt(pose))
            energies = self.vina.optimize()
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "pose.pdbqt"
                self.vina.write_pose(str(path), overwrite=True)
                text = path.read_text()
        except (RuntimeError, TypeError, ValueError) as exc:
            raise VinaRunError(f"Vina optimize failed: {' '.join(str(exc).split())}") from exc
        return Pose(poses_from_pdbqt(text)[0], float(energies[0]))
