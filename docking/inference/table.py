"""The batch table in and out: docking requests from a CSV, one ``results.csv`` row each.

Input columns: ``complex_name``, ``protein_path``, ``ligand`` (a file path or SMILES) and,
optionally, ``pocket_center`` ("x y z" in Å) or ``pocket_residues`` ("A:45,A:46B"; see
`docking.inference.pocket`); both empty: the model predicts the pocket. Relative protein and ligand
paths are taken relative to the CSV's folder. A row that cannot be read (a missing or
empty required cell, a malformed pocket cell) becomes a request carrying its `error`: it
is a failed row of ``results.csv``, and the other rows are docked.
"""

from __future__ import annotations

import csv
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from docking.errors import DockingConfigError, StructureError
from docking.inference.pocket import ResidueId, parse_residue_list
from docking.structures import LIGAND_SUFFIXES

BATCH_COLUMNS = ("complex_name", "protein_path", "ligand")
POCKET_COLUMNS = ("pocket_center", "pocket_residues")


@dataclass(frozen=True)
class DockingRequest:
    """One complex to dock: a protein file and a ligand (file path or SMILES), and
    optionally the pocket, as a centre (Å) or as residues whose Cα centroid is the centre.
    A non-empty `error` says why the row cannot be docked (it was read from bad cells)."""

    complex_name: str
    protein_path: Path
    ligand: str
    pocket_center: tuple[float, float, float] | None = None
    pocket_residues: tuple[ResidueId, ...] = ()
    error: str = ""


@dataclass
class DockingResult:
    """One row of ``results.csv``; `error` says why a failed row failed.

    `pocket_residues` are rank 1's pocket (the residues the model cropped and moved),
    ``chain:number[icode]`` comma-separated. Timings in seconds, per complex even in a
    batch: `seconds_prepare` this complex's reading, ETKDG and featurization;
    `seconds_model` the model call of its batch (collation, forward, copy back) divided by
    the number of complexes in that batch; `seconds_write` its rank files, pocket PDB and
    post-processing (relax, PoseBusters); `seconds_total` their sum. The ``relax_*``
    columns are filled with ``--relax`` (`docking.relaxation.relax`): whole-system energies before
    and after, the heavy-atom RMSD the ligand moved, and the relaxed pocket's file.
    `mode` is the docking path (`fabflex`, `hybrid` or `vina`); `vina_score` (kcal/mol)
    and `scorer_probability` (the pose scorer's P(RMSD < 2 Å)) are rank 1's, filled by
    the hybrid and Vina paths (`docking.inference.hybrid`), with `pocket`, where rank 1 was sampled
    (``given``, or a finder's candidate such as ``ligsite#2`` for a blind row). `warning` flags an ok row to inspect
    (blind ranks that disagree on the site). Columns that a failed row never reached
    (`chirality_reflected`, scores, timings) stay blank.
    """

    complex_name: str
    status: str = "failed"
    error: str = ""
    mode: str = "fabflex"
    vina_score: float | None = None
    scorer_probability: float | None = None
    confidence_rmsd_angstrom: float | None = None
    pocket: str = ""
    pocket_center: str = ""
    pocket_residues: str = ""
    chirality_reflected: bool | None = None
    seconds_prepare: float | None = None
    seconds_model: float | None = None
    seconds_write: float | None = None
    seconds_total: float | None = None
    rank1_sdf: str = ""
    pocket_pdb: str = ""
    posebusters_passed: str = ""
    posebusters_failed: str = ""
    relax_energy_before_kj_mol: float | None = None
    relax_energy_after_kj_mol: float | None = None
    relax_ligand_moved_angstrom: float | None = None
    relax_pocket_pdb: str = ""
    warning: str = ""


def read_batch_csv(path: Path) -> list[DockingRequest]:
    """Requests from a batch CSV (columns in the module docstring), in file order; a bad
    row is a request with its `error` (the file itself unreadable: `StructureError`)."""
    try:
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(BATCH_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise StructureError(
                    f"{path}: missing columns {sorted(missing)}; need {BATCH_COLUMNS}"
                )
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise StructureError(f"{path}: cannot read the batch CSV ({error})") from error
    return [_request(row, path, line) for line, row in enumerate(rows, start=2)]


def _request(row: dict[str, str | None], path: Path, line: int) -> DockingRequest:
    """The request of one CSV row, or a request carrying why the row is unusable."""
    where = f"{path} line {line}"
    cells = {key: (row.get(key) or "").strip() for key in (*BATCH_COLUMNS, *POCKET_COLUMNS)}
    name = cells["complex_name"] or f"line{line}"
    empty = [key for key in BATCH_COLUMNS if not cells[key]]
    if empty:
        error = f"{where}: empty or missing cell(s) {', '.join(empty)}"
        return DockingRequest(name, path.parent, cells["ligand"], error=error)
    ligand = cells["ligand"]
    if Path(ligand).suffix.lower() in LIGAND_SUFFIXES and not Path(ligand).is_absolute():
        ligand = str(path.parent / ligand)
    protein = path.parent / cells["protein_path"]
    try:
        centre = _centre(cells["pocket_center"], where)
        residues = cells["pocket_residues"]
        pocket = parse_residue_list(residues) if residues else ()
    except StructureError as error:
        return DockingRequest(name, protein, ligand, error=f"{where}: {error}")
    return DockingRequest(name, protein, ligand, centre, pocket)


def _centre(text: str, where: str) -> tuple[float, float, float] | None:
    """An optional ``pocket_center`` cell, "x y z" in Å (finite numbers)."""
    if not text:
        return None
    try:
        x, y, z = (float(v) for v in text.split())
    except ValueError as error:
        raise StructureError(f"pocket_center {text!r} is not 'x y z'") from error
    return x, y, z


def check_out_folder(folder: Path) -> None:
    """Create `folder` if needed and check that files can be written in it, so that a
    bad ``--out`` is one clear error before any docking (`DockingConfigError`)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-check-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise DockingConfigError(
            f"output folder {folder}: cannot create or write it ({reason}); give a writable "
            "folder with --out"
        ) from error


def write_results(results: list[DockingResult], path: Path) -> None:
    """Write ``results.csv``: one row per request, failures with their reason."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(DockingResult("")).keys()))
        writer.writeheader()
        writer.writerows(asdict(r) for r in results)
