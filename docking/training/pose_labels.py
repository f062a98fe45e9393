"""Labelled poses for the pose scorer: many poses per training complex, each with its
symmetric RMSD to the crystal ligand and its Vina score.

A model that regresses coordinates gets one label per complex; one that scores poses gets
dozens (the GNINA recipe, McNutt et al. 2021: re-docked poses, poses near the crystal,
decoys). For each TRAINING complex of the PDBbind subset (`docking.training.data`'s split; test
ids and test ligands are refused, validation ids are never touched) three kinds of job:

- ``vina``: Vina re-docks the ligand (Open Babel protonation, a fresh RDKit conformer,
  never the crystal geometry) in a box sized to the ligand (`science.vina.site`) around
  the crystal centroid moved by 1 Å of seeded noise (a user's pocket centre is not the
  ligand's exact centroid), one job per seed, every pose kept;
- ``perturbed``: the crystal pose in Vina's protonation, moved rigidly and twisted about
  its rotatable bonds by seeded amounts (up to 3 Å and 30°), then locally optimized by Vina
  (the near-native poses a sampler yields, and the crystal pose itself optimized);
- ``decoy``: Vina docks in a ligand-sized box around a protein Cα 12-30 Å from the ligand.

Every pose is a row (`docking.training.pose_label_folder`); a job that fails is one ``failed`` row
with its reason, never the end of the run. Jobs are written atomically, so a run killed at
any point (even ``kill -9``) resumes where it stopped without a missing or doubled row.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from rdkit import Chem
from rdkit.Chem import rdMolTransforms
from rdkit.Chem.Lipinski import RotatableBondSmarts
from scipy.spatial.transform import Rotation

from docking import defaults
from docking.errors import DockingConfigError, StructureError
from docking.poses.pose_rmsd import centroid_distance, element_graph, symmetric_rmsd
from docking.structures import parse_ligand_block
from docking.training import pose_label_folder as folder_layout
from docking.training.data import (
    SUBSET_ARCHIVE,
    SUBSET_INDEX,
    held_out_ligand_keys,
    ligand_key,
    read_members,
    read_subset_ids,
    time_split_test_ids,
)
from science.vina.errors import VinaError
from science.vina.prepare import prepare_ligand
from science.vina.site import BOX_MARGIN_ANGSTROM, Site, ligand_box, write_receptor

log = logging.getLogger(__name__)

CENTRE_NOISE_ANGSTROM = 1.0
PERTURB_SCALES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)  # Å of shift; x10 deg turn, x5 twist
DECOY_DISTANCE = (12.0, 30.0)


@dataclass(frozen=True)
class LabelSettings:
    """How the labelled poses are made (kept in the folder's settings.json)."""

    vina_seeds: tuple[int, ...] = (1, 2)
    exhaustiveness: int = defaults.VINA_EXHAUSTIVENESS
    perturbed: int = 24  # poses per complex: the crystal, then cycling the non-zero scales
    decoy_exhaustiveness: int = 4
    box_margin: float = BOX_MARGIN_ANGSTROM

    def record(self) -> dict:
        """The settings as JSON-ready values."""
        return {**asdict(self), "vina_seeds": list(self.vina_seeds)}


@dataclass(frozen=True)
class Complex:
    """One training complex: its id, protein PDB text and crystal ligand."""

    pdb_id: str
    protein_pdb: str
    crystal: Chem.Mol


def training_complexes(data_folder: Path, limit: int | None = None) -> Iterator[Complex]:
    """The PDBbind subset's `train` ids (sorted), refusing any time-split test id."""
    ids = read_subset_ids(data_folder / SUBSET_INDEX).train
    leaked = set(ids) & time_split_test_ids(data_folder)
    if leaked:
        raise DockingConfigError(f"training ids that are time-split test ids: {sorted(leaked)}")
    ids = ids[:limit] if limit else ids
    names = {
        f"pdbbind_subset213/{i}/{i}_{part}"
        for i in ids
        for part in ("protein.pdb", "ligand.sdf", "ligand.mol2")
    }
    texts = read_members(data_folder / SUBSET_ARCHIVE, names)
    for pdb_id in ids:
        stem = f"pdbbind_subset213/{pdb_id}/{pdb_id}"
        try:
            crystal = parse_ligand_block(texts[f"{stem}_ligand.sdf"], "sdf", stem)
        except (StructureError, KeyError):
            crystal = parse_ligand_block(texts[f"{stem}_ligand.mol2"], "mol2", stem)
        yield Complex(pdb_id, texts[f"{stem}_protein.pdb"], crystal)


def job_names(settings: LabelSettings) -> list[tuple[str, int]]:
    """(kind, seed) of every job of one complex, in the order they run."""
    return [("vina", s) for s in settings.vina_seeds] + [("perturbed", 1), ("decoy", 1)]


def crystal_in_vina_form(crystal: Chem.Mol, ligand: Chem.Mol) -> Chem.Mol:
    """Vina's (protonated) ligand placed on the crystal's heavy-atom coordinates,
    hydrogens rebuilt there: the crystal pose as Vina would score it."""
    heavy = Chem.RemoveHs(ligand)
    match = element_graph(heavy).GetSubstructMatch(element_graph(crystal))
    if len(match) != heavy.GetNumAtoms():
        raise StructureError("the protonated ligand does not map onto the crystal's heavy atoms")
    xyz = Chem.RemoveHs(crystal, sanitize=False).GetConformer().GetPositions()
    conformer = heavy.GetConformer()
    for crystal_index, heavy_index in enumerate(match):
        conformer.SetAtomPosition(heavy_index, xyz[crystal_index].tolist())
    return Chem.AddHs(heavy, addCoords=True)


def perturb(mol: Chem.Mol, scale: float, rng: np.random.Generator) -> Chem.Mol:
    """`mol` twisted about each rotatable bond (up to 5·scale degrees), turned about its
    centroid (10·scale degrees) and shifted (`scale` Å, random direction)."""
    mol = Chem.Mol(mol)
    conformer = mol.GetConformer()
    for j, k in mol.GetSubstructMatches(RotatableBondSmarts):
        i = next(
            (n.GetIdx() for n in mol.GetAtomWithIdx(j).GetNeighbors() if n.GetIdx() != k), None
        )
        m = next(
            (n.GetIdx() for n in mol.GetAtomWithIdx(k).GetNeighbors() if n.GetIdx() != j), None
        )
        if i is None or m is None or mol.GetBondBetweenAtoms(j, k).IsInRing():
            continue
        angle = rdMolTransforms.GetDihedralDeg(conformer, i, j, k, m)
        change = rng.uniform(-5 * scale, 5 * scale)
        rdMolTransforms.SetDihedralDeg(conformer, i, j, k, m, angle + change)
    xyz = conformer.GetPositions()
    centre = xyz.mean(0)
    axis = rng.normal(size=3)
    turn = Rotation.from_rotvec(axis / np.linalg.norm(axis) * math.radians(10 * scale))
    direction = rng.normal(size=3)
    shift = direction / np.linalg.norm(direction) * scale
    for index, point in enumerate(turn.apply(xyz - centre) + centre + shift):
        conformer.SetAtomPosition(index, point.tolist())
    return mol


def _rng(pdb_id: str, kind: str, seed: int) -> np.random.Generator:
    key = sum(ord(c) * 31**i for i, c in enumerate(f"{pdb_id}|{kind}")) % 2**32
    return np.random.default_rng([key, seed])


def _decoy_centre(protein_pdb: str, crystal: Chem.Mol, rng: np.random.Generator) -> np.ndarray:
    ca = np.array(
        [
            [float(line[30:38]), float(line[38:46]), float(line[46:54])]
            for line in protein_pdb.splitlines()
            if line.startswith("ATOM") and line[12:16].strip() == "CA"
        ]
    )
    centre = Chem.RemoveHs(crystal, sanitize=False).GetConformer().GetPositions().mean(0)
    distance = np.linalg.norm(ca - centre, axis=1)
    far = ca[(distance > DECOY_DISTANCE[0]) & (distance < DECOY_DISTANCE[1])]
    if len(far) == 0:
        raise StructureError("no Cα 12-30 Å from the ligand to centre a decoy box on")
    return far[rng.integers(len(far))]


def run_job(
    item: Complex, kind: str, seed: int, receptor: Path, settings: LabelSettings
) -> list[tuple[Chem.Mol, float]]:
    """The poses of one job with their Vina scores (`run_complex` labels them)."""
    rng = _rng(item.pdb_id, kind, seed)
    ligand = prepare_ligand(Chem.RemoveHs(item.crystal), seed=seed, dockstring_rules=False).mol
    box = ligand_box(ligand, settings.box_margin)
    centre = Chem.RemoveHs(item.crystal, sanitize=False).GetConformer().GetPositions().mean(0)
    if kind == "vina":
        centre = centre + rng.normal(scale=CENTRE_NOISE_ANGSTROM, size=3)
        site = Site(receptor, ligand, centre, box, seed)
        return [(p.mol, p.vina_score) for p in site.dock(settings.exhaustiveness)]
    if kind == "decoy":
        site = Site(receptor, ligand, _decoy_centre(item.protein_pdb, item.crystal, rng), box, seed)
        return [(p.mol, p.vina_score) for p in site.dock(settings.decoy_exhaustiveness)]
    native = crystal_in_vina_form(item.crystal, ligand)
    site = Site(receptor, ligand, centre, box + 2 * max(PERTURB_SCALES), seed)
    poses = []
    for index in range(settings.perturbed):
        scale = 0.0 if index == 0 else PERTURB_SCALES[1 + (index - 1) % (len(PERTURB_SCALES) - 1)]
        optimized = site.optimize(perturb(native, scale, rng))
        poses.append((optimized.mol, optimized.vina_score))
    return poses


def label_rows(item: Complex, kind: str, seed: int, poses, seconds: float) -> list[dict]:
    """One row per pose: its RMSD and centroid distance to the crystal ligand."""
    rows = []
    for index, (mol, score) in enumerate(poses):
        row = folder_layout.row(item.pdb_id, kind, seed, index, seconds=seconds / len(poses))
        try:
            row.update(
                status="ok",
                rmsd=f"{symmetric_rmsd(mol, item.crystal):.3f}",
                centroid_distance=f"{centroid_distance(mol, item.crystal):.3f}",
                vina_score=f"{score:.3f}",
            )
        except (RuntimeError, ValueError) as exc:  # RDKit finds no atom mapping
            row.update(status="failed", reason=f"RMSD: {exc}")
        rows.append(row)
    return rows


def run_complex(item: Complex, out: Path, settings: LabelSettings, held_out: frozenset[str]) -> int:
    """Every job of one complex that the folder lacks; the number of rows written."""
    written = 0
    pending = [j for j in job_names(settings) if not folder_layout.job_done(out, item.pdb_id, *j)]
    if not pending:
        return 0
    if ligand_key(item.crystal) in held_out:
        raise DockingConfigError(f"{item.pdb_id}: its ligand is a time-split test ligand")
    receptor = folder_layout.receptor_path(out, item.pdb_id)
    for kind, seed in pending:
        began = time.perf_counter()
        try:
            if not receptor.exists():
                protein = receptor.with_suffix(".pdb")
                protein.write_text(item.protein_pdb)
                write_receptor(protein, receptor)
            poses = run_job(item, kind, seed, receptor, settings)
            rows = label_rows(item, kind, seed, poses, time.perf_counter() - began)
        except (VinaError, StructureError, RuntimeError, ValueError) as exc:
            poses, rows = [], [folder_layout.failed_row(item.pdb_id, kind, seed, exc)]
        folder_layout.write_job(out, item.pdb_id, kind, seed, [m for m, _ in poses], rows)
        written += len(rows)
    return written


def make_labels(
    out: Path, data_folder: Path, settings: LabelSettings, limit: int | None = None
) -> int:
    """Label poses of every training complex (resuming `out`); the rows written now."""
    folder_layout.check_settings(out, settings.record())
    held_out = held_out_ligand_keys(data_folder)
    written = 0
    for item in training_complexes(data_folder, limit):
        count = run_complex(item, out, settings, held_out)
        written += count
        if count:
            log.info("%s: %d rows", item.pdb_id, count)
    return written
