"""Dock ligands into proteins with a trained model; write poses, pockets and a table.

Per complex, in ``OUT/<complex_name>/``: ``rank1.sdf`` ... ``rank<N>.sdf`` (the ligand
with hydrogens and its bond orders, SD tag ``confidence_rmsd_angstrom``; N samples from
N start conformers, best predicted RMSD first) and ``pocket_holo.pdb`` (the pocket of
rank 1, each residue moved rigidly with its predicted Cα). ``OUT/results.csv``
has one row per input row, in order: confidence, pocket centre, timings, and for every
failure the reason. A failing complex never stops the batch nor disappears from it.
"""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from Bio.PDB import PDBIO, PDBParser, Select
from Bio.PDB.Residue import Residue
from rdkit import Chem
from torch_geometric.data import Batch

from docking.checks import posebusters_flags
from docking.errors import DockingError, StructureError
from docking.featurize import ComplexData, featurize_complex
from docking.model import DockingOutput, FlexibleDocker
from docking.pose import POSE_MODES, check_and_reflect, fit_conformer, pose_molecule
from docking.structures import (
    LIGAND_SUFFIXES,
    Protein,
    embed_conformer,
    load_ligand,
    load_protein,
)

log = logging.getLogger(__name__)

BATCH_COLUMNS = ("complex_name", "protein_path", "ligand")


@dataclass(frozen=True)
class DockingRequest:
    """One complex to dock: a protein file and a ligand (file path or SMILES)."""

    complex_name: str
    protein_path: Path
    ligand: str
    pocket_center: tuple[float, float, float] | None = None


@dataclass
class DockingResult:
    """One row of ``results.csv``; `error` says why a failed row failed."""

    complex_name: str
    status: str = "failed"
    error: str = ""
    confidence_rmsd_angstrom: float | None = None
    pocket_center: str = ""
    chirality_reflected: bool = False
    seconds_prepare: float | None = None
    seconds_model: float | None = None
    seconds_total: float | None = None
    rank1_sdf: str = ""
    pocket_pdb: str = ""
    posebusters_passed: str = ""
    posebusters_failed: str = ""


