"""`discover` as users call it: a real process, exit codes, JSON, results, kill and resume."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from discovery.testing import write_task
from memory import Store

SLOW_SPHERE = """
import time
def evaluate(candidate):
    time.sleep(0.02)
    return {"score": -sum((x - 0.3) ** 2 for x in candidate)}
"""


def discover(*args, home, check=True, timeout=120):
    command = [sys.executable, "-m", "discovery.cli", *map(str, args), "--home", str(home)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


def start(*args, home):
    command = [sys.executable, "-m", "discovery.cli", *map(str, args), "--home", str(home)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_evaluations(home, count, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"discover exited early: {process.communicate()[1][-2000:]}")
        if (home / "discovery.db").exists():
            store = Store.at_home(home)
            runs = store.list_runs()
            done = runs[0].evaluations if runs else 0
            store.close()
            if done >= count:
                return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} evaluations after {timeout} s")


def stored_history(home):
    store = Store.at_home(home)
    (run,) = store.list_runs()
    records = list(store.history(run.id))
    store.close()
    return run, records


def test_run_json_last_line_has_the_stable_keys_and_results_folder(tmp_path):
    task = write_task(tmp_path / "task")
    out = discover("run", task, "--evaluations", 24, "--seed", 3, "--json", home=tmp_path / "h")
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"run", "status", "evaluations", "best", "results"} <= set(report)
    assert report["status"] == "finished" and report["evaluations"] == 24
    assert "score" in report["best"]["metrics"] and report["best"]["candidate"].startswith("[")
    folder = tmp_path / "h" / "results" / report["run"]
    for name in ["best.json", "history.csv", "history.jsonl", "curve.png", "report.md"]:
        assert (folder / name).stat().st_size > 0, name


def test_history_csv_has_one_row_per_evaluation_in_order(tmp_path):
    task = write_task(tmp_path / "task")
    home = tmp_path / "h"
    run_id = json.loads(discover("run", task, "--json", home=home).stdout.splitlines()[-1])["run"]
    rows = list(csv.DictReader(io.StringIO(discover("history", run_id, home=home).stdout)))
    assert list(rows[0])[:4] == ["n", "candidate", "valid", "error"]
    assert "score" in rows[0]
    assert [int(r["n"]) for r in rows] == list(range(1, 41))
    lines = discover("history", run_id, "--format", "jsonl", home=home).stdout.splitlines()
    assert [json.loads(line)["n"] for line in lines] == list(range(1, 41))


def test_best_and_runs_show_the_run(tmp_path):
    task = write_task(tmp_path / "task")
    home = tmp_path / "h"
    run_id = json.loads(discover("run", task, "--json", home=home).stdout.splitlines()[-1])["run"]
    assert "# score = " in discover("best", run_id, home=home).stdout
    listed = json.loads(discover("runs", "--json", home=home).stdout)
    assert listed[0]["run"] == run_id and listed[0]["status"] == "finished"


def test_broken_yaml_exits_2_naming_the_file(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_text("name: [unclosed\n")
    result = discover("run", path, home=tmp_path / "h", check=False)
    assert result.returncode == 2
    assert str(path) in result.stderr and "not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_run_is_a_one_line_error(tmp_path):
    result = discover("best", "nope", home=tmp_path / "h", check=False)
    assert result.returncode == 1
    assert "no run 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_kill_9_then_same_command_resumes_without_gaps_or_repeats(tmp_path):
    task = write_task(tmp_path / "task", source=SLOW_SPHERE, budget={"evaluations": 80})
    home = tmp_path / "h"
    process = start("run", task, home=home)
    wait_for_evaluations(home, 20, process)
    process.kill()
    process.wait()
    discover("run", task, home=home)
    run, records = stored_history(home)
    assert run.status == "finished"
    assert [c.n for c in records] == list(range(1, 81))
    assert len({c.hash for c in records}) == 80


@pytest.mark.parametrize(
    ("stop", "said"),
    [(signal.SIGINT, "interrupted (Ctrl-C)"), (signal.SIGTERM, "terminated (SIGTERM)")],
    ids=["ctrl-c", "kill"],
)
def test_ctrl_c_or_kill_stops_cleanly_and_writes_results(tmp_path, stop, said):
    task = write_task(tmp_path / "task", source=SLOW_SPHERE, budget={"evaluations": 400})
    home = tmp_path / "h"
    process = start("run", task, "--json", home=home)
    wait_for_evaluations(home, 12, process)
    process.send_signal(stop)
    stdout, _ = process.communicate(timeout=60)
    report = json.loads(stdout.strip().splitlines()[-1])
    assert process.returncode == 0
    assert report["status"] == "stopped" and report["message"].startswith(said)
    assert (home / "results" / report["run"] / "history.csv").exists()
    assert os.path.exists(home / "discovery.db")


def test_same_command_on_a_finished_run_shows_it_instead_of_starting_over(tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 12})
    home = tmp_path / "h"
    first = json.loads(discover("run", task, "--json", home=home).stdout.splitlines()[-1])
    again = json.loads(discover("run", task, "--json", home=home).stdout.splitlines()[-1])
    assert again["run"] == first["run"] and again["evaluations"] == 12
    assert again["best"] == first["best"] and "done earlier" in again["message"]
    assert len(Store.at_home(home).list_runs()) == 1


def test_a_larger_budget_continues_the_finished_run(tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 12})
    home = tmp_path / "h"
    first = json.loads(discover("run", task, "--json", home=home).stdout.splitlines()[-1])
    more = discover("run", task, "--evaluations", 20, "--json", home=home).stdout
    report = json.loads(more.splitlines()[-1])
    assert report["run"] == first["run"] and report["evaluations"] == 20
    _, records = stored_history(home)
    assert [c.n for c in records] == list(range(1, 21))


def test_evaluator_raising_on_every_candidate_is_a_failed_run_with_the_error(tmp_path):
    source = "def evaluate(candidate):\n    raise ValueError('bad calibration file')\n"
    task = write_task(tmp_path / "task", source=source, budget={"evaluations": 8})
    result = discover("run", task, "--json", home=tmp_path / "h", check=False)
    report = json.loads(result.stdout.splitlines()[-1])
    assert result.returncode == 1
    assert report["status"] == "failed" and report["best"] is None
    assert "bad calibration file" in report["message"]
    plain = discover("run", task, "--fresh", home=tmp_path / "h", check=False)
    assert plain.returncode == 1 and "failed (no valid candidate in 8" in plain.stdout


def test_with_json_a_task_error_is_json_too(tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": True})
    result = discover("run", task, "--json", home=tmp_path / "h", check=False)
    report = json.loads(result.stdout.splitlines()[-1])
    assert result.returncode == 2 and report["exit_code"] == 2
    assert report["status"] == "error" and "budget.evaluations" in report["error"]
    assert "budget.evaluations" in result.stderr and "Traceback" not in result.stderr
