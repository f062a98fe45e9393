"""Dock ligands into proteins with a trained model; write poses, pockets and a table.

Per complex, in ``OUT/<complex_name>/``: ``rank1.sdf`` (the ligand with hydrogens and
its bond orders, SD tag ``confidence_rmsd_angstrom``) and ``pocket_holo.pdb`` (the
predicted pocket residues, each moved rigidly with its predicted Cα). ``OUT/results.csv``
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
from rdkit import Chem
from torch_geometric.data import Batch

from docking.checks import posebusters_flags
from docking.errors import DockingError, StructureError
from docking.featurize import featurize_complex
from docking.model import FlexibleDocker
from docking.pose import POSE_MODES, check_and_reflect, fit_conformer, pose_molecule
from docking.structures import Protein, embed_conformer, load_ligand, load_protein

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
    """Requests from a CSV with columns complex_name, protein_path, ligand.

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
        beside = path.parent / ligand
        if (
            Path(ligand).suffix.lower() in (".sdf", ".mol", ".mol2")
            and not Path(ligand).is_absolute()
        ):
            ligand = str(beside)
        requests.append(
            DockingRequest(
                row["complex_name"].strip(), path.parent / row["protein_path"].strip(), ligand
            )
        )
    return requests


class _Residues(Select):
    """Biopython selector of the residues whose (chain, number, icode) is in `keep`."""

    def __init__(self, keep: set[tuple[str, int, str]]) -> None:
        self.keep = keep

    def accept_residue(self, residue) -> bool:
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


@torch.no_grad()
def dock_one(
    request: DockingRequest,
    model: FlexibleDocker,
    out_dir: Path,
    device: str = "cpu",
    pose: str = "fit",
    seed: int = 0,
    posebusters: bool = False,
) -> DockingResult:
    """Dock one complex and write its files; failures come back as a failed result.

    With `posebusters`, the pose's PoseBusters ``dock`` checks are run (in the input
    protein) and reported as ``passed/total`` and the failed check names.
    """
    result = DockingResult(request.complex_name)
    began = time.perf_counter()
    try:
        if pose not in POSE_MODES:
            raise DockingError(f"pose mode {pose!r} unknown; use one of {POSE_MODES}")
        protein = load_protein(request.protein_path)
        start = embed_conformer(
            load_ligand(request.ligand, seed=seed), seed=seed, name=request.ligand
        )
        data = featurize_complex(protein, start, start, name=request.complex_name)
        batch = Batch.from_data_list([data]).to(device)
        prepared = time.perf_counter()
        centre = None
        if request.pocket_center is not None:
            centre = torch.tensor([request.pocket_center], dtype=torch.float32, device=device)
        output = model(batch, pocket_center=centre)
        modelled = time.perf_counter()
        heavy, result.chirality_reflected = check_and_reflect(
            output.ligand_pos.cpu().double().numpy(), start
        )
        if pose == "fit":
            heavy = fit_conformer(heavy, start)
        folder = out_dir / request.complex_name
        folder.mkdir(parents=True, exist_ok=True)
        result.confidence_rmsd_angstrom = float(output.confidence[0])
        _write_pose(pose_molecule(heavy, start), folder / "rank1.sdf", request, result)
        mask = output.pocket_mask.cpu().numpy()
        write_pocket(
            request.protein_path,
            protein,
            mask,
            output.pocket_pos.cpu().double().numpy(),
            folder / "pocket_holo.pdb",
        )
        used = centre[0] if centre is not None else output.pocket_center[0]
        result.pocket_center = " ".join(f"{v:.3f}" for v in used.tolist())
        result.rank1_sdf, result.pocket_pdb = (
            str(folder / "rank1.sdf"),
            str(folder / "pocket_holo.pdb"),
        )
        result.seconds_prepare, result.seconds_model = prepared - began, modelled - prepared
        if posebusters:
            flags = posebusters_flags(folder / "rank1.sdf", request.protein_path)
            result.posebusters_passed = f"{flags.passed}/{flags.total}"
            result.posebusters_failed = ";".join(flags.failed)
        result.status = "ok"
    except (DockingError, OSError, ValueError, RuntimeError) as error:
        result.error = f"{type(error).__name__}: {error}"
        log.warning("%s failed: %s", request.complex_name, result.error)
    result.seconds_total = time.perf_counter() - began
    return result


def _write_pose(mol: Chem.Mol, path: Path, request: DockingRequest, result: DockingResult) -> None:
    mol.SetProp("_Name", request.complex_name)
    mol.SetProp("confidence_rmsd_angstrom", f"{result.confidence_rmsd_angstrom:.3f}")
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
    device: str = "cpu",
    pose: str = "fit",
    seed: int = 0,
    posebusters: bool = False,
) -> list[DockingResult]:
    """Dock every request in order and write ``out_dir/results.csv``."""
    results = [
        dock_one(r, model, out_dir, device=device, pose=pose, seed=seed, posebusters=posebusters)
        for r in requests
    ]
    write_results(results, out_dir / "results.csv")
    return results
