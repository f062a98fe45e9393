"""A live `discover daemon` process: concurrency, failures, verbs, crashes and drains."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from discovery.daemon import Daemon, DaemonConfig
from discovery.jobs import cancel_job, pause_job, resume_job, submit_job
from discovery.testing import write_task
from memory import Store
from memory.jobs import JobQueue

FAST = {"sandbox": False, "timeout_seconds": 10}

SLOW_SPHERE = """
import time
def evaluate(candidate):
    time.sleep(0.03)
    return {"score": -sum((x - 0.3) ** 2 for x in candidate)}
"""

RAISING = """
def evaluate(candidate):
    raise RuntimeError("this evaluator always fails")
"""

PROCESS_KILLING = """
import os
def evaluate(candidate):
    os._exit(7)
"""


class LiveDaemon:
    """`discover daemon` in a child process, on a free loopback port, logging to a file."""

    def __init__(self, home, *options):
        self.home = home
        info = home / "daemon.json"
        info.unlink(missing_ok=True)
        command = [sys.executable, "-m", "discovery.cli", "daemon", "--home", str(home)]
        command += ["--port", "0", *map(str, options)]
        self.stderr = (home.parent / "daemon.err").open("ab")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self.stderr)
        wait_until(lambda: info.is_file(), self, what="the daemon to start")
        self.info = json.loads(info.read_text())

    def log(self):
        return (self.home.parent / "daemon.err").read_text()[-3000:]

    def stop(self, signum=signal.SIGTERM, timeout=60):
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()  # never leave a daemon behind a failed test
            self.process.wait()
            raise
        finally:
            self.stderr.close()


def wait_until(predicate, daemon=None, timeout=90, what="a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if daemon is not None and daemon.process.poll() is not None:
            raise AssertionError(f"the daemon exited while waiting for {what}: {daemon.log()}")
        time.sleep(0.1)
    log = daemon.log() if daemon is not None else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{log}")


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def store(home):
    home.mkdir(parents=True)
    store = Store.at_home(home)
    yield store
    store.close()


def job_state(store, job_id):
    return JobQueue(store).get(job_id).state


def evaluations(store, job):
    return store.get_run(job.run_id).evaluations


def assert_whole_history(store, job, total):
    records = list(store.history(job.run_id))
    assert [r.n for r in records] == list(range(1, total + 1))
    assert len({r.hash for r in records}) == total
    assert store.get_run(job.run_id).evaluations == total


def test_jobs_run_side_by_side_within_the_slots_and_finish(tmp_path, home, store):
    task = write_task(tmp_path / "task", evaluation=FAST, budget={"evaluations": 24})
    daemon = LiveDaemon(home, "--max-jobs", 2)
    try:
        jobs = [submit_job(store, task) for _ in range(3)]
        follow = subprocess.Popen(
            [sys.executable, "-m", "discovery.cli", "logs", jobs[2].id, "--follow"]
            + ["--home", str(home)],
            stdout=subprocess.PIPE,
            text=True,
        )
        wait_until(
            lambda: all(job_state(store, j.id) == "finished" for j in jobs), daemon, what="3 jobs"
        )
        followed, _ = follow.communicate(timeout=60)
        listed = httpx.get(daemon.info["url"] + "/api/jobs").json()
        second = subprocess.run(
            [sys.executable, "-m", "discovery.cli", "daemon", "--home", str(home), "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        daemon.stop()
    assert second.returncode == 1 and "already serves" in second.stderr
    assert f"run {jobs[2].run_id} finished (budget spent)" in followed  # --follow ends with it
    assert re.search(r"progress: \d+/24 evaluations \(\d+ invalid\), best -?[\d.e-]+", followed)
    assert {row["state"] for row in listed} == {"finished"}
    records = JobQueue(store).list_jobs()
    moments = sorted([(r.started_at, 1) for r in records] + [(r.finished_at, -1) for r in records])
    running = [sum(step for _, step in moments[: i + 1]) for i in range(len(moments))]
    assert max(running) == 2  # two at once, never three
    for job in jobs:
        assert_whole_history(store, job, 24)


def test_failing_jobs_fail_with_their_message_and_others_finish(tmp_path, home, store):
    good = write_task(tmp_path / "good", evaluation=FAST, budget={"evaluations": 16})
    bad_seed = write_task(tmp_path / "seed", RAISING, evaluation=FAST, seed=[[0.1, 0.2, 0.3, 0.4]])
    crashing = write_task(tmp_path / "crash", PROCESS_KILLING, evaluation=FAST)
    daemon = LiveDaemon(home, "--max-jobs", 2, "--max-attempts", 2)
    try:
        jobs = [submit_job(store, path) for path in (bad_seed, crashing, good)]
        queue = JobQueue(store)
        wait_until(
            lambda: all(queue.get(j.id).state in ("finished", "failed") for j in jobs),
            daemon,
            what="every job to end",
        )
    finally:
        daemon.stop()
    seed_job, crash_job, good_job = (queue.get(j.id) for j in jobs)
    assert seed_job.state == "failed" and "every seed candidate failed" in seed_job.message
    assert "always fails" in seed_job.message
    assert crash_job.state == "failed" and "died 2 times" in crash_job.message
    assert good_job.state == "finished"
    assert_whole_history(store, good_job, 16)


def test_pause_resume_and_cancel_a_running_job(tmp_path, home, store):
    task = write_task(tmp_path / "task", SLOW_SPHERE, evaluation=FAST, budget={"evaluations": 2000})
    daemon = LiveDaemon(home)
    try:
        job = submit_job(store, task)
        wait_until(lambda: evaluations(store, job) >= 8, daemon, what="8 evaluations")
        pause_job(store, job.id)
        wait_until(lambda: job_state(store, job.id) == "paused", daemon, what="the pause")
        frozen = evaluations(store, job)
        time.sleep(1.0)
        assert evaluations(store, job) == frozen
        resume_job(store, job.id)
        wait_until(lambda: evaluations(store, job) > frozen, daemon, what="work after resume")
        cancel_job(store, job.id)
        wait_until(lambda: job_state(store, job.id) == "cancelled", daemon, what="the cancel")
    finally:
        daemon.stop()
    assert_whole_history(store, job, evaluations(store, job))
    assert store.get_run(job.run_id).status == "stopped"


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = open(f"/proc/{pid}/status").read()
    return "State:\tZ" not in status


def test_sigkill_of_the_daemon_then_restart_loses_and_doubles_nothing(tmp_path, home, store):
    task = write_task(tmp_path / "task", SLOW_SPHERE, evaluation=FAST, budget={"evaluations": 80})
    daemon = LiveDaemon(home)
    job = submit_job(store, task)
    wait_until(lambda: evaluations(store, job) >= 12, daemon, what="12 evaluations")
    child = JobQueue(store).get(job.id).pid
    daemon.stop(signal.SIGKILL)
    wait_until(lambda: not process_alive(child), what="the job process to die with the daemon")
    assert job_state(store, job.id) == "running"  # as the killed daemon left it
    restarted = LiveDaemon(home)
    try:
        wait_until(lambda: job_state(store, job.id) == "finished", restarted, what="the finish")
    finally:
        restarted.stop()
    assert_whole_history(store, job, 80)
    assert JobQueue(store).get(job.id).attempts == 0  # a daemon crash is not the job's fault


def test_sigterm_drains_running_jobs_back_to_queued_and_they_resume(tmp_path, home, store):
    task = write_task(tmp_path / "task", SLOW_SPHERE, evaluation=FAST, budget={"evaluations": 60})
    daemon = LiveDaemon(home)
    job = submit_job(store, task)
    wait_until(lambda: evaluations(store, job) >= 8, daemon, what="8 evaluations")
    assert daemon.stop(signal.SIGTERM) == 0
    assert job_state(store, job.id) == "queued"
    assert store.get_run(job.run_id).status == "stopped"
    restarted = LiveDaemon(home)
    try:
        wait_until(lambda: job_state(store, job.id) == "finished", restarted, what="the finish")
    finally:
        restarted.stop()
    assert_whole_history(store, job, 60)


@pytest.mark.parametrize(
    "count",
    [pytest.param(10, id="10-jobs"), pytest.param(50, id="50-jobs", marks=pytest.mark.slow)],
)
def test_many_jobs_submitted_at_once_are_all_accepted_and_finish(tmp_path, home, store, count):
    task = write_task(tmp_path / "task", evaluation=FAST, budget={"evaluations": 20})
    daemon = LiveDaemon(home, "--max-jobs", 2)
    try:
        jobs = [submit_job(store, task, name=f"load-{i}") for i in range(count)]
        wait_until(
            lambda: all(job_state(store, j.id) == "finished" for j in jobs),
            daemon,
            timeout=30 + 6 * count,
            what=f"{count} jobs",
        )
    finally:
        daemon.stop()
    for job in jobs:
        assert_whole_history(store, job, 20)


def crashed_daemon_left(store, task, run_status, request=None):
    """A job claimed by a daemon that died: running, no process, run in `run_status`."""
    job = submit_job(store, task)
    queue = JobQueue(store)
    queue.claim_next()
    queue.transition(job.id, ("running",), pid=2**22 + 1, request=request)
    store.set_status(job.run_id, run_status, "budget spent" if run_status == "finished" else "")
    return job


@pytest.mark.parametrize(
    ("run_status", "asked", "state"),
    [
        ("finished", None, "finished"),  # it ended just before the daemon died
        ("running", None, "queued"),
        ("starting", None, "queued"),
        ("running", "pause", "paused"),
        ("running", "cancel", "cancelled"),
    ],
)
def test_recovery_settles_what_a_dead_daemon_left_running(
    tmp_path, home, store, run_status, asked, state
):
    task = write_task(tmp_path / "task", evaluation=FAST)
    job = crashed_daemon_left(store, task, run_status, asked)
    recovered = Daemon(DaemonConfig(home=home)).recover()
    record = JobQueue(store).get(job.id)
    assert recovered == [job.id]
    assert (record.state, record.pid, record.request, record.attempts) == (state, None, None, 0)


def test_a_killed_launcher_is_replaced_and_its_job_resumes(tmp_path, home, store):
    task = write_task(tmp_path / "task", SLOW_SPHERE, evaluation=FAST, budget={"evaluations": 60})
    daemon = LiveDaemon(home)
    try:
        job = submit_job(store, task)
        wait_until(lambda: evaluations(store, job) >= 8, daemon, what="8 evaluations")
        pid = daemon.process.pid
        (launcher,) = map(int, open(f"/proc/{pid}/task/{pid}/children").read().split())
        os.kill(launcher, signal.SIGKILL)
        wait_until(lambda: job_state(store, job.id) == "finished", daemon, what="the finish")
    finally:
        daemon.stop()
    assert_whole_history(store, job, 60)
    assert JobQueue(store).get(job.id).attempts == 1  # the job process died with it
