"""The layout of a folder of generated training poses (written by `docking.training.vina_poses`).

    DIR/index.csv                    one row per (target, molecule): status ok | failed | excluded
    DIR/settings.json                how the poses were made (one setting per folder)
    DIR/receptors/<TARGET>.pdb       the receptor (PDB columns of dockstring's PDBQT)
    DIR/poses/<TARGET>/<KEY>.sdf     the top Vina pose, hydrogens and bond orders, SD tags

`KEY` is the molecule's InChIKey (``invalid-<hash>`` for a SMILES RDKit cannot read). Paths
in the index are relative to DIR, so the folder can be moved or copied whole. Rows are
appended one at a time (a killed run loses at most the pose it was writing), and a
(target, SMILES) pair with a row is done: a rerun skips it, so a rerun with other settings
(exhaustiveness, seed) is refused rather than mixing two kinds of pose in one folder.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from docking.errors import DockingConfigError

INDEX_NAME = "index.csv"
SETTINGS_NAME = "settings.json"
COLUMNS = (
    "target",
    "smiles",
    "inchikey",
    "status",
    "vina_score",
    "docked_smiles",
    "receptor",
    "ligand",
    "reason",
    "seconds",
)


def index_path(folder: Path) -> Path:
    """The index CSV of a pose folder."""
    return Path(folder) / INDEX_NAME


def receptor_file(target: str) -> str:
    """The receptor PDB of `target`, relative to the folder."""
    return f"receptors/{target}.pdb"


def pose_file(target: str, key: str) -> str:
    """The pose SDF of molecule `key` in `target`, relative to the folder."""
    return f"poses/{target}/{key}.sdf"


def read_index(folder: Path) -> list[dict[str, str]]:
    """Every row of the folder's index (none when the folder is new)."""
    path = index_path(folder)
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def append_rows(folder: Path, rows: Iterable[dict]) -> None:
    """Append rows to the index (header written first when the file is new), flushed."""
    path = index_path(folder)
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="raise")
        if new:
            writer.writeheader()
        writer.writerows(rows)


def read_settings(folder: Path) -> dict:
    """How the folder's poses were made (empty for a new folder)."""
    path = Path(folder) / SETTINGS_NAME
    return json.loads(path.read_text()) if path.exists() else {}


def record_settings(folder: Path, settings: dict) -> None:
    """Write `settings` into a new folder; refuse other settings for an existing one."""
    before = read_settings(folder)
    if before and before != settings:
        raise DockingConfigError(
            f"{folder} holds poses made with {before}, not {settings}: "
            "use the same settings to extend it, or another --out folder"
        )
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / SETTINGS_NAME).write_text(json.dumps(settings, indent=2) + "\n")
