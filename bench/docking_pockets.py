"""Pocket finders for blind docking: is a candidate centre within 4 Å of the ligand?

For each complex, each finder gives its candidate pocket centres, best first; success is
the centre within `SUCCESS_ANGSTROM` of the crystal ligand's heavy-atom centroid (the DCC
criterion of the pocket-finding literature), for the top-1 and for any of the top-3.
Finders: ``ligsite`` and ``pocketeer`` (`docking.inference.pocket_finder`), and ``network``, the
shipped FABFlex-style checkpoint's predicted pocket centre (one centre: top-1 only; it
sees the ligand's graph, never its pose).

Sets: ``train`` = the PDBbind subset's training ids (holo protein files, ligand removed;
the only set any setting was chosen on), ``timesplit`` = the 303 FABFlex time-split test
complexes with their apo AlphaFold2 proteins as given (TEST: nothing tuned on it). One
JSON line per (finder, complex) is appended to ``--log`` as it ends, so a killed run
resumes; the summary goes to bench/results/docking_pockets.json under the set's name.

    nice python -m bench.docking_pockets --set train
    nice python -m bench.docking_pockets --set timesplit --finders ligsite,pocketeer,network
"""

from __future__ import annotations

import argparse
import json
import statistics
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
from rdkit import Chem, RDLogger

from bench.docking_hybrid import timesplit_complexes
from bench.record import RESULTS, machine, now, save_record
from discovery.home import data_folder
from docking.errors import DockingError
from docking.inference.infer import dock_requests
from docking.inference.pocket_finder import find_pockets
from docking.inference.table import DockingRequest
from docking.network.checkpoint import default_checkpoint, load_model
from docking.training.data import SUBSET_ARCHIVE, SUBSET_INDEX, read_subset_ids

SUCCESS_ANGSTROM = 4.0
TOP = 3
FINDERS = ("ligsite", "pocketeer", "network")
TIMESPLIT_SIZE = 303


def train_complexes(data: Path, into: Path) -> list[tuple[str, Path, Path]]:
    """(id, holo protein, MOL2 ligand) of the subset's training ids, extracted into `into`."""
    ids = set(read_subset_ids(data / SUBSET_INDEX).train)
    with tarfile.open(data / SUBSET_ARCHIVE, "r:*") as tar:
        for member in tar:
            parts = member.name.split("/")
            if len(parts) == 3 and parts[1] in ids and member.isfile():
                (into / parts[2]).write_bytes(tar.extractfile(member).read())
    return [(i, into / f"{i}_protein.pdb", into / f"{i}_ligand.mol2") for i in sorted(ids)]


def ligand_centroid(path: Path) -> np.ndarray:
    """(3,) heavy-atom centroid of the crystal ligand file (read unsanitized)."""
    reader = Chem.MolFromMol2File if path.suffix == ".mol2" else Chem.MolFromMolFile
    mol = reader(str(path), sanitize=False, removeHs=False)
    xyz = mol.GetConformer().GetPositions()
    heavy = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() > 1]
    return xyz[heavy].mean(axis=0)


def network_centre(model, pdb_id: str, protein: Path, ligand: Path, scratch: Path) -> list:
    """The network's predicted pocket centre, from the ligand's graph (as SMILES)."""
    reader = Chem.MolFromMol2File if ligand.suffix == ".mol2" else Chem.MolFromMolFile
    smiles = Chem.MolToSmiles(reader(str(ligand)))
    row = dock_requests([DockingRequest(pdb_id, protein, smiles)], model, scratch)[0]
    if row.status != "ok":
        raise DockingError(row.error)
    return [np.array([float(v) for v in row.pocket_center.split()])]


def measure(finder: str, complex_: tuple[str, Path, Path], model, scratch: Path) -> dict:
    """One finder on one complex: distances of its top centres to the ligand, seconds."""
    pdb_id, protein, ligand = complex_
    began = time.process_time()
    try:
        if finder == "network":
            centres = network_centre(model, pdb_id, protein, ligand, scratch)
        else:
            centres = [c.centre for c in find_pockets(protein, finder, TOP)]
        error = ""
    except (DockingError, ValueError, RuntimeError) as failure:
        centres, error = [], f"{type(failure).__name__}: {failure}"
    target = ligand_centroid(ligand)
    return {
        "pdb_id": pdb_id,
        "finder": finder,
        "distances": [round(float(np.linalg.norm(c - target)), 3) for c in centres],
        "cpu_seconds": round(time.process_time() - began, 3),
        "error": error,
    }


def summarise(rows: list[dict]) -> dict:
    """Per finder: n, failures, % top-1 and top-3 within 4 Å, median distances and time."""
    summary = {}
    for finder in sorted({r["finder"] for r in rows}):
        mine = [r for r in rows if r["finder"] == finder]
        first = [r["distances"][0] if r["distances"] else float("inf") for r in mine]
        best = [min(r["distances"][:TOP], default=float("inf")) for r in mine]
        summary[finder] = {
            "n": len(mine),
            "no_pocket": sum(not r["distances"] for r in mine),
            "top1_percent": round(100 * np.mean([d < SUCCESS_ANGSTROM for d in first]), 1),
            "top3_percent": round(100 * np.mean([d < SUCCESS_ANGSTROM for d in best]), 1),
            "median_top1_distance_angstrom": round(statistics.median(first), 2),
            "median_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in mine), 2),
        }
    return summary


def main() -> None:
    """Run the finders over a set, appending to the log; summarise and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("train", "timesplit"), default="train")
    parser.add_argument("--finders", default=",".join(FINDERS))
    parser.add_argument("--log", type=Path, default=None, help="JSON lines [results/...]")
    args = parser.parse_args()
    RDLogger.DisableLog("rdApp.*")
    log = args.log or RESULTS / f"docking_pockets_{args.set}.jsonl"
    done = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    seen = {(r["finder"], r["pdb_id"]) for r in done}
    finders = [f for f in args.finders.split(",") if f]
    model = load_model(default_checkpoint()) if "network" in finders else None
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        if args.set == "train":
            complexes = train_complexes(data_folder(), root)
        else:
            complexes = timesplit_complexes(data_folder(), TIMESPLIT_SIZE, root)
        with open(log, "a") as handle:
            for complex_ in complexes:
                for finder in finders:
                    if (finder, complex_[0]) in seen:
                        continue
                    row = measure(finder, complex_, model, root / "scratch")
                    handle.write(json.dumps(row) + "\n")
                    handle.flush()
                    done.append(row)
    record = {
        "date": now(),
        "machine": machine(),
        "command": f"nice python -m bench.docking_pockets --set {args.set} --finders {args.finders}",
        "wall_seconds_this_call": round(time.perf_counter() - began, 1),
        "success_angstrom": SUCCESS_ANGSTROM,
        "summary": summarise(done),  # every finder of the log, this call's and earlier ones
    }
    save_record("docking_pockets", args.set, record)
    print(json.dumps(record["summary"], indent=2))  # noqa: T201 - bench output


if __name__ == "__main__":
    main()
