"""Vina pretraining poses (docking.training.vina_poses): throughput, failure rate, and how settled the
poses are, against dockstring's default exhaustiveness 8 on the same pairs (the peer).

A fresh pose folder: `--molecules` MOSES molecules (seeded draw, test ligands excluded)
docked into each of `--targets` at `--exhaustiveness`. Then the first `--peer-pairs`
docked pairs are docked again at exhaustiveness 8 (dockstring's setting), and the two top
poses are compared (heavy-atom RMSD, symmetry-aware, no superposition) with their scores.
Run (niced, one worker):

    nice .venv/bin/python -m bench.vina_poses --targets ABL1,ESR1,F2,PPARG --molecules 15
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import time
from pathlib import Path

from rdkit import Chem

from bench.record import machine, now, save_record
from discovery.home import data_folder, home_folder
from docking.poses.pose_metrics import share_below
from docking.poses.pose_rmsd import symmetric_rmsd
from docking.structures import load_ligand_file
from docking.training import pose_folder
from docking.training.data import held_out_ligand_keys
from docking.training.pose_molecules import check, default_source, draw, read_smiles
from docking.training.vina_poses import PoseSettings, dock_pair, make_poses


def _rmsd(folder_a: Path, row_a: dict, folder_b: Path, row_b: dict) -> float:
    a = load_ligand_file(folder_a / row_a["ligand"])
    return symmetric_rmsd(a, load_ligand_file(folder_b / row_b["ligand"]))


def peer(folder: Path, rows: list[dict], count: int, seed: int) -> list[dict]:
    """Re-dock the first `count` docked pairs at exhaustiveness 8 in a sibling folder."""
    other = folder.with_name(folder.name + "_exh8")
    shutil.rmtree(other, ignore_errors=True)
    settings = PoseSettings(exhaustiveness=8, seed=seed)
    compared = []
    for row in [r for r in rows if r["status"] == "ok"][:count]:
        candidate = check(row["smiles"], frozenset())
        again = dock_pair(row["target"], candidate, other, settings)
        if again["status"] != "ok":
            continue
        compared.append(
            {
                "target": row["target"],
                "smiles": row["smiles"],
                "score": float(row["vina_score"]),
                "score_exh8": float(again["vina_score"]),
                "seconds": float(row["seconds"]),
                "seconds_exh8": float(again["seconds"]),
                "rmsd_to_exh8": _rmsd(folder, row, other, again),
            }
        )
        print(f"{row['target']:>6} {compared[-1]}")
    return compared


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Vina runs in the worker)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def summarize(rows: list[dict], wall: float, cpu: float, workers: int) -> dict:
    """Throughput and failure figures of one pose run."""
    docked = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] == "failed"]
    seconds = [float(r["seconds"]) for r in docked]
    atoms = [Chem.MolFromSmiles(r["smiles"]).GetNumHeavyAtoms() for r in docked]
    return {
        "pairs": len(rows),
        "docked": len(docked),
        "failed": len(failed),
        "excluded": sum(r["status"] == "excluded" for r in rows),
        "failure_rate": len(failed) / max(len(docked) + len(failed), 1),
        "failure_reasons": sorted({r["reason"][:120] for r in failed}),
        "wall_seconds": wall,
        "poses_per_hour_per_core": 3600 * len(docked) / wall / workers,
        "cpu_seconds": cpu,
        "poses_per_cpu_hour": 3600 * len(docked) / cpu,
        "seconds_per_pose_median": statistics.median(seconds) if seconds else None,
        "seconds_per_pose_max": max(seconds, default=None),
        "heavy_atoms_median": statistics.median(atoms) if atoms else None,
        "vina_score_median": statistics.median(float(r["vina_score"]) for r in docked)
        if docked
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="ABL1,ESR1,F2,PPARG")
    parser.add_argument("--molecules", type=int, default=15)
    parser.add_argument("--exhaustiveness", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peer-pairs", type=int, default=12)
    parser.add_argument("--label", default="cpu-4x15-exh4")
    args = parser.parse_args()
    folder = home_folder() / "bench" / "vina_poses"
    shutil.rmtree(folder, ignore_errors=True)
    held_out = held_out_ligand_keys(data_folder())
    source = default_source()
    candidates = [check(s, held_out) for s in draw(read_smiles(source), args.molecules, args.seed)]
    targets = args.targets.split(",")
    load_before = os.getloadavg()
    began, cpu_began = time.perf_counter(), cpu_seconds()
    settings = PoseSettings(exhaustiveness=args.exhaustiveness, seed=args.seed)
    make_poses(folder, targets, candidates, settings, workers=args.workers)
    wall, cpu = time.perf_counter() - began, cpu_seconds() - cpu_began
    rows = pose_folder.read_index(folder)
    figures = summarize(rows, wall, cpu, args.workers)
    figures["load_average_1min_before_after"] = [load_before[0], os.getloadavg()[0]]
    print(figures)
    compared = peer(folder, rows, args.peer_pairs, args.seed)
    rmsds = [c["rmsd_to_exh8"] for c in compared]
    figures["peer_exhaustiveness_8"] = {
        "pairs": len(compared),
        "rmsd_to_exh8_median": statistics.median(rmsds) if rmsds else None,
        "rmsd_to_exh8_below_2A": share_below(rmsds) if rmsds else 0.0,
        "score_minus_exh8_median": statistics.median(c["score"] - c["score_exh8"] for c in compared)
        if compared
        else None,
        "seconds_median": statistics.median(c["seconds"] for c in compared) if compared else None,
        "seconds_exh8_median": statistics.median(c["seconds_exh8"] for c in compared)
        if compared
        else None,
        "rows": compared,
    }
    record = {
        "date": now(),
        "machine": machine(),
        "source": str(source),
        "targets": targets,
        "molecules": args.molecules,
        "exhaustiveness": args.exhaustiveness,
        "workers": args.workers,
        "seed": args.seed,
        **figures,
    }
    save_record("vina_poses", args.label, record)


if __name__ == "__main__":
    main()
