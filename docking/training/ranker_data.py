"""The pose ranker's training lists: each Vina docking job of a labelled training complex
(`docking.training.pose_labels`, kind ``vina``) is one list of poses, as `discover dock`
samples them, with each pose's features (`docking.inference.pose_features`) and its RMSD
to the crystal ligand.

Only the ``vina`` jobs are used: the perturbed and decoy poses are not what the ranker
sees at docking time. Features cost one rescoring per job (about 3 CPU-s), so each list
is cached as JSON in a cache folder (``<label folder name>-<id>-<seed>.json``) and a
rerun reads it back.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from rdkit import Chem

from docking.errors import DockingError
from docking.inference.pose_features import pose_features
from docking.training import pose_label_folder as folder_layout

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PoseList:
    """One job's poses: complex id, features (n, F), RMSD (n,) and Vina scores (n,)."""

    pdb_id: str
    features: np.ndarray
    rmsd: np.ndarray
    vina_score: np.ndarray


def _jobs(folder: Path) -> dict[tuple[str, int], list[dict]]:
    """The ok rows of each ``vina`` job, by (complex, seed), in pose order."""
    jobs: dict[tuple[str, int], list[dict]] = {}
    for row in folder_layout.read_rows(folder):
        if row["kind"] == "vina" and row["status"] == "ok":
            jobs.setdefault((row["pdb_id"], int(row["seed"])), []).append(row)
    return jobs


def _featurize(folder: Path, pdb_id: str, seed: int, rows: list[dict]) -> PoseList:
    """Features of one job's poses (the label rows name which poses are ok)."""
    mols = folder_layout.read_poses(folder, pdb_id, "vina", seed)
    kept = [mols[int(r["pose"])] for r in rows]
    for mol in kept:
        Chem.SanitizeMol(mol)
    scores = np.array([float(r["vina_score"]) for r in rows])
    receptor = folder_layout.receptor_path(folder, pdb_id)
    features = pose_features(kept, scores, receptor)
    rmsd = np.array([float(r["rmsd"]) for r in rows])
    return PoseList(pdb_id, features, rmsd, scores)


def _read(path: Path) -> PoseList:
    record = json.loads(path.read_text())
    return PoseList(
        record["pdb_id"], *(np.array(record[k]) for k in ("features", "rmsd", "vina_score"))
    )


def _write(path: Path, item: PoseList) -> None:
    record = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in asdict(item).items()}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(record))
    temporary.replace(path)


def pose_lists(
    folders: list[Path], cache: Path, min_poses: int = 2, featurize: bool = True
) -> list[PoseList]:
    """Every ``vina`` job of the label folders with at least `min_poses` poses, featurized
    (from `cache` where done before; only those when `featurize` is False); a job that
    cannot be featurized is logged and left out."""
    cache.mkdir(parents=True, exist_ok=True)
    found = []
    for folder in folders:
        for (pdb_id, seed), rows in sorted(_jobs(folder).items()):
            if len(rows) < min_poses:
                continue
            path = cache / f"{folder.name}-{pdb_id}-{seed}.json"
            if path.exists():
                found.append(_read(path))
                continue
            if not featurize:
                continue
            try:
                item = _featurize(folder, pdb_id, seed, rows)
            except (DockingError, ValueError, RuntimeError, IndexError) as error:
                log.warning("%s %s seed %d left out: %s", folder, pdb_id, seed, error)
                continue
            _write(path, item)
            found.append(item)
    return found
