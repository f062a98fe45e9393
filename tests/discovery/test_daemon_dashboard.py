"""The dashboard page in headless Chromium against a live API server (skips without it)."""

import re
import shutil
import subprocess

import pytest

from discovery.api import ApiServer
from discovery.daemon import HttpConfig
from discovery.jobs import job_spec, submit_job
from discovery.lineage import lineage
from discovery.report import best_curve
from discovery.runner import run_task
from memory import Store
from memory.jobs import JobQueue
from tests.fixtures.tasks import write_task

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian: chromium)")


def rendered_page(url):
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120).stdout


def test_dashboard_lists_jobs_with_state_and_draws_the_best_curve(tmp_path):
    home = tmp_path / "home"
    store = Store.at_home(home)
    task = write_task(tmp_path / "task", evaluation={"sandbox": False})
    done = submit_job(store, task, name="done")
    waiting = submit_job(store, task, name="waiting")
    run_task(job_spec(store, done), store, home / "results", resume=done.run_id)
    JobQueue(store).transition(done.id, ("queued",), state="finished")
    improvements = len(best_curve(store, store.get_run(done.run_id))[0])
    top = [record.hash for record in store.top(done.run_id, 5)]
    best = store.best(done.run_id)
    ancestry = [record.hash for record in lineage(store, done.run_id, best)]
    server = ApiServer(store, home, HttpConfig(port=0, token="t0ken"))
    server.start()
    try:
        page = rendered_page(f"{server.url}/#token=t0ken&job={done.id}")
    finally:
        server.stop()
        store.close()
    rows = dict(re.findall(r'data-job="(job-[0-9a-f]+)".*?class="state">(\w+)<', page, re.S))
    assert rows == {done.id: "finished", waiting.id: "queued"}
    assert "40 / 40" in page
    points = re.search(r'<polyline points="([^"]*)"', page).group(1).split()
    assert len(points) == 2 * improvements - 1  # a horizontal then vertical step each time
    shown_top = page[page.index('<div id="top">') : page.index('<div id="lineage">')]
    shown_lineage = page[page.index('<div id="lineage">') :]
    assert re.findall(r'class="card" data-hash="(\w+)"', shown_top) == top
    assert re.findall(r'class="card" data-hash="(\w+)"', shown_lineage) == ancestry
    assert len(ancestry) >= 2 and "rank 1 #" in shown_top and "ancestor 1 #" in shown_lineage
    assert f'<pre class="candidate">{best.content}</pre>' in shown_top  # a vector: plain text
