"""Docking accuracy and speed of a checkpoint on a slice of the FABFlex time-split test set.

Each complex goes through the real inference path (`docking.inference.infer.dock_one`) from files:
the AlphaFold2 (apo) protein and the crystal ligand's molecular graph (its pose is thrown
away: docking starts from a fresh ETKDG conformer). Measured against the crystal ligand
and the aligned holo protein:

- ligand RMSD (heavy atoms, symmetry-aware, no superposition: RDKit `CalcRMS`): 25th,
  50th and 75th percentiles, mean, share under 2 Å and 5 Å, with the predicted pocket
  ("blind") and with the true pocket centre given (`--pocket-center`, the docking modules
  alone); the ligand centroid distance; the same summary over the unseen-protein ids;
- pocket-centre error (predicted centre vs crystal ligand centroid);
- pocket Cα RMSD against holo for the predicted pocket residues, next to the apo input's;
- seconds per complex (reading, featurizing, model, writing);
- PoseBusters ``dock`` checks of the blind poses, `fit` (default) and `raw` (all checks,
  and the intramolecular ones only), and the share both under 2 Å and PoseBusters-valid,
  for ligands of at most 40 heavy atoms, outside the timings.

Peer baselines in the same run: the ETKDG conformer centred on the true pocket centre in a
random orientation (no model), and centred on the protein's Cα centroid; with `--vina N`,
AutoDock Vina (exhaustiveness 4, 22 Å box on the true pocket centre, apo receptor) on the
first N complexes of at most 40 heavy atoms.

    .venv/bin/python -m bench.docking --count 30 --vina 10    # (not bench/docking.py: the name would
                                                    # shadow the docking package)
    python -m bench.docking --count 303 --device cuda --out bench/results/docking_gpu.json
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import tarfile
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from rdkit import Chem
from scipy.spatial.transform import Rotation

from discovery.home import data_folder
from docking.inference.checks import posebusters_flags
from docking.inference.infer import DockingOptions, DockingRequest, dock_one
from docking.network.checkpoint import default_checkpoint, load_model
from docking.poses.pose_metrics import pocket_ca_rmsd, rmsd_distribution, share_below
from docking.poses.pose_rmsd import centroid_distance, symmetric_rmsd
from docking.structures import embed_conformer, load_ligand_file, load_protein
from docking.training.data import TIMESPLIT_ARCHIVE, TIMESPLIT_INDEX, TIMESPLIT_ROOT

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "docking.json"
VINA_BOX_ANGSTROM = 22.0
VINA_EXHAUSTIVENESS = 4
MAX_HEAVY_ATOMS_FOR_CHECKS = 40  # PoseBusters and Vina run on these ligands only
INTRAMOLECULAR_CHECKS = {
    "bond_lengths",
    "bond_angles",
    "internal_steric_clash",
    "aromatic_ring_flatness",
    "non-aromatic_ring_non-flatness",
    "double_bond_flatness",
    "internal_energy",
}


def extract_slice(folder: Path, count: int, into: Path) -> list[dict[str, str]]:
    """Copy the first `count` complexes' files out of the archive into `into` (a temp dir)."""
    with open(folder / TIMESPLIT_INDEX, newline="") as handle:
        rows = list(csv.DictReader(handle))[:count]
    wanted = {
        f"{TIMESPLIT_ROOT}/{r[k]}"
        for r in rows
        for k in ("apo_af2_protein", "holo_protein", "holo_ligand")
    }
    with tarfile.open(folder / TIMESPLIT_ARCHIVE, "r:*") as tar:
        for member in tar:
            if member.name in wanted:
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
    return rows


