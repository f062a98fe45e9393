"""Load on the daemon: many small jobs submitted at once, run two at a time.

`--jobs` copies of a tiny vector task (20 evaluations, in-process evaluator) are submitted
in one burst to a `discover daemon --max-jobs 2` (2 cores); the figure is the time from the
first submission until every job has finished, and whether every job's history is whole.
The peer baseline runs the same jobs one after another with `run_task` in one process
(no job processes, no queue), so the difference is what the daemon costs per job.

    .venv/bin/python -m bench.daemon_load --jobs 50
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.daemon_crash import start_daemon, write_task
from discovery.jobs import job_spec, submit_job
from discovery.runner import run_task
from memory import Store
from memory.jobs import JobQueue

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "daemon_load.json"


def through_daemon(folder: Path, task: Path, count: int, slots: int) -> dict[str, Any]:
    """Submit `count` jobs at once to a live daemon; time until all have finished."""
    home = folder / "daemon"
    home.mkdir()
    store = Store.at_home(home)
    daemon = start_daemon(home, folder / "daemon.log", "--max-jobs", str(slots))
    started = time.monotonic()
    jobs = [submit_job(store, task, name=f"load-{i}") for i in range(count)]
    submitted = time.monotonic() - started
    queue = JobQueue(store)
    while any(queue.get(job.id).state not in ("finished", "failed") for job in jobs):
        time.sleep(0.2)
    seconds = time.monotonic() - started
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(120)
    whole = sum([r.n for r in store.history(job.run_id)] == list(range(1, 21)) for job in jobs)
    return {
        "seconds": seconds,
        "submit_seconds": submitted,
        "finished": sum(queue.get(job.id).state == "finished" for job in jobs),
        "whole_histories": whole,
    }


def in_one_process(folder: Path, task: Path, count: int) -> dict[str, Any]:
    """The same jobs, one after another, with `run_task` in this process."""
    home = folder / "serial"
    store = Store.at_home(home)
    started = time.monotonic()
    for index in range(count):
        job = submit_job(store, task, name=f"serial-{index}")
        run_task(job_spec(store, job), store, home / "results", resume=job.run_id)
    return {"seconds": time.monotonic() - started}


def main() -> None:
    """Measure both ways; print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--slots", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        task = write_task(folder / "task", evaluations=20, sleep_seconds=0.0)
        daemon = through_daemon(folder, task, args.jobs, args.slots)
        serial = in_one_process(folder, task, args.jobs)
    summary = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "jobs": args.jobs,
        "slots": args.slots,
        "evaluations_per_job": 20,
        "daemon": daemon,
        "baseline_run_task_serial": serial,
        "daemon_seconds_per_job": daemon["seconds"] / args.jobs,
        "baseline_seconds_per_job": serial["seconds"] / args.jobs,
    }
    print(json.dumps(summary, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
