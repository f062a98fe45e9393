"""Crash safety of the daemon: SIGKILL it at random moments, restart, check every history.

Each trial submits one job (a 4-d sphere vector task, in-process evaluator that sleeps a
little, so a job lasts several seconds), then repeatedly starts `discover daemon`, waits a
random time (a quarter of the kills in its first second, the rest while it serves) and
SIGKILLs it, until the job finishes. After each kill it checks that the
job's process died with the daemon. At the end every job's history must be n = 1..N
contiguous with unique hashes and exactly N evaluations. The peer baseline is the same
job (same task, same seed) run by a daemon that is never killed: its wall time, and its
history, which a resumed run should reproduce candidate for candidate (the engine is
deterministic given its seed and resumes from the store alone).

    .venv/bin/python bench/daemon_crash.py --kills 20
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from discovery.jobs import submit_job
from memory import Store
from memory.jobs import JobQueue

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "daemon_crash.json"
EVALUATOR = """
import time
def evaluate(candidate):
    time.sleep({sleep_seconds})
    return {{"score": -sum((x - 0.3) ** 2 for x in candidate)}}
"""


def write_task(folder: Path, evaluations: int, sleep_seconds: float = 0.01) -> Path:
    """The benchmark task: a 4-d sphere, evaluated in the job's process."""
    folder.mkdir(parents=True, exist_ok=True)
    source = EVALUATOR.format(sleep_seconds=sleep_seconds)
    (folder / "evaluator.py").write_text(textwrap.dedent(source))
    task = {
        "name": "crash-sphere",
        "representation": "vector",
        "evaluator": "evaluator.py:evaluate",
        "objective": {"metric": "score", "direction": "maximize"},
        "vector": {"size": 4, "low": 0.0, "high": 1.0},
        "budget": {"evaluations": evaluations},
        "evaluation": {"sandbox": False, "timeout_seconds": 10},
        "engine": {"islands": 2, "batch_size": 4},
    }
    path = folder / "task.yaml"
    path.write_text(yaml.safe_dump(task))
    return path


def start_daemon(home: Path, log: Path, *options: str) -> subprocess.Popen[bytes]:
    """`discover daemon` on its home, without HTTP, logging to `log`."""
    command = [sys.executable, "-m", "discovery.cli", "daemon", "--home", str(home), "--no-http"]
    command += options
    with log.open("ab") as handle:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=handle)


def is_alive(pid: int | None) -> bool:
    """True if `pid` runs and is not a zombie."""
    if pid is None:
        return False
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def wait_state(queue: JobQueue, job_id: str, states: set[str], timeout: float) -> float:
    """Seconds until the job reaches one of `states`; raises after `timeout`."""
    start = time.monotonic()
    while queue.get(job_id).state not in states:
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"job {job_id} still {queue.get(job_id).state} after {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - start


def history_check(store: Store, run_id: str, total: int) -> dict[str, Any]:
    """Whether the run's history is whole: contiguous n, unique hashes, `total` rows."""
    records = list(store.history(run_id))
    numbers = [r.n for r in records]
    return {
        "evaluations": len(records),
        "contiguous": numbers == list(range(1, len(records) + 1)),
        "unique_hashes": len({r.hash for r in records}) == len(records),
        "complete": len(records) == total == store.get_run(run_id).evaluations,
        "hashes": [r.hash for r in records],
    }


def baseline(folder: Path, task: Path, total: int) -> dict[str, Any]:
    """The same job under a daemon that is never killed."""
    home = folder / "baseline"
    home.mkdir()
    store = Store.at_home(home)
    daemon = start_daemon(home, folder / "baseline.log")
    job = submit_job(store, task)
    seconds = wait_state(JobQueue(store), job.id, {"finished", "failed"}, timeout=600)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(60)
    return {"seconds": seconds, **history_check(store, job.run_id, total)}


def wait_ready(home: Path, daemon: subprocess.Popen[bytes], timeout: float = 600) -> None:
    """Block until this daemon has recovered and serves (it writes HOME/daemon.json)."""
    info = home / "daemon.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if info.is_file() and f'"pid": {daemon.pid},' in info.read_text():
            return
        if daemon.poll() is not None:
            raise RuntimeError(f"the daemon exited with {daemon.returncode} before serving")
        time.sleep(0.02)
    raise RuntimeError(f"the daemon did not serve within {timeout} s")