def small_ligand_rows(folder: Path, count: int, scan: int, into: Path) -> list[dict[str, str]]:
    """The first `count` of the first `scan` complexes (extracted into `into`) whose crystal
    ligand has at most `MAX_HEAVY_ATOMS_FOR_CHECKS` heavy atoms: drug-like ligands, not the
    large peptides that dominate the slice's ETKDG and PoseBusters time."""
    rows = extract_slice(folder, scan, into)
    small = [
        row
        for row in rows
        if load_ligand_file(into / TIMESPLIT_ROOT / row["holo_ligand"]).GetNumHeavyAtoms()
        <= MAX_HEAVY_ATOMS_FOR_CHECKS
    ]
    return small[:count]


def ligand_rmsd(pose_sdf: str, crystal: Chem.Mol) -> float:
    """`symmetric_rmsd` of the pose in an SDF file to the crystal ligand."""
    return symmetric_rmsd(Chem.MolFromMolFile(pose_sdf), crystal)


def placed_rmsd(crystal: Chem.Mol, centre: np.ndarray, seed: int) -> float:
    """RMSD of an ETKDG conformer centred at `centre` in a random orientation (baseline)."""
    start = Chem.RemoveHs(embed_conformer(crystal, seed=seed))
    conformer = start.GetConformer()
    pos = conformer.GetPositions()
    pos = Rotation.random(random_state=seed).apply(pos - pos.mean(0)) + centre
    for i, xyz in enumerate(pos):
        conformer.SetAtomPosition(i, xyz.tolist())
    return symmetric_rmsd(start, crystal)


def vina_rmsd(apo: Path, crystal: Chem.Mol, centre: np.ndarray, work: Path) -> dict:
    """Peer baseline: AutoDock Vina in a 22 Å box on the true pocket centre (receptor:
    the apo protein with Open Babel hydrogens at pH 7.4; ligand prepared as molopt.vina
    does). Returns RMSD of the top pose and seconds."""
    from meeko import PDBQTMolecule, RDKitMolCreate
    from vina import Vina

    from science.vina.prepare import prepare_ligand
    from science.vina.site import write_receptor

    began = time.perf_counter()
    receptor_file = write_receptor(apo, work / f"{apo.stem}.pdbqt")
    ligand = prepare_ligand(Chem.RemoveHs(crystal), seed=0, dockstring_rules=False)
    engine = Vina(sf_name="vina", cpu=1, seed=1, verbosity=0)
    engine.set_receptor(str(receptor_file))
    engine.set_ligand_from_string(ligand.pdbqt)
    engine.compute_vina_maps(center=[float(v) for v in centre], box_size=[VINA_BOX_ANGSTROM] * 3)
    engine.dock(exhaustiveness=VINA_EXHAUSTIVENESS, n_poses=1)
    pose = RDKitMolCreate.from_pdbqt_mol(PDBQTMolecule(engine.poses(n_poses=1), skip_typing=True))[
        0
    ]
    rmsd = symmetric_rmsd(pose, crystal)
    return {"rmsd_vina_true_centre": rmsd, "seconds_vina": time.perf_counter() - began}


