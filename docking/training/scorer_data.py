"""Labelled poses (`docking.training.pose_label_folder`) as pose-scorer examples, grouped by complex.

Each complex's poses become `PoseGraph`s with their RMSD to the crystal ligand; a pose
RDKit cannot sanitize is skipped (counted). Featurized complexes are cached per complex,
keyed by the sizes and modification times of its job files, so that a training run that
rereads a growing folder featurizes only what is new; the cache holds plain tensors and
JSON (`docking.training.scorer_cache`), never pickles. Ids come only from the folder, whose
maker takes training ids only; `load_groups` checks again against the time-split test ids.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import torch
from rdkit import Chem

from docking.errors import DockingConfigError
from docking.network.pose_graph import PoseGraph, pose_graph, protein_atoms
from docking.training import pose_label_folder as layout
from docking.training.data import time_split_test_ids
from docking.training.scorer_cache import load_group, save_group

log = logging.getLogger(__name__)

SUCCESS_ANGSTROM = 2.0


@dataclass
class ComplexPoses:
    """The labelled poses of one complex: graphs, RMSDs (Å) and kinds (vina, ...)."""

    pdb_id: str
    graphs: list[PoseGraph]
    rmsd: torch.Tensor
    kinds: list[str]


def _job_key(folder: Path, pdb_id: str) -> str:
    stats = [
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted((folder / "jobs" / pdb_id).glob("*.csv"))
    ]
    return hashlib.sha256("|".join(stats).encode()).hexdigest()[:16]


def _featurize(folder: Path, pdb_id: str, rows: list[dict[str, str]]) -> ComplexPoses:
    protein = protein_atoms((folder / "receptors" / f"{pdb_id}.pdb").read_text(), pdb_id)
    graphs, rmsd, kinds = [], [], []
    by_job = defaultdict(list)
    for row in rows:
        by_job[(row["kind"], int(row["seed"]))].append(row)
    for (kind, seed), job_rows in sorted(by_job.items()):
        path = layout.job_stem(folder, pdb_id, kind, seed).with_suffix(".sdf")
        supplier = Chem.SDMolSupplier(str(path), removeHs=False, sanitize=True)
        for row, mol in zip(job_rows, supplier, strict=False):
            if row["status"] != "ok" or mol is None:
                continue
            graphs.append(pose_graph(mol, protein, float(row["vina_score"])))
            rmsd.append(float(row["rmsd"]))
            kinds.append(kind)
    return ComplexPoses(pdb_id, graphs, torch.tensor(rmsd), kinds)


def load_groups(folder: Path, data_folder: Path, cache_dir: Path) -> list[ComplexPoses]:
    """Every complex of the label folder with at least one ok pose, featurized (cached)."""
    rows = [r for r in layout.read_rows(folder) if r["pose"] != "-1"]
    by_id = defaultdict(list)
    for row in rows:
        by_id[row["pdb_id"]].append(row)
    leaked = set(by_id) & time_split_test_ids(data_folder)
    if leaked:
        raise DockingConfigError(f"{folder} holds time-split test ids: {sorted(leaked)}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    groups = []
    for pdb_id in sorted(by_id):
        stem = cache_dir / f"{pdb_id}-{_job_key(folder, pdb_id)}-tensors"
        if stem.with_suffix(".json").exists():
            group = ComplexPoses(*load_group(stem))
        else:
            group = _featurize(folder, pdb_id, by_id[pdb_id])
            save_group(group, stem)
        if group.graphs:
            groups.append(group)
    log.info("%d complexes, %d poses", len(groups), sum(len(g.graphs) for g in groups))
    return groups