def read_batch_csv(path: Path) -> list[DockingRequest]:
    """Requests from a CSV with columns complex_name, protein_path, ligand and, optionally,
    pocket_center ("x y z" in Å; empty: predict the pocket).

    Relative protein and ligand paths are taken relative to the CSV's folder.
    """
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(BATCH_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise StructureError(f"{path}: missing columns {sorted(missing)}; need {BATCH_COLUMNS}")
        rows = list(reader)
    requests = []
    for row in rows:
        ligand = row["ligand"].strip()
        if Path(ligand).suffix.lower() in LIGAND_SUFFIXES and not Path(ligand).is_absolute():
            ligand = str(path.parent / ligand)
        protein = path.parent / row["protein_path"].strip()
        centre = _centre(row.get("pocket_center") or "", path)
        requests.append(DockingRequest(row["complex_name"].strip(), protein, ligand, centre))
    return requests


def _centre(text: str, path: Path) -> tuple[float, float, float] | None:
    """An optional ``pocket_center`` cell, "x y z" in Å."""
    if not text.strip():
        return None
    try:
        x, y, z = (float(v) for v in text.split())
    except ValueError as error:
        raise StructureError(f"{path}: pocket_center {text!r} is not 'x y z'") from error
    return x, y, z


class _Residues(Select):
    """Biopython selector of the residues whose (chain, number, icode) is in `keep`."""

    def __init__(self, keep: set[tuple[str, int, str]]) -> None:
        self.keep = keep

    def accept_residue(self, residue: Residue) -> bool:
        """Keep the residue if it is in the pocket."""
        return (residue.get_parent().id, int(residue.id[1]), residue.id[2].strip()) in self.keep


def write_pocket(
    protein_path: Path, protein: Protein, mask: np.ndarray, ca: np.ndarray, out: Path
) -> None:
    """Write the pocket residues, each shifted by its predicted Cα displacement."""
    structure = PDBParser(QUIET=True).get_structure("protein", str(protein_path))
    ids = [protein.residue_ids[i] for i in np.flatnonzero(mask)]
    shift = dict(zip(ids, ca - protein.ca[mask], strict=True))
    for residue in structure[0].get_residues():
        key = (residue.get_parent().id, int(residue.id[1]), residue.id[2].strip())
        if key in shift and residue.id[0] == " ":
            for atom in residue.get_atoms():
                atom.set_coord(atom.coord + shift[key])
    writer = PDBIO()
    writer.set_structure(structure[0])
    writer.save(str(out), _Residues(set(ids)))


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or any(c in name for c in "/\\"):
        raise DockingError(f"complex_name {name!r} must be a non-empty name without / or \\")


@dataclass(frozen=True)
class DockingOptions:
    """How to dock: device, pose mode (`POSE_MODES`), conformer seed, number of samples
    (start conformers docked together and ranked by predicted RMSD), PoseBusters flags."""

    device: str = "cpu"
    pose: str = "fit"
    seed: int = 0
    samples: int = 1
    posebusters: bool = False


def prepare(
    request: DockingRequest, seeds: range
) -> tuple[Protein, list[Chem.Mol], list[ComplexData]]:
    """Read the inputs; return the protein, one fresh ETKDG start conformer of the ligand
    per seed, and the featurized complex for each."""
    _check_name(request.complex_name)
    protein = load_protein(request.protein_path)
    ligand = load_ligand(request.ligand, seed=seeds[0])
    starts = [embed_conformer(ligand, seed=seed, name=request.ligand) for seed in seeds]
    complexes = [featurize_complex(protein, s, s, name=request.complex_name) for s in starts]
    return protein, starts, complexes


def _sample(output: DockingOutput, batch, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ligand pose (L, 3), pocket mask over the protein (R,) and pocket Cα (P, 3) of one
    sample of a batched output."""
    ligand = output.ligand_pos[batch["ligand"].batch == index]
    mask = output.pocket_mask[batch["residue"].batch == index]
    pocket = output.pocket_pos[output.pocket_batch == index]
    as_numpy = lambda t: t.cpu().double().numpy()  # noqa: E731
    return as_numpy(ligand), mask.cpu().numpy(), as_numpy(pocket)


@torch.no_grad()
def dock_one(
    request: DockingRequest,
    model: FlexibleDocker,
    out_dir: Path,
    options: DockingOptions = DockingOptions(),
) -> DockingResult:
    """Dock one complex and write ``rank<k>.sdf`` (best first) and ``pocket_holo.pdb``
    (of the best sample); failures come back as a failed result.

    With `options.posebusters`, rank 1's PoseBusters ``dock`` checks are run (in the
    input protein) and reported as ``passed/total`` and the failed check names.
    """
    result = DockingResult(request.complex_name)
    began = time.perf_counter()
    try:
        if options.pose not in POSE_MODES:
            raise DockingError(f"pose mode {options.pose!r} unknown; use one of {POSE_MODES}")
        seeds = range(options.seed, options.seed + max(options.samples, 1))
        protein, starts, complexes = prepare(request, seeds)
        prepared = time.perf_counter()
        batch = Batch.from_data_list(complexes).to(options.device)
        centre = None
        if request.pocket_center is not None:
            centre = torch.tensor([request.pocket_center] * len(starts)).to(batch["residue"].pos)
        output = model(batch, pocket_center=centre)
        result.seconds_prepare = prepared - began
        result.seconds_model = time.perf_counter() - prepared
        folder = out_dir / request.complex_name
        folder.mkdir(parents=True, exist_ok=True)
        order = torch.argsort(output.confidence).tolist()
        for rank, index in enumerate(order, start=1):
            pose, mask, pocket_ca = _sample(output, batch, index)
            pose, reflected = check_and_reflect(pose, starts[index])
            if options.pose == "fit":
                pose = fit_conformer(pose, starts[index])
            confidence = float(output.confidence[index])
            _write_pose(
                pose_molecule(pose, starts[index]),
                folder / f"rank{rank}.sdf",
                request.complex_name,
                confidence,
            )
            if rank == 1:
                result.confidence_rmsd_angstrom, result.chirality_reflected = confidence, reflected
                write_pocket(
                    request.protein_path, protein, mask, pocket_ca, folder / "pocket_holo.pdb"
                )
                used = centre if centre is not None else output.pocket_center
                result.pocket_center = " ".join(f"{v:.3f}" for v in used[index].tolist())
        result.rank1_sdf, result.pocket_pdb = (
            str(folder / "rank1.sdf"),
            str(folder / "pocket_holo.pdb"),
        )
        if options.posebusters:
            flags = posebusters_flags(folder / "rank1.sdf", request.protein_path)
            result.posebusters_passed = f"{flags.passed}/{flags.total}"
            result.posebusters_failed = ";".join(flags.failed)
        result.status = "ok"
    except (DockingError, OSError, ValueError, RuntimeError) as error:
        result.error = f"{type(error).__name__}: {error}"
        log.warning("%s failed: %s", request.complex_name, result.error)
    result.seconds_total = time.perf_counter() - began
    return result


def _write_pose(mol: Chem.Mol, path: Path, name: str, confidence: float) -> None:
    mol.SetProp("_Name", name)
    mol.SetProp("confidence_rmsd_angstrom", f"{confidence:.6f}")
    with Chem.SDWriter(str(path)) as writer:
        writer.write(mol)


def write_results(results: list[DockingResult], path: Path) -> None:
    """Write ``results.csv``: one row per request, failures with their reason."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [asdict(r) for r in results]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(DockingResult("")).keys()))
        writer.writeheader()
        writer.writerows(rows)


def dock_all(
    requests: list[DockingRequest],
    model: FlexibleDocker,
    out_dir: Path,
    options: DockingOptions = DockingOptions(),
) -> list[DockingResult]:
    """Dock every request in order and write ``out_dir/results.csv``.

    A repeated `complex_name` fails (its files would overwrite the first one's).
    """
    results, seen = [], set()
    for request in requests:
        if request.complex_name in seen:
            result = DockingResult(request.complex_name, error="duplicate complex_name")
        else:
            result = dock_one(request, model, out_dir, options)
        seen.add(request.complex_name)
        results.append(result)
    write_results(results, out_dir / "results.csv")
    return results