def bench_complex(
    model, row: dict[str, str], root: Path, out: Path, options: DockingOptions
) -> dict:
    """All measurements for one complex."""
    path = lambda key: root / TIMESPLIT_ROOT / row[key]  # noqa: E731
    crystal = load_ligand_file(path("holo_ligand"))
    centre = Chem.RemoveHs(crystal).GetConformer().GetPositions().mean(0)
    blind = dock_one(
        DockingRequest(row["pdb_id"], path("apo_af2_protein"), str(path("holo_ligand"))),
        model,
        out / "blind",
        options,
    )
    if blind.status != "ok":
        return {"pdb_id": row["pdb_id"], "error": blind.error}
    given = DockingRequest(
        row["pdb_id"], path("apo_af2_protein"), str(path("holo_ligand")), tuple(centre)
    )
    oracle = dock_one(given, model, out / "given", options)
    raw = dock_one(
        DockingRequest(row["pdb_id"], path("apo_af2_protein"), str(path("holo_ligand"))),
        model,
        out / "raw",
        replace(options, pose="raw"),
    )
    if oracle.status != "ok" or raw.status != "ok":
        return {"pdb_id": row["pdb_id"], "error": oracle.error or raw.error}
    predicted_centre = np.array([float(v) for v in blind.pocket_center.split()])
    apo = load_protein(path("apo_af2_protein"))
    pocket_pred, pocket_apo = pocket_ca_rmsd(
        load_protein(blind.pocket_pdb), apo, load_protein(path("holo_protein"))
    )
    protein_centre = apo.ca.mean(0)
    return {
        "pdb_id": row["pdb_id"],
        "heavy_atoms": Chem.RemoveHs(crystal).GetNumAtoms(),
        "unseen_protein": row.get("unseen_protein") == "1",
        "centroid_distance_blind": centroid_distance(Chem.MolFromMolFile(blind.rank1_sdf), crystal),
        "rmsd_blind": ligand_rmsd(blind.rank1_sdf, crystal),
        "rmsd_blind_raw": ligand_rmsd(raw.rank1_sdf, crystal),
        "rmsd_true_pocket": ligand_rmsd(oracle.rank1_sdf, crystal),
        "rmsd_baseline_true_centre": placed_rmsd(crystal, centre, seed=0),
        "rmsd_baseline_protein_centre": placed_rmsd(crystal, protein_centre, seed=0),
        "pocket_centre_error": float(np.linalg.norm(predicted_centre - centre)),
        "pocket_ca_rmsd_predicted": pocket_pred,
        "pocket_ca_rmsd_apo": pocket_apo,
        "confidence": blind.confidence_rmsd_angstrom,
        "seconds_total": blind.seconds_total,
        "seconds_model": blind.seconds_model,
    }


def add_posebusters(results: list[dict], rows: list[dict[str, str]], root: Path) -> None:
    """PoseBusters checks of the blind fit and raw poses of ligands <= 40 heavy atoms (its
    energy check takes many minutes on the large peptides of the slice)."""
    by_id = {row["pdb_id"]: row for row in rows}
    for result in results:
        if "error" in result or result["heavy_atoms"] > MAX_HEAVY_ATOMS_FOR_CHECKS:
            continue
        apo = root / TIMESPLIT_ROOT / by_id[result["pdb_id"]]["apo_af2_protein"]
        for mode in ("blind", "raw"):
            pose = root / "out" / mode / result["pdb_id"] / "rank1.sdf"
            result[f"posebusters_failed_{mode}"] = list(posebusters_flags(pose, apo).failed)


def add_vina(results: list[dict], rows: list[dict[str, str]], root: Path, count: int) -> None:
    """Add the Vina baseline to the first `count` docked complexes of <= 40 heavy atoms."""
    chosen = [
        r for r in results if "error" not in r and r["heavy_atoms"] <= MAX_HEAVY_ATOMS_FOR_CHECKS
    ]
    by_id = {row["pdb_id"]: row for row in rows}
    for result in chosen[:count]:
        row = by_id[result["pdb_id"]]
        crystal = load_ligand_file(root / TIMESPLIT_ROOT / row["holo_ligand"])
        centre = Chem.RemoveHs(crystal).GetConformer().GetPositions().mean(0)
        apo = root / TIMESPLIT_ROOT / row["apo_af2_protein"]
        try:
            result.update(vina_rmsd(apo, crystal, centre, root))
        except Exception as error:  # a baseline failing is a figure, not a crash
            result["vina_error"] = f"{type(error).__name__}: {error}"


