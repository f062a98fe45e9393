"""Hybrid docking (Vina samples, the pose scorer ranks) against plain Vina and the old net.

Per complex, the pocket centre given is the crystal ligand's heavy-atom centroid (the
"pocket given" setting; for Vina that is the true box, sized to the ligand + 8 Å). Vina
samples once (exhaustiveness and seed as options) and the same poses are ranked twice:
by Vina's score (`vina`) and by the pose scorer (`hybrid`); `best_sampled` is the best
pose Vina returned (the ceiling of any ranking). The old FABFlex-style network docks the
same complex with the same centre (`net`). For each rank 1: symmetric heavy-atom RMSD to
the crystal ligand (no superposition), PoseBusters ``dock`` validity, CPU seconds of
this process (Vina runs in-process on one core).

Sets: ``val`` = the PDBbind subset's validation and unassigned ids (never used to train
or tune the scorer; the holo protein as input), ``timesplit`` = the first N complexes of
the FABFlex time-split test set (AlphaFold2 apo protein as input). Results are appended
to a JSON-lines file as each complex ends, so a killed run resumes; the summary goes to
bench/results/docking_hybrid.json.

    python -m bench.docking_hybrid --set val --exhaustiveness 8
    python -m bench.docking_hybrid --set timesplit --count 50
    python -m bench.docking_hybrid --set timesplit --count 50 --retry-failed   # after a fix
"""

from __future__ import annotations

import argparse
import json
import statistics
import tarfile
import tempfile
import time
from pathlib import Path

from rdkit import Chem

from bench.docking import extract_slice
from bench.record import machine, now, save_record
from discovery.home import data_folder
from docking.inference.checks import posebusters_flags
from docking.inference.hybrid import RECEPTOR_NAME, HybridOptions, rank_poses, sample_poses
from docking.inference.infer import DockingOptions, dock_one
from docking.inference.pose_ranker import default_ranker, load_ranker
from docking.inference.table import DockingRequest
from docking.network.checkpoint import default_checkpoint, load_model
from docking.network.scorer_checkpoint import default_scorer, load_scorer
from docking.poses.pose_metrics import NEAR_ANGSTROM, SUCCESS_ANGSTROM, share_below
from docking.poses.pose_rmsd import symmetric_rmsd
from docking.structures import load_ligand_file
from docking.training.data import SUBSET_ARCHIVE, SUBSET_INDEX, TIMESPLIT_ROOT, read_subset_ids

ROOT = Path(__file__).resolve().parent.parent
FABFLEX_PUBLISHED_BELOW_2A = 40.59  # FABFlex (ICLR 2025), time-split test, blind, % < 2 Å


def validation_complexes(data: Path, into: Path) -> list[tuple[str, Path, Path]]:
    """(id, protein, ligand file) of the subset's validation ids, extracted into `into`."""
    ids = read_subset_ids(data / SUBSET_INDEX).validation
    with tarfile.open(data / SUBSET_ARCHIVE, "r:*") as tar:
        for member in tar:
            parts = member.name.split("/")
            if len(parts) == 3 and parts[1] in ids and member.isfile():
                (into / parts[2]).write_bytes(tar.extractfile(member).read())
    found = []
    for pdb_id in ids:
        sdf, mol2 = into / f"{pdb_id}_ligand.sdf", into / f"{pdb_id}_ligand.mol2"
        ligand = sdf if Chem.MolFromMolFile(str(sdf)) is not None else mol2
        found.append((pdb_id, into / f"{pdb_id}_protein.pdb", ligand))
    return found


def timesplit_complexes(data: Path, count: int, into: Path) -> list[tuple[str, Path, Path]]:
    """(id, apo AF2 protein, crystal ligand) of the first `count` time-split complexes."""
    rows = extract_slice(data, count, into)
    base = into / TIMESPLIT_ROOT
    return [(r["pdb_id"], base / r["apo_af2_protein"], base / r["holo_ligand"]) for r in rows]