def crash_trial(
    folder: Path, task: Path, total: int, rng: random.Random, args: argparse.Namespace
) -> dict[str, Any]:
    """One job driven to its end through SIGKILLs of the daemon at random moments.

    A share `args.startup_share` of the kills land in the daemon's first second (imports,
    recovery of the previous crash); the others at a uniform moment in `[0, max_wait]`
    seconds after it serves (job start-up, evaluation, the store's writes).
    """
    home = folder / f"trial-{rng.random():.8f}"
    home.mkdir()
    store = Store.at_home(home)
    queue = JobQueue(store)
    job = submit_job(store, task)
    kills: list[dict[str, Any]] = []
    started = time.monotonic()
    while queue.get(job.id).state not in ("finished", "failed"):
        daemon = start_daemon(home, folder / "trial.log")
        during_startup = rng.random() < args.startup_share
        if not during_startup:
            wait_ready(home, daemon)
        moment = rng.uniform(0.0, 1.0 if during_startup else args.max_wait)
        deadline = time.monotonic() + moment
        while time.monotonic() < deadline and queue.get(job.id).state not in ("finished", "failed"):
            time.sleep(0.02)
        if queue.get(job.id).state in ("finished", "failed"):
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(120)
            break
        child = queue.get(job.id).pid
        daemon.kill()
        daemon.wait()
        time.sleep(0.5)
        kills.append(
            {
                "when": "startup" if during_startup else "serving",
                "seconds": round(moment, 3),
                "evaluations_done": store.get_run(job.run_id).evaluations,
                "leftover_process": is_alive(child),
            }
        )
    return {
        "state": queue.get(job.id).state,
        "kills": len(kills),
        "leftover_processes": sum(k["leftover_process"] for k in kills),
        "kill_log": kills,
        "seconds": time.monotonic() - started,
        **history_check(store, job.run_id, total),
    }


def main() -> None:
    """Run trials until `--kills` SIGKILLs have happened; print and save the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--evaluations", type=int, default=200)
    parser.add_argument(
        "--max-wait", type=float, default=8.0, help="latest kill, seconds after serving"
    )
    parser.add_argument(
        "--startup-share", type=float, default=0.25, help="share of kills during start-up"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        task = write_task(folder / "task", args.evaluations)
        peer = baseline(folder, task, args.evaluations)
        trials = []
        while sum(t["kills"] for t in trials) < args.kills:
            trials.append(crash_trial(folder, task, args.evaluations, rng, args))
            last = trials[-1]
            print(
                f"trial {len(trials)}: {last['kills']} kills, {last['state']}, "
                f"{last['evaluations']} evaluations, contiguous={last['contiguous']}, "
                f"unique={last['unique_hashes']}, leftovers={last['leftover_processes']}"
            )
    for trial in trials:
        trial["same_as_uninterrupted"] = trial["hashes"] == peer["hashes"]
        trial["killed_mid_run"] = any(
            0 < k["evaluations_done"] < args.evaluations for k in trial["kill_log"]
        )
    for trial in [peer, *trials]:
        trial.pop("hashes")
    summary = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "evaluations_per_job": args.evaluations,
        "kills": sum(t["kills"] for t in trials),
        "kills_during_startup": sum(k["when"] == "startup" for t in trials for k in t["kill_log"]),
        "jobs": len(trials),
        "jobs_finished": sum(t["state"] == "finished" for t in trials),
        "jobs_whole_history": sum(
            t["contiguous"] and t["unique_hashes"] and t["complete"] for t in trials
        ),
        "kills_mid_run": sum(
            0 < k["evaluations_done"] < args.evaluations for t in trials for k in t["kill_log"]
        ),
        "jobs_same_history_as_uninterrupted": sum(t["same_as_uninterrupted"] for t in trials),
        "jobs_killed_mid_run": sum(t["killed_mid_run"] for t in trials),
        "jobs_killed_mid_run_same_history": sum(
            t["killed_mid_run"] and t["same_as_uninterrupted"] for t in trials
        ),
        "leftover_processes": sum(t["leftover_processes"] for t in trials),
        "baseline_seconds": round(peer["seconds"], 2),
        "trial_seconds_mean": round(sum(t["seconds"] for t in trials) / len(trials), 2),
        "baseline": peer,
        "trials": trials,
    }
    print(
        json.dumps({k: v for k, v in summary.items() if k not in ("trials", "baseline")}, indent=2)
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
