"""What the live daemon's processes show and leave: no secret on a command line, no
process of a dead daemon's job surviving the restart."""

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from discovery.jobs import submit_job
from discovery.testing import write_task
from memory import Store
from memory.jobs import JobQueue
from science.sandbox.cgroup import is_available as has_pids_cgroups
from tests.discovery.test_daemon import SLOW_SPHERE, LiveDaemon, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

HOLDING = """
import os, subprocess, sys, time
HOLD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hold")
WAIT = f"import os, time\\nwhile os.path.exists({HOLD!r}): time.sleep(0.1)"

def evaluate(candidate):
    try:  # a grandchild that leaves the candidate's session and drops its environment
        subprocess.Popen([sys.executable, "-c", WAIT], start_new_session=True, env={},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        pass
    while os.path.exists(HOLD):
        time.sleep(0.1)
    return {"score": -sum((x - 0.3) ** 2 for x in candidate)}
"""


def descendants(pid):
    """Every live descendant of `pid` as (pid, start time), read from /proc."""
    found, pending = [], [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if (stamp := start_time(child)) is not None:
                    found.append((child, stamp))
                    pending.append(child)
    return found


def start_time(pid):
    """The process's start time (clock ticks since boot), None if gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else int(fields[19])


def alive(processes):
    return [(pid, stamp) for pid, stamp in processes if start_time(pid) == stamp]


def command_line(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def environment(pid):
    try:
        return Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def test_no_secret_on_any_command_line_of_the_daemon_and_its_jobs(tmp_path, monkeypatch):
    token = "tok-" + secrets.token_hex(8)
    url = f"sqlite:///{tmp_path / ('store-' + secrets.token_hex(6) + '.db')}"
    url_file = tmp_path / "db-url"
    url_file.write_text(url + "\n")
    url_file.chmod(0o600)
    monkeypatch.setenv("DISCOVERY_TOKEN", token)
    home = tmp_path / "home"
    home.mkdir()
    store = Store(url)
    task = write_task(tmp_path / "task", SLOW_SPHERE, budget={"evaluations": 4000})
    daemon = LiveDaemon(home, "--db-file", url_file)
    try:
        job = submit_job(store, task)
        wait_until(lambda: store.get_run(job.run_id).evaluations >= 8, daemon, what="8 evaluations")
        processes = [pid for pid, _ in descendants(daemon.process.pid)]
        commands = {pid: command_line(pid) for pid in [daemon.process.pid, *processes]}
        environments = {pid: environment(pid) for pid in processes}
        api = daemon.info["url"] + "/api/jobs"
        refused = httpx.get(api).status_code
        served = httpx.get(api, headers={"Authorization": f"Bearer {token}"}).status_code
    finally:
        daemon.stop()
        store.close()
    assert any("discovery.launcher" in c for c in commands.values())
    assert any("science.sandbox.worker" in c for c in commands.values())  # the sandbox's too
    assert JobQueue(Store(url)).get(job.id).pid is None  # the URL reached the job: it ran
    for pid, command in commands.items():
        assert token not in command and url not in command, (pid, command)
    for pid, variables in environments.items():  # the job side never holds the token
        assert token not in variables and url not in variables, (pid, command_line(pid))
    assert (refused, served) == (401, 200)


def test_a_token_file_readable_by_others_is_refused(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret")
    token_file.chmod(0o644)
    done = subprocess.run(
        [sys.executable, "-m", "discovery.cli", "daemon", "--home", str(tmp_path / "home")]
        + ["--port", "0", "--token-file", str(token_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "chmod 600" in done.stderr
    assert "s3cret" not in done.stderr


def test_a_restart_after_sigkill_kills_every_process_the_old_job_left(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    store = Store.at_home(home)
    folder = tmp_path / "task"
    hold = folder / "hold"
    task = write_task(
        folder,
        HOLDING,
        budget={"evaluations": 8},
        engine={"islands": 1, "batch_size": 4},
        evaluation={"timeout_seconds": 300},
    )
    hold.touch()
    daemon = LiveDaemon(home)
    old = []
    try:
        job = submit_job(store, task)

        def grandchild_started():
            old[:] = descendants(daemon.process.pid)
            return any("while os.path.exists" in command_line(pid) for pid, _ in old)

        wait_until(grandchild_started, daemon, what="a candidate's detached grandchild")
        first = JobQueue(store).get(job.id).pid
        daemon.stop(signal.SIGKILL)
        wait_until(lambda: start_time(first) is None, what="the job process to die")
        left = alive(old)
        assert any("science.sandbox.worker" in command_line(pid) for pid, _ in left)  # the probe
        assert any("while os.path.exists" in command_line(pid) for pid, _ in left)
        restarted = LiveDaemon(home)
        try:
            wait_until(
                lambda: JobQueue(store).get(job.id).pid not in (None, first),
                restarted,
                what="the job to run again",
            )
            survivors = [command_line(pid) for pid, _ in alive(old)]
            hold.unlink()
            wait_until(
                lambda: JobQueue(store).get(job.id).state == "finished",
                restarted,
                what="the finish",
            )
        finally:
            restarted.stop()
    finally:
        hold.unlink(missing_ok=True)
        for pid, _ in alive(old):  # never leave a failed test's processes behind
            os.kill(pid, signal.SIGKILL)
        store.close()
    if not has_pids_cgroups():  # documented: only the cgroup reaches a grandchild that
        # left its session and dropped its environment
        survivors = [command for command in survivors if "while os.path" not in command]
    assert survivors == []
    assert store.get_run(job.run_id).evaluations == 8