def _valid(sdf: Path, protein: Path) -> bool:
    try:
        return not posebusters_flags(sdf, protein).failed
    except Exception:  # noqa: BLE001 - a PoseBusters crash counts as not valid, never stops the bench
        return False


def _write(mol: Chem.Mol, path: Path) -> Path:
    with Chem.SDWriter(str(path)) as writer:
        writer.write(mol)
    return path


def bench_complex(item: tuple[str, Path, Path], models, net, options, work: Path) -> dict:
    """Hybrid (the pose ranker), Vina, scorer and net rank 1 of one complex with the true
    pocket centre, and every sampled pose's RMSD, Vina score and ranker features."""
    pdb_id, protein, ligand = item
    crystal = load_ligand_file(ligand)
    centre = Chem.RemoveHs(crystal).GetConformer().GetPositions().mean(0)
    request = DockingRequest(pdb_id, protein, str(ligand), tuple(centre))
    folder = work / pdb_id
    folder.mkdir(parents=True, exist_ok=True)
    record = {"pdb_id": pdb_id, "heavy_atoms": crystal.GetNumHeavyAtoms()}
    began = time.process_time()
    poses = sample_poses(request, centre, folder, options)
    record["cpu_s_vina"] = time.process_time() - began
    site = (protein, folder / RECEPTOR_NAME)
    ranker, scorer = models
    began = time.process_time()
    ranked = rank_poses(poses, site, ranker, "hybrid")
    record["cpu_s_ranker"] = time.process_time() - began
    began = time.process_time()
    by_scorer = rank_poses(poses, site, scorer, "scorer")[0]
    record["cpu_s_scorer"] = time.process_time() - began
    by_vina = min(ranked, key=lambda r: r.pose.vina_score)
    rmsds = [symmetric_rmsd(r.pose.mol, crystal) for r in ranked]
    record.update(
        pose_rmsd=[round(symmetric_rmsd(p.mol, crystal), 3) for p in poses],
        pose_vina_score=[p.vina_score for p in poses],
        pose_ranker_probability=[round(r.probability, 4) for r in ranked],
        rmsd_hybrid=rmsds[0],
        rmsd_scorer=symmetric_rmsd(by_scorer.pose.mol, crystal),
        rmsd_vina=symmetric_rmsd(by_vina.pose.mol, crystal),
        rmsd_best_sampled=min(rmsds),
        poses=len(ranked),
        pb_hybrid=_valid(_write(ranked[0].pose.mol, folder / "hybrid.sdf"), protein),
        pb_scorer=_valid(_write(by_scorer.pose.mol, folder / "scorer.sdf"), protein),
        pb_vina=_valid(_write(by_vina.pose.mol, folder / "vina.sdf"), protein),
    )
    if net is None:
        return record
    began = time.process_time()
    result = dock_one(request, net, folder / "net", DockingOptions(posebusters=True))
    record["cpu_s_net"] = time.process_time() - began
    if result.status == "ok":
        record["rmsd_net"] = symmetric_rmsd(Chem.MolFromMolFile(result.rank1_sdf), crystal)
        record["pb_net"] = result.posebusters_failed == ""
    else:
        record["net_error"] = result.error
    return record