def vina_summary(results: list[dict]) -> dict:
    """Model vs Vina, both given the true pocket centre, on the complexes Vina ran on."""
    ran = [r for r in results if "rmsd_vina_true_centre" in r]
    if not ran:
        return {}
    rate = lambda key: share_below([r[key] for r in ran])  # noqa: E731
    return {
        "complexes": [r["pdb_id"] for r in ran],
        "vina_failed": [r["pdb_id"] for r in results if "vina_error" in r],
        "vina_rmsd_median": statistics.median(r["rmsd_vina_true_centre"] for r in ran),
        "vina_below_2A": rate("rmsd_vina_true_centre"),
        "model_true_pocket_rmsd_median": statistics.median(r["rmsd_true_pocket"] for r in ran),
        "model_true_pocket_below_2A": rate("rmsd_true_pocket"),
        "vina_seconds_median": statistics.median(r["seconds_vina"] for r in ran),
        "model_seconds_median": statistics.median(r["seconds_total"] for r in ran),
    }


def summarise(rows: list[dict]) -> dict:
    """Distributions and success rates over the complexes that docked, and the same over
    the unseen-protein ids among them."""
    summary = summarise_subset(rows)
    unseen = [r for r in rows if r.get("unseen_protein")]
    if unseen:
        summary["unseen_protein"] = summarise_subset(unseen)
    return summary


def summarise_subset(rows: list[dict]) -> dict:
    """`summarise` for one set of complexes."""
    ok = [r for r in rows if "error" not in r]
    column = lambda key: [r[key] for r in ok]  # noqa: E731
    summary = {"complexes": len(rows), "docked": len(ok)}
    if not ok:
        return summary
    for key in (
        "rmsd_blind",
        "rmsd_blind_raw",
        "rmsd_true_pocket",
        "rmsd_baseline_true_centre",
        "rmsd_baseline_protein_centre",
    ):
        summary[key] = rmsd_distribution(column(key))
    for key in (
        "centroid_distance_blind",
        "pocket_centre_error",
        "pocket_ca_rmsd_predicted",
        "pocket_ca_rmsd_apo",
        "seconds_total",
        "seconds_model",
    ):
        summary[f"{key}_median"] = statistics.median(column(key))
    checked = [r for r in ok if "posebusters_failed_blind" in r]
    for mode in ("blind", "raw") if checked else ():
        failed = [r[f"posebusters_failed_{mode}"] for r in checked]
        summary[f"posebusters_{mode}"] = {
            "complexes": len(checked),
            "all_pass": sum(not f for f in failed) / len(failed),
            "intramolecular_pass": sum(not set(f) & INTRAMOLECULAR_CHECKS for f in failed)
            / len(failed),
            "below_2A_and_valid": sum(
                not r[f"posebusters_failed_{mode}"] and r[f"rmsd_{_RMSD_OF_MODE[mode]}"] < 2
                for r in checked
            )
            / len(checked),
        }
    return summary


_RMSD_OF_MODE = {"blind": "blind", "raw": "blind_raw"}


def machine(device: str) -> str:
    """The machine line of the report: CPU threads, or the GPU's name."""
    if device.startswith("cuda"):
        return f"{platform.machine()}, GPU {torch.cuda.get_device_name()}"
    return f"{platform.machine()}, {torch.get_num_threads()} torch thread(s), no GPU"


def main() -> None:
    """Run the benchmark and save its JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="first N complexes of the index")
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON file to write")
    parser.add_argument(
        "--vina",
        type=int,
        default=0,
        help="also run Vina on the first N complexes <= 40 heavy atoms",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = load_model(args.checkpoint or default_checkpoint(), device=args.device)
    options = DockingOptions(device=args.device)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        rows = extract_slice(data_folder(), args.count, root)
        results = [bench_complex(model, row, root, root / "out", options) for row in rows]
        add_posebusters(results, rows, root)
        add_vina(results, rows, root, args.vina)
    summary = summarise(results)
    summary["vina_subset"] = vina_summary(results)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(args.device),
        "checkpoint": str(args.checkpoint or default_checkpoint().relative_to(ROOT)),
        "wall_seconds": time.perf_counter() - began,
        "summary": summary,
        "complexes": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
