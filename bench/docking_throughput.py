"""Docking throughput: complexes per second of batched inference, featurization included.

The first `--count` complexes of the FABFlex time-split test set (AlphaFold2 apo protein,
crystal ligand's graph; docking starts from a fresh ETKDG conformer, pocket predicted) go
through the real inference path (`docking.inference.infer.dock_requests`: read, ETKDG, featurize,
model, write rank files and pocket PDB) once per `--batch-sizes` value, in the same run,
after one untimed warm-up batch. Reported per batch size: complexes per second over the
whole pipeline, and the split of the time per complex into prepare (read, ETKDG,
featurize), model (the batch's call divided by its size) and write; the model-only rate;
ratios to batch size 1 with one process of the same run (the peer baseline: one complex
per model call, conformers embedded in line, as before batching); and the largest
confidence difference from it (batching and workers must not change results). Every
batch size runs with every `--workers` value (processes embedding start conformers).

Model only: the first `--count` drug-like complexes of the index (at most 40 heavy atoms;
the slice above holds large peptides) are prepared once, then each batch size's model
calls are timed `--repeats` times, interleaved; median seconds per complex and the ratio
to batch size 1.

    .venv/bin/python -m bench.docking_throughput --device cpu --count 32 --batch-sizes 1 8 32 --workers 1 2
    .venv/bin/python -m bench.docking_throughput --device cuda --count 256 --batch-sizes 1 8 32 128 --workers 1 16

(run as a module: `bench/docking.py` would shadow the `docking` package.) Saves
``bench/results/docking_throughput_<device>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import torch

from bench.docking import extract_slice, small_ligand_rows
from discovery.home import data_folder
from docking.inference.conformers import start_conformers
from docking.inference.infer import (
    DockingOptions,
    DockingRequest,
    dock_requests,
    prepare,
    run_model,
)
from docking.inference.protein_cache import ProteinCache
from docking.inference.table import DockingResult
from docking.network.checkpoint import default_checkpoint, load_model
from docking.training.data import TIMESPLIT_ROOT

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DRUG_LIKE_SCAN = 200  # index rows searched for drug-like complexes


def requests_for(rows: list[dict[str, str]], root: Path) -> list[DockingRequest]:
    """Blind requests: apo AF2 protein and the crystal ligand file of each row."""
    path = lambda row, key: root / TIMESPLIT_ROOT / row[key]  # noqa: E731
    return [
        DockingRequest(r["pdb_id"], path(r, "apo_af2_protein"), str(path(r, "holo_ligand")))
        for r in rows
    ]


def machine(device: str) -> str:
    """The device the model ran on, in words."""
    if device.startswith("cuda"):
        return f"{torch.cuda.get_device_name(device)}, host {platform.machine()}"
    cores = os.cpu_count()
    return f"{platform.machine()} CPU ({cores} cores visible), {torch.get_num_threads()} torch thread(s)"


def measure(model, requests: list[DockingRequest], out: Path, options: DockingOptions) -> dict:
    """Dock `requests` once; wall time and the per-stage sums over the docked rows."""
    began = time.perf_counter()
    results = dock_requests(requests, model, out, options)
    wall = time.perf_counter() - began
    ok = [r for r in results if r.status == "ok"]
    total = lambda key: sum(getattr(r, key) for r in ok)  # noqa: E731
    return {
        "batch_size": options.batch_size,
        "workers": options.workers,
        "complexes": len(results),
        "docked": len(ok),
        "failed": {r.complex_name: r.error for r in results if r.status != "ok"},
        "wall_seconds": wall,
        "complexes_per_second": len(results) / wall,
        "seconds_per_complex": wall / len(results),
        "prepare_seconds_per_complex": total("seconds_prepare") / len(ok),
        "model_seconds_per_complex": total("seconds_model") / len(ok),
        "write_seconds_per_complex": total("seconds_write") / len(ok),
        "model_complexes_per_second": len(ok) / total("seconds_model"),
        "confidence": {r.complex_name: r.confidence_rmsd_angstrom for r in ok},
    }


def compare(runs: list[dict]) -> None:
    """Add each run's ratios to the batch-size-1 one-process run (or the first) and its
    largest confidence difference from it."""
    base = next((r for r in runs if r["batch_size"] == 1 and r["workers"] == 1), runs[0])
    for run in runs:
        run["speedup_vs_batch1"] = run["complexes_per_second"] / base["complexes_per_second"]
        run["model_speedup_vs_batch1"] = (
            run["model_complexes_per_second"] / base["model_complexes_per_second"]
        )
        shared = set(run["confidence"]) & set(base["confidence"])
        run["max_confidence_difference_vs_batch1"] = max(
            (abs(run["confidence"][k] - base["confidence"][k]) for k in shared), default=0.0
        )


def drug_like(count: int, root: Path) -> list[DockingRequest]:
    """Blind requests for the first `count` complexes with a drug-like ligand
    (`bench.docking.small_ligand_rows`)."""
    return requests_for(small_ligand_rows(data_folder(), count, DRUG_LIKE_SCAN, root), root)


def model_only(model, requests, sizes: list[int], device: str, repeats: int) -> list[dict]:
    """Median model seconds per complex for each batch size, on complexes prepared once."""
    proteins, seeds = ProteinCache(), range(1)
    prepared = []
    for request in requests:
        starts = start_conformers(request.ligand, seeds)
        result = DockingResult(request.complex_name)
        prepared.append(prepare(request, result, lambda s=starts: s, proteins))
    times: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(repeats):
        for size in sizes:
            began = time.perf_counter()
            for start in range(0, len(prepared), size):
                run_model(model, prepared[start : start + size], device)
            times[size].append((time.perf_counter() - began) / len(prepared))
    base = statistics.median(times[sizes[0]])
    return [
        {
            "batch_size": size,
            "complexes": len(prepared),
            "model_seconds_per_complex_median": statistics.median(times[size]),
            "model_seconds_per_complex_all": times[size],
            "ratio_to_first": statistics.median(times[size]) / base,
        }
        for size in sizes
    ]


def main() -> None:
    """Run the benchmark and save bench/results/docking_throughput_<device>.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--count", type=int, default=32, help="first N complexes of the index")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--samples", type=int, default=1)
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1, help="torch threads on CPU")
    parser.add_argument("--repeats", type=int, default=3, help="model-only timings per size")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = load_model(args.checkpoint or default_checkpoint(), device=args.device)
    runs = []
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        requests = requests_for(extract_slice(data_folder(), args.count, root), root)
        warm = DockingOptions(device=args.device, batch_size=min(8, len(requests)))
        dock_requests(requests[-warm.batch_size :], model, root / "warm", warm)
        for workers in args.workers:
            for size in args.batch_sizes:
                options = DockingOptions(
                    args.device, samples=args.samples, batch_size=size, workers=workers
                )
                runs.append(measure(model, requests, root / f"out{size}_{workers}", options))
                print(json.dumps({k: v for k, v in runs[-1].items() if k != "confidence"}))
        small = drug_like(args.count, root / "drug_like")
        sizes = sorted(set(args.batch_sizes))
        models = model_only(model, small, sizes, args.device, args.repeats)
    compare(runs)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "device": args.device,
        "machine": machine(args.device),
        "load_average_at_end": os.getloadavg(),
        "checkpoint": str(args.checkpoint or default_checkpoint().relative_to(ROOT)),
        "samples": args.samples,
        "runs": runs,
        "model_only_drug_like": models,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"docking_throughput_{args.device.split(':')[0]}.json"
    out.write_text(json.dumps(report, indent=2))
    for run in runs:
        print(
            f"batch {run['batch_size']:>4}, workers {run['workers']}: "
            f"{run['complexes_per_second']:.2f} complexes/s "
            f"(x{run['speedup_vs_batch1']:.2f}); per complex prepare "
            f"{run['prepare_seconds_per_complex']:.3f} s, model "
            f"{run['model_seconds_per_complex']:.4f} s (x{run['model_speedup_vs_batch1']:.2f}), "
            f"write {run['write_seconds_per_complex']:.3f} s; max confidence change "
            f"{run['max_confidence_difference_vs_batch1']:.1e}"
        )
    for run in models:
        print(
            f"model only, {run['complexes']} drug-like complexes, batch {run['batch_size']:>4}: "
            f"{run['model_seconds_per_complex_median']:.4f} s per complex "
            f"(x{run['ratio_to_first']:.2f} the time of batch {sizes[0]})"
        )
    print(f"saved {out}")


if __name__ == "__main__":
    main()
