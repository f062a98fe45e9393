"""The layout of a folder of labelled poses (written by `docking.training.pose_labels`).

    DIR/settings.json                    how the poses were made (one setting per folder)
    DIR/receptors/<ID>.pdb, <ID>.pdbqt   the protein and Vina's rigid receptor
    DIR/jobs/<ID>/<KIND>-<SEED>.sdf      the job's poses (hydrogens, bond orders), in row order
    DIR/jobs/<ID>/<KIND>-<SEED>.csv      one row per pose (`COLUMNS`), or one failed row

A job's SDF is written first and its CSV last, each to a temporary name then renamed
(atomic on POSIX), so a job is done exactly when its CSV exists: a run killed at any
moment leaves whole jobs only, and a rerun redoes the unfinished one. `read_rows` is the
union of the job CSVs, one row per pose.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from rdkit import Chem

from docking.errors import DockingConfigError

SETTINGS_NAME = "settings.json"
COLUMNS = (
    "pdb_id",
    "kind",
    "seed",
    "pose",
    "status",
    "rmsd",
    "centroid_distance",
    "vina_score",
    "reason",
    "seconds",
)


def receptor_path(folder: Path, pdb_id: str) -> Path:
    """Vina's receptor PDBQT of `pdb_id` (the PDB beside it)."""
    path = folder / "receptors" / f"{pdb_id}.pdbqt"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def job_stem(folder: Path, pdb_id: str, kind: str, seed: int) -> Path:
    """Path of a job's files without suffix."""
    return folder / "jobs" / pdb_id / f"{kind}-{seed}"


def job_done(folder: Path, pdb_id: str, kind: str, seed: int) -> bool:
    """A job is done when its CSV exists (written last, atomically)."""
    return job_stem(folder, pdb_id, kind, seed).with_suffix(".csv").exists()


def row(pdb_id: str, kind: str, seed: int, pose: int, **values) -> dict:
    """A row with every column, empty where not given."""
    base = dict.fromkeys(COLUMNS, "")
    base.update(pdb_id=pdb_id, kind=kind, seed=str(seed), pose=str(pose))
    base.update({k: f"{v:.2f}" if k == "seconds" else v for k, v in values.items()})
    return base


def failed_row(pdb_id: str, kind: str, seed: int, error: Exception) -> dict:
    """The one row of a failed job, with the error's type and message."""
    reason = f"{type(error).__name__}: {' '.join(str(error).split())}"
    return row(pdb_id, kind, seed, -1, status="failed", reason=reason)


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_job(
    folder: Path, pdb_id: str, kind: str, seed: int, poses: list[Chem.Mol], rows: list[dict]
) -> None:
    """Write a job's poses then its rows, each atomically (the CSV marks it done)."""
    stem = job_stem(folder, pdb_id, kind, seed)
    stem.parent.mkdir(parents=True, exist_ok=True)
    sdf = io.StringIO()
    writer = Chem.SDWriter(sdf)
    for mol in poses:
        writer.write(mol)
    writer.close()
    _write_atomic(stem.with_suffix(".sdf"), sdf.getvalue())
    table = io.StringIO()
    csv_writer = csv.DictWriter(table, fieldnames=COLUMNS)
    csv_writer.writeheader()
    csv_writer.writerows(rows)
    _write_atomic(stem.with_suffix(".csv"), table.getvalue())


def read_rows(folder: Path) -> list[dict[str, str]]:
    """Every row of every finished job, by complex, kind, seed and pose."""
    rows = []
    for path in sorted((folder / "jobs").glob("*/*.csv")):
        with open(path, newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def read_poses(folder: Path, pdb_id: str, kind: str, seed: int) -> list[Chem.Mol]:
    """A job's poses, in row order (hydrogens kept)."""
    path = job_stem(folder, pdb_id, kind, seed).with_suffix(".sdf")
    return [m for m in Chem.SDMolSupplier(str(path), removeHs=False, sanitize=False)]


def check_settings(folder: Path, settings: dict) -> None:
    """Write the settings of a new folder; refuse to mix other settings into an old one."""
    path = folder / SETTINGS_NAME
    if path.exists():
        kept = json.loads(path.read_text())
        if kept != settings:
            raise DockingConfigError(
                f"{folder} was made with other settings ({kept}); use a new folder"
            )
        return
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n")
