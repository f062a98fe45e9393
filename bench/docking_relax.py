"""OpenMM relax (`docking.relaxation.relax`) on FABFlex time-split test complexes: validity and RMSD.

Two kinds of pose per complex (ligands of at most 40 heavy atoms, first N of the index):

- **model**: the shipped checkpoint's rank-1 pose with the true pocket centre given
  (`--pocket-center`, apo AlphaFold2 protein as input), relaxed in the apo protein and
  checked against it;
- **perturbed crystal**: the crystal ligand moved by a random 1.5 Å shift and a random
  15° rotation about its centroid (seeded per complex), relaxed in, and checked against,
  the holo protein.

For each: PoseBusters ``dock`` checks (all pass = valid) and heavy-atom RMSD to the crystal
ligand (symmetry-aware, no superposition) before and after relaxing, and seconds per
relaxation. PoseBusters checks against the input protein's heavy atoms (the holo files
carry hydrogens that the relax re-places at pH 7.4, which would count as clashes), and
the relaxed pose also against the relaxed pocket (with its hydrogens): the complex the
relax writes. Peer baseline in the same run: RDKit's own MMFF94 minimization of the ligand
alone in vacuum (`MMFFOptimizeMolecule`, its default 200 iterations), which fixes internal
geometry but knows nothing of the protein.

    nice .venv/bin/python -m bench.docking_relax --count 15
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from rdkit import Chem
from rdkit.Chem import AllChem
from scipy.spatial.transform import Rotation

from bench.docking import ligand_rmsd, small_ligand_rows
from bench.record import machine, now, save_record
from discovery.home import data_folder
from docking.inference.checks import posebusters_flags
from docking.inference.infer import dock_one
from docking.inference.table import DockingRequest
from docking.network.checkpoint import default_checkpoint, load_model
from docking.poses.pose_metrics import share_below
from docking.relaxation.relax import RelaxOptions, relax_pose, with_positions
from docking.structures import load_ligand_file
from docking.training.data import TIMESPLIT_ROOT

SHIFT_ANGSTROM = 1.5
ROTATION_DEGREES = 15.0
STAGES = ("before", "mmff_vacuum", "relaxed", "relaxed_in_relaxed_pocket")


def perturbed(crystal: Chem.Mol, seed: int) -> Chem.Mol:
    """The crystal ligand shifted 1.5 Å in a random direction and turned 15° about a random
    axis through its centroid."""
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=3)
    axis = rng.normal(size=3)
    turn = Rotation.from_rotvec(np.radians(ROTATION_DEGREES) * axis / np.linalg.norm(axis))
    xyz = crystal.GetConformer().GetPositions()
    centre = xyz.mean(0)
    moved = (
        turn.apply(xyz - centre) + centre + SHIFT_ANGSTROM * direction / np.linalg.norm(direction)
    )
    return with_positions(crystal, moved)


def mmff_vacuum(mol: Chem.Mol) -> Chem.Mol:
    """Peer baseline: RDKit's MMFF94 minimization of the ligand alone (default settings)."""
    copy = Chem.AddHs(mol, addCoords=True)
    AllChem.MMFFOptimizeMolecule(copy)
    return copy


def measure(pose: Chem.Mol, crystal: Chem.Mol, protein: Path, work: Path) -> dict:
    """PoseBusters failures and RMSD to the crystal of one pose."""
    path = work / "pose.sdf"
    Chem.MolToMolFile(pose, str(path))
    return {
        "rmsd": ligand_rmsd(str(path), crystal),
        "failed": list(posebusters_flags(path, protein).failed),
    }


def heavy_atoms_only(protein: Path, work: Path) -> Path:
    """A copy of the PDB without hydrogen atoms (the PoseBusters reference)."""
    lines = protein.read_text().splitlines(keepends=True)
    is_hydrogen = lambda line: line.startswith(("ATOM", "HETATM")) and line[76:78] == " H"  # noqa: E731
    path = work / f"{protein.stem}_heavy.pdb"
    path.write_text("".join(line for line in lines if not is_hydrogen(line)))
    return path


