"""Throughput of the sandbox: evaluations per second through `SandboxPool`.

Four evaluators: `trivial` (no imports, returns a constant), `scipy_lp` (imports
scipy.optimize, solves a one-variable linear program: the import dominates), the
evaluator of tasks/circle_packing (scipy; a linear program and an SLSQP polish: the
evaluation itself dominates) and that of tasks/circle_packing_program on its seed program
(which runs each candidate in a second confined process through `science.run_candidate`,
where the checkout measured has it). For each, the same jobs also go through `InProcessPool` (no
isolation) as the peer baseline, so the figure shows what the sandbox costs. BLAS and
OpenMP run one thread everywhere (as in the sandbox workers), so that the comparison is of
isolation, not of threading. Start-up (the first 2 x workers jobs) is timed apart.

    .venv/bin/python -m bench.sandbox_throughput --evaluations 200 --workers 2
"""

from __future__ import annotations

import argparse
import importlib
import os
import tempfile
import time
from pathlib import Path

from bench.record import machine, now, save_record
from science import EvaluatorRef, InProcessPool, Job, Limits, SandboxPool

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = "def evaluate(candidate):\n    return {'score': float(len(candidate))}\n"
SCIPY_LP = """from scipy.optimize import linprog


def evaluate(candidate):
    return {"score": float(-linprog([-1.0], bounds=[(0, candidate[0])], method="highs").fun)}
"""
CIRCLES = 26
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def file_jobs(folder: Path, source: str, count: int, limits: Limits) -> list[Job]:
    """Jobs for an evaluator `source` written into `folder`, candidates [1.0], [2.0], ..."""
    path = folder / f"evaluator_{abs(hash(source))}.py"
    path.write_text(source)
    ref = EvaluatorRef(target=str(path), function="evaluate", is_file=True)
    return [Job(ref, [float(i + 1)], "vector", {}, limits) for i in range(count)]


def circle_jobs(count: int, limits: Limits) -> list[Job]:
    """Jobs for tasks/circle_packing (random centres, seeded)."""
    ref = EvaluatorRef.parse("evaluator.py:evaluate", ROOT / "tasks" / "circle_packing")
    rng = importlib.import_module("numpy").random.default_rng(0)
    return [
        Job(ref, rng.uniform(0.05, 0.95, 2 * CIRCLES).tolist(), "vector", {"n": CIRCLES}, limits)
        for _ in range(count)
    ]


def program_jobs(count: int, limits: Limits) -> list[Job]:
    """Jobs for tasks/circle_packing_program: its seed program, `count` times."""
    folder = ROOT / "tasks" / "circle_packing_program"
    ref = EvaluatorRef.parse("evaluator.py:evaluate", folder)
    seed = (folder / "seed_program.py").read_text()
    return [Job(ref, seed, "program", {"n": CIRCLES}, limits) for _ in range(count)]


def rate(pool: SandboxPool | InProcessPool, jobs: list[Job], warmup: int) -> dict[str, float]:
    """Time `warmup` jobs (pool start, imports) and then the rest; evaluations per second."""
    start = time.perf_counter()
    first = pool.evaluate(jobs[:warmup])
    warm = time.perf_counter()
    rest = pool.evaluate(jobs[warmup:])
    end = time.perf_counter()
    verdicts = first + rest
    invalid = [v.error for v in verdicts if not v.valid and v.error]
    if invalid:
        raise SystemExit(f"unexpected sandbox failure: {invalid[0]}")
    return {
        "warmup_jobs": warmup,
        "warmup_seconds": round(warm - start, 4),
        "jobs": len(rest),
        "seconds": round(end - warm, 4),
        "per_second": round(len(rest) / (end - warm), 1),
    }


def measure(name: str, jobs: list[Job], workers: int) -> dict[str, object]:
    """Sandboxed and in-process rates for one list of jobs."""
    warmup = 2 * workers
    with SandboxPool(workers) as pool:
        sandbox = rate(pool, jobs, warmup)
    with tempfile.TemporaryDirectory() as folder, InProcessPool(Path(folder)) as pool:
        inprocess = rate(pool, jobs, warmup)
    print(
        f"{name:>15}: sandbox {sandbox['per_second']:8.1f}/s "
        f"(first {warmup} jobs {sandbox['warmup_seconds']:.2f} s), "
        f"in-process {inprocess['per_second']:8.1f}/s"
    )
    return {"sandbox": sandbox, "in_process": inprocess}


def main() -> None:
    """Run both evaluators and save the figures as JSON."""
    for variable in THREAD_VARIABLES:  # one BLAS thread here too, as in sandbox workers
        os.environ.setdefault(variable, "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--label", default="current", help="name of this measurement in the JSON")
    args = parser.parse_args()
    limits = Limits(timeout_seconds=20, memory_mb=1024)
    with tempfile.TemporaryDirectory() as folder:
        figures = {
            "trivial": measure(
                "trivial", file_jobs(Path(folder), TRIVIAL, args.evaluations, limits), args.workers
            ),
            "scipy_lp": measure(
                "scipy_lp",
                file_jobs(Path(folder), SCIPY_LP, args.evaluations, limits),
                args.workers,
            ),
            "circle_packing": measure(
                "circle_packing", circle_jobs(args.evaluations, limits), args.workers
            ),
            "circle_packing_program": measure(
                "program", program_jobs(args.evaluations, limits), args.workers
            ),
        }
    record = {
        "label": args.label,
        "date": now(),
        "machine": machine(),
        "workers": args.workers,
        "evaluations": args.evaluations,
        "figures": figures,
    }
    save_record("sandbox_throughput", args.label, record)


if __name__ == "__main__":
    main()
