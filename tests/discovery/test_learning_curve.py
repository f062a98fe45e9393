"""The test-time RL learning curve of a real run (the edit policy learning on QED): read from
the store, printed by `discover best` (text and JSON) and drawn by the dashboard."""

import json
import shutil
import subprocess
import sys

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from discovery.api import ApiServer
from discovery.daemon import HttpConfig
from discovery.jobs import job_spec, submit_job
from discovery.learning_curve import FIELDS, curve_lines, learning_curve, shown_rows
from discovery.runner import run_task
from memory import Store
from tests.discovery.test_daemon_dashboard import browser  # noqa: F401  (the fixture)

TTT_TASK = {
    "name": "qed-edit-ttt",
    "representation": "smiles",
    "evaluator": "molopt.evaluate:evaluate",
    "params": {"objective": "qed"},
    "objective": {"metric": "score", "direction": "maximize"},
    "budget": {"evaluations": 24},
    "engine": {"islands": 1, "parents": 2, "batch_size": 8, "selection": "ttt_puct"},
    "proposer": {
        "kind": "molopt.edit.ttt_proposer:edit_policy",
        "ttt": {"enabled": True, "group_size": 4, "lr": 1e-3},
    },
    "evaluation": {"timeout_seconds": 30, "memory_mb": 1024, "sandbox": False},
}


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    """A home holding one finished job whose proposer learned at test time."""
    folder = tmp_path_factory.mktemp("learning")
    task = folder / "task.yaml"
    task.write_text(yaml.safe_dump(TTT_TASK))
    home = folder / "home"
    store = Store.at_home(home)
    job = submit_job(store, task, name="ttt")
    run_task(job_spec(store, job), store, home / "results", resume=job.run_id)
    run = store.get_run(job.run_id)
    store.close()
    return home, job.id, run


def test_the_curve_is_read_from_the_stored_proposer_state(learned):
    _, _, run = learned
    curve = learning_curve(run)
    assert len(curve) == len(run.engine_state["proposer"]["groups"]) >= 2
    assert [point["step"] for point in curve] == list(range(1, len(curve) + 1))
    assert all(0.0 <= point["mean_reward"] <= 1.0 for point in curve)  # QED rewards
    assert all(point["beta"] >= 0 and point["entropy"] > 0 for point in curve)


def test_a_run_without_learning_has_an_empty_curve(learned):
    _, _, run = learned
    assert learning_curve(None) == []
    assert learning_curve(run.__class__(**{**run.__dict__, "engine_state": None})) == []


def test_long_curves_print_evenly_spaced_rows_with_first_and_last():
    points = [
        {"step": i, "mean_reward": i / 100, "beta": 1.0, "entropy": 2.0} for i in range(1, 101)
    ]
    shown = shown_rows(points, rows=10)
    assert len(shown) == 10 and shown[0]["step"] == 1 and shown[-1]["step"] == 100
    lines = curve_lines(points)
    assert lines[0] == "# test-time RL: 100 policy updates (showing 10; --json has all)"
    assert all(line.startswith("# ") for line in lines) and len(lines) == 12


def test_discover_best_prints_the_curve(learned):
    home, job, run = learned
    command = [sys.executable, "-m", "discovery.cli", "best", job, "--home", str(home)]
    text = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    lines = text.stdout.splitlines()
    assert any(line.startswith("# test-time RL: ") for line in lines)
    assert not lines[-1].startswith("#")  # the candidate stays the last, plain line
    as_json = subprocess.run(
        [*command, "--json"], capture_output=True, text=True, timeout=120, check=True
    )
    body = json.loads(as_json.stdout)
    assert body["learning_curve"] == learning_curve(run)
    assert set(body["learning_curve"][0]) == {"step", *FIELDS}


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None or shutil.which("chromedriver") is None,
    reason="needs Chromium and its driver (Debian: chromium chromium-driver)",
)
def test_the_dashboard_draws_reward_beta_and_entropy(learned, browser):  # noqa: F811
    home, job, run = learned
    store = Store.at_home(home)
    server = ApiServer(store, home, HttpConfig(port=0, token="t0ken"))
    server.start()
    try:
        browser.get(f"{server.url}/#token=t0ken&job={job}")
        wait = WebDriverWait(browser, 30)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#learning polyline")) == 3)
        title = browser.find_element(By.ID, "learning-title").text
        label = browser.find_element(By.ID, "learning-mean_reward").text
        lines = browser.find_elements(By.CSS_SELECTOR, "#learning polyline")
        counts = [len(line.get_attribute("points").split()) for line in lines]
    finally:
        server.stop()
        store.close()
    curve = learning_curve(run)
    assert title == f"test-time learning: {len(curve)} policy updates"
    name, values = label.split(": ")
    shown = [float(value) for value in values.split(" \u2192 ")]
    assert name == "mean reward"
    assert shown == pytest.approx([curve[0]["mean_reward"], curve[-1]["mean_reward"]], rel=5e-3)
    assert counts == [len(curve)] * 3