def relax_and_measure(
    pose: Chem.Mol, crystal: Chem.Mol, protein: Path, work: Path, options: RelaxOptions
) -> dict:
    """Before, vacuum-MMFF baseline and relaxed figures of one pose."""
    relaxed = relax_pose(protein, pose, options)
    reference = heavy_atoms_only(protein, work)
    pocket = work / "relaxed_pocket.pdb"
    pocket.write_text(relaxed.pocket_pdb)
    record = {
        stage: measure(mol, crystal, reference, work)
        for stage, mol in zip(STAGES, (pose, mmff_vacuum(pose), relaxed.ligand), strict=False)
    }
    record[STAGES[-1]] = measure(relaxed.ligand, crystal, pocket, work)
    record.update(
        seconds_relax=relaxed.seconds,
        moved_angstrom=relaxed.ligand_rmsd_angstrom,
        pocket_moved_angstrom=relaxed.pocket_rmsd_angstrom,
        energy_before_kj_mol=relaxed.energy_before_kj_mol,
        energy_after_kj_mol=relaxed.energy_after_kj_mol,
    )
    return record


def bench_complex(model, row: dict[str, str], root: Path, options: RelaxOptions) -> dict:
    """Model and perturbed-crystal figures of one complex."""
    path = lambda key: root / TIMESPLIT_ROOT / row[key]  # noqa: E731
    crystal = load_ligand_file(path("holo_ligand"))
    centre = Chem.RemoveHs(crystal).GetConformer().GetPositions().mean(0)
    request = DockingRequest(
        row["pdb_id"], path("apo_af2_protein"), str(path("holo_ligand")), tuple(centre)
    )
    docked = dock_one(request, model, root / "out")
    result: dict = {"pdb_id": row["pdb_id"], "heavy_atoms": crystal.GetNumHeavyAtoms()}
    if docked.status != "ok":
        return result | {"error": docked.error}
    work = root / "work"
    work.mkdir(exist_ok=True)
    pose = Chem.MolFromMolFile(docked.rank1_sdf, removeHs=False)
    try:
        result["model"] = relax_and_measure(pose, crystal, path("apo_af2_protein"), work, options)
        seed = int.from_bytes(row["pdb_id"].encode(), "little") % 2**32
        result["perturbed"] = relax_and_measure(
            perturbed(crystal, seed), crystal, path("holo_protein"), work, options
        )
    except Exception as error:  # one complex failing is a figure, not a crash
        result["error"] = f"{type(error).__name__}: {error}"
    return result


def summarise(results: list[dict], kind: str) -> dict:
    """Valid rates, median RMSDs, common failed checks and relax seconds of one pose kind."""
    done = [r[kind] for r in results if kind in r]
    if not done:
        return {"complexes": 0}
    summary: dict = {"complexes": len(done)}
    for stage in STAGES:
        rows = [d[stage] for d in done]
        summary[stage] = {
            "posebusters_valid": sum(not r["failed"] for r in rows) / len(rows),
            "rmsd_median": statistics.median(r["rmsd"] for r in rows),
            "rmsd_below_2A": share_below([r["rmsd"] for r in rows]),
            "failed_checks": dict(Counter(c for r in rows for c in r["failed"]).most_common()),
        }
    summary["seconds_relax_median"] = statistics.median(d["seconds_relax"] for d in done)
    for key in ("moved_angstrom", "pocket_moved_angstrom"):
        summary[f"{key}_median"] = statistics.median(d[key] for d in done)
    return summary


def main() -> None:
    """Run the benchmark and save bench/results/docking_relax.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=15)
    parser.add_argument("--scan", type=int, default=40, help="index rows searched for --count")
    parser.add_argument("--label", default="timesplit")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load_model(default_checkpoint())
    options = RelaxOptions()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        rows = small_ligand_rows(data_folder(), args.count, args.scan, root)
        results = []
        for row in rows:
            results.append(bench_complex(model, row, root, options))
            print(row["pdb_id"], {k: v for k, v in results[-1].items() if k == "error"})
    summary = {kind: summarise(results, kind) for kind in ("model", "perturbed")}
    summary["failed_complexes"] = [r["pdb_id"] for r in results if "error" in r]
    save_record(
        "docking_relax",
        args.label,
        {
            "date": now(),
            "machine": machine(),
            "relax_options": asdict(options),
            "wall_seconds": time.perf_counter() - began,
            "summary": summary,
            "complexes": results,
        },
    )
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