def summarise(records: list[dict]) -> dict:
    """Per method: % < 2 Å, % < 5 Å, median RMSD, % PoseBusters-valid, median CPU-s."""
    ok = [r for r in records if "error" not in r]
    out = {"complexes": len(records), "failed": [r["pdb_id"] for r in records if "error" in r]}
    for method in ("hybrid", "vina", "scorer", "best_sampled", "net"):
        values = [r[f"rmsd_{method}"] for r in ok if f"rmsd_{method}" in r]
        if not values:
            continue
        share = lambda cut: round(100 * share_below(values, cut), 1)  # noqa: B023,E731
        figures = {
            "n": len(values),
            "below_2A_pct": share(SUCCESS_ANGSTROM),
            "below_5A_pct": share(NEAR_ANGSTROM),
        }
        figures["median_rmsd"] = round(statistics.median(values), 2)
        valid = [r[f"pb_{method}"] for r in ok if f"pb_{method}" in r]
        if valid:
            figures["posebusters_valid_pct"] = round(100 * sum(valid) / len(valid), 1)
        out[method] = figures
    vina_cpu = [r["cpu_s_vina"] + r.get("cpu_s_ranker", r["cpu_s_scorer"]) for r in ok]
    if vina_cpu:
        out["hybrid_cpu_s_median"] = round(statistics.median(vina_cpu), 1)
        out["vina_cpu_s_median"] = round(statistics.median(r["cpu_s_vina"] for r in ok), 1)
        net = [r["cpu_s_net"] for r in ok if "cpu_s_net" in r]
        if net:  # absent with --no-net: the net did not run, so no figure
            out["net_cpu_s_median"] = round(statistics.median(net), 1)
    return out


def drop_failed_rows(log: Path) -> None:
    """Remove the rows of complexes that failed (after a fix, so they run again)."""
    rows = [line for line in log.read_text().splitlines() if line.strip()]
    kept = [line for line in rows if "error" not in json.loads(line)]
    log.write_text("".join(line + "\n" for line in kept))
    print(f"{len(rows) - len(kept)} failed rows dropped from {log}")  # noqa: T201


def main() -> None:
    """Run the bench (resuming its JSON-lines file) and save the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("val", "timesplit"), default="val")
    parser.add_argument("--count", type=int, default=303, help="time-split complexes")
    parser.add_argument("--exhaustiveness", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scorer", type=Path, default=None)
    parser.add_argument("--ranker", type=Path, default=None)
    parser.add_argument("--no-net", action="store_true", help="skip the old network")
    parser.add_argument("--label", default="", help="suffix of the summary's label")
    parser.add_argument("--max-minutes", type=float, default=60.0)
    parser.add_argument("--log", type=Path, default=None, help="JSON lines [bench/results/...]")
    parser.add_argument(
        "--retry-failed", action="store_true", help="drop the failed rows and run them again"
    )
    args = parser.parse_args()
    log = args.log or ROOT / "bench" / "results" / f"docking_hybrid_{args.set}.jsonl"
    if args.retry_failed and log.exists():
        drop_failed_rows(log)
    done = {json.loads(line)["pdb_id"] for line in log.open()} if log.exists() else set()
    models = (
        load_ranker(args.ranker or default_ranker()),
        load_scorer(args.scorer or default_scorer()),
    )
    net = None if args.no_net else load_model(default_checkpoint())
    options = HybridOptions(exhaustiveness=args.exhaustiveness, seeds=(args.seed,))
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        data = data_folder()
        items = (
            validation_complexes(data, work)
            if args.set == "val"
            else timesplit_complexes(data, args.count, work)
        )
        for item in items:
            if item[0] in done or time.monotonic() - began > 60 * args.max_minutes:
                continue
            try:
                record = bench_complex(item, models, net, options, work)
            except Exception as error:  # noqa: BLE001 - a failed complex is a row, not the end
                record = {"pdb_id": item[0], "error": f"{type(error).__name__}: {error}"}
            with log.open("a") as handle:
                handle.write(json.dumps(record) + "\n")
            print(json.dumps(record))  # noqa: T201 - bench output
    records = [json.loads(line) for line in log.open()]
    summary = summarise(records)
    summary.update(
        machine=machine(),
        date=now(),
        set=args.set,
        exhaustiveness=args.exhaustiveness,
        seed=args.seed,
        complexes_in_set=len(items),
        fabflex_published_below_2A_pct=FABFLEX_PUBLISHED_BELOW_2A,
        command=f"python -m bench.docking_hybrid --set {args.set} --exhaustiveness {args.exhaustiveness}",
    )
    save_record("docking_hybrid", f"{args.set}_e{args.exhaustiveness}{args.label}", summary)
    print(json.dumps(summary, indent=1))  # noqa: T201


if __name__ == "__main__":
    main()
