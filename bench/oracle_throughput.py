"""Oracle calls per second through the platform vs the same oracle in a plain loop.

Three oracles: two RDKit objectives of the PMO set (`molopt.evaluate`: ``qed`` and
``celecoxib_rediscovery``, milliseconds per call) and the AutoDock Vina docking score on the
DOCKSTRING target F2 (`molopt.vina.evaluate`, seconds per call). For each, a real run of the
task (`discovery.runner.run_task`: graph GA proposals, the sandbox pool with `--workers`
warm zygotes forking one confined child per evaluation, the SQLite memory bank) is timed from
start to end, zygote start-up included. The peer baseline is the same evaluator called
directly, in one process, on the very SMILES that run evaluated, in a plain loop (imports
done before the clock starts). The ratio platform / loop is the speed-up the pool's
parallelism buys minus what isolation, proposals and storage cost.

    .venv/bin/python -m bench.oracle_throughput --workers 2 --rdkit-evaluations 700 \\
        --vina-evaluations 16 --vina-exhaustiveness 1
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.record import now, save_record
from discovery.runner import run_task
from discovery.spec import TaskSpec, load_task
from memory import Store
from memory.store import sqlite_url

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def with_settings(spec: TaskSpec, workers: int, params: dict[str, Any]) -> TaskSpec:
    """`spec` with `workers` sandbox workers and extra evaluator `params`."""
    evaluation = spec.evaluation.model_copy(update={"workers": workers, "sandbox": True})
    return spec.model_copy(update={"evaluation": evaluation, "params": {**spec.params, **params}})


def through_platform(spec: TaskSpec, evaluations: int) -> tuple[dict[str, Any], list[str]]:
    """Time one `run_task` of `evaluations`; also return the SMILES it evaluated, in order."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(sqlite_url(Path(folder) / "store.db"))
        start = time.perf_counter()
        result = run_task(spec, store, Path(folder) / "results", evaluations=evaluations, seed=0)
        seconds = time.perf_counter() - start
        history = list(store.history(result.run_id))
        store.close()
    smiles = [record.content for record in history]
    figures = {
        "evaluations": len(history),
        "valid": sum(record.valid for record in history),
        "seconds": round(seconds, 2),
        "per_second": round(len(history) / seconds, 3),
    }
    return figures, smiles


def plain_loop(spec: TaskSpec, smiles: list[str]) -> dict[str, Any]:
    """Call the task's evaluator on `smiles` one after another in this process."""
    module, function = spec.evaluator.split(":")
    evaluate = getattr(importlib.import_module(module), function)
    start = time.perf_counter()
    for text in smiles:
        evaluate(text, **spec.params)
    seconds = time.perf_counter() - start
    return {
        "evaluations": len(smiles),
        "seconds": round(seconds, 2),
        "per_second": round(len(smiles) / seconds, 3),
    }


def measure(name: str, spec: TaskSpec, evaluations: int) -> dict[str, Any]:
    """Platform and plain-loop rates of one oracle, and their ratio."""
    platform_figures, smiles = through_platform(spec, evaluations)
    loop = plain_loop(spec, smiles)
    ratio = round(platform_figures["per_second"] / loop["per_second"], 3)
    print(
        f"{name:>24}: platform {platform_figures['per_second']:9.3f}/s, "
        f"plain loop {loop['per_second']:9.3f}/s, ratio {ratio:.3f} "
        f"({platform_figures['evaluations']} evaluations, {platform_figures['valid']} valid)"
    )
    return {"params": spec.params, "platform": platform_figures, "plain_loop": loop, "ratio": ratio}


def main() -> None:
    """Measure the three oracles and save the figures as JSON."""
    for variable in THREAD_VARIABLES:  # one BLAS thread here too, as in sandbox workers
        os.environ.setdefault(variable, "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rdkit-evaluations", type=int, default=700)
    parser.add_argument("--vina-evaluations", type=int, default=16)
    parser.add_argument("--vina-exhaustiveness", type=int, default=1)
    parser.add_argument("--label", default="current", help="name of this measurement in the JSON")
    args = parser.parse_args()
    pmo, dockstring = ROOT / "tasks" / "pmo", ROOT / "tasks" / "dockstring"
    runs = {
        "qed": (load_task(pmo / "qed.yaml"), {}, args.rdkit_evaluations),
        "celecoxib_rediscovery": (
            load_task(pmo / "celecoxib_rediscovery.yaml"),
            {},
            args.rdkit_evaluations,
        ),
        f"vina_F2_exh{args.vina_exhaustiveness}": (
            load_task(dockstring / "f2_docking.yaml"),
            {"exhaustiveness": args.vina_exhaustiveness},
            args.vina_evaluations,
        ),
    }
    load_before = os.getloadavg()
    figures = {
        name: measure(name, with_settings(spec, args.workers, params), evaluations)
        for name, (spec, params, evaluations) in runs.items()
        if evaluations > 0  # 0 skips that oracle
    }
    record = {
        "label": args.label,
        "date": now(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "workers": args.workers,
        "figures": figures,
    }
    save_record("oracle_throughput", args.label, record)


if __name__ == "__main__":
    main()
