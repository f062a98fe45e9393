"""A task's optional `render` function: checked at load, run in the sandbox, shown as an image."""

import base64
import logging
import re
from pathlib import Path

import pytest

from discovery.depict import depict
from discovery.errors import TaskSpecError
from discovery.jobs import job_spec, submit_job
from discovery.render import RenderFailed, render_svg
from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import SPHERE_EVALUATOR, write_task
from memory import Store
from science import SandboxPool
from tests.discovery.daemon_clients import api_client

DRAWING_EVALUATOR = (
    SPHERE_EVALUATOR
    + """

def render(candidate):
    bars = "".join(f'<rect x="{i * 10}" width="8" height="{v * 50:.1f}"/>' for i, v in enumerate(candidate))
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="50">{bars}</svg>'


def render_script(candidate):
    return '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def render_text(candidate):
    return "a drawing, in words"


def render_raises(candidate):
    raise RuntimeError("the pen broke")
"""
)
CIRCLE_PACKING = Path(__file__).resolve().parents[2] / "tasks" / "circle_packing" / "task.yaml"


@pytest.fixture
def store(tmp_path):
    store = Store.at_home(tmp_path / "home")
    yield store
    store.close()


def drawing_task(tmp_path: Path, render: str, **fields) -> Path:
    fields = {"budget": {"evaluations": 12}, **fields}
    return write_task(tmp_path / "task", DRAWING_EVALUATOR, render=render, **fields)


def test_a_missing_render_function_is_refused_when_the_task_loads(tmp_path):
    with pytest.raises(TaskSpecError, match="field `render`.*defines no 'draw'"):
        load_task(drawing_task(tmp_path, "evaluator.py:draw"))
    with pytest.raises(TaskSpecError, match="field `render`"):
        load_task(drawing_task(tmp_path, "nowhere.py:render"))


def test_the_built_in_packing_draws_its_circles_in_the_sandbox():
    spec = load_task(CIRCLE_PACKING)
    centres = [0.1 + 0.8 * ((7 * i) % 26) / 25 for i in range(52)]
    with SandboxPool(workers=1) as pool:
        svg = render_svg(spec, pool, str(centres))
    assert svg.startswith("<svg") and svg.count("<circle") == 26
    assert re.search(r"26 circles, sum of radii \d\.\d{6}", svg)


@pytest.mark.parametrize(
    ("render", "reason"),
    [
        ("evaluator.py:render_text", "must return an SVG document"),
        ("evaluator.py:render_raises", "the pen broke"),
    ],
)
def test_a_render_that_fails_says_why(tmp_path, render, reason):
    spec = load_task(drawing_task(tmp_path, render))
    with SandboxPool(workers=1) as pool, pytest.raises(RenderFailed, match=reason):
        render_svg(spec, pool, "[0.1, 0.2, 0.3, 0.4]")


def test_a_run_writes_the_best_candidate_drawn_beside_its_report(tmp_path, store):
    spec = load_task(drawing_task(tmp_path, "evaluator.py:render"))
    result = run_task(spec, store, tmp_path / "results")
    drawing = (result.results / "best.svg").read_text()
    best = store.best(result.run_id)
    assert drawing.count("<rect") == 4 and drawing.startswith("<svg")
    first_bar = float(re.search(r'<rect x="0" width="8" height="([\d.]+)"', drawing).group(1))
    assert first_bar == pytest.approx(float(best.content.strip("[]").split(",")[0]) * 50, abs=0.06)
    assert (
        "![the best candidate, drawn by the task](best.svg)"
        in (result.results / "report.md").read_text()
    )


def test_a_failing_render_never_fails_the_run(tmp_path, store, caplog):
    spec = load_task(drawing_task(tmp_path, "evaluator.py:render_raises"))
    with caplog.at_level(logging.WARNING, logger="discovery.render"):
        result = run_task(spec, store, tmp_path / "results")
    assert result.status == "finished"
    assert not (result.results / "best.svg").exists()
    assert "best.svg" not in (result.results / "report.md").read_text()
    assert "the pen broke" in caplog.text


def test_the_page_shows_a_drawing_as_an_image_whose_script_never_runs():
    fragment = depict("vector", "[1.0]", "<svg><script>alert(1)</script></svg>")
    assert "<script" not in fragment
    encoded = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', fragment).group(1)
    assert b"<script>" in base64.b64decode(encoded)  # inert inside an <img>
    assert "[1.0]" in fragment


def test_the_dashboard_top_view_draws_with_the_task(tmp_path, store):
    home = tmp_path / "home"
    task = drawing_task(tmp_path, "evaluator.py:render_script", evaluation={"sandbox": False})
    job = submit_job(store, task)
    run_task(job_spec(store, job), store, home / "results", resume=job.run_id)
    top = api_client(store, home).get(f"/api/jobs/{job.id}/top", params={"k": 7}).json()["top"]
    drawn = [row for row in top if "data:image/svg+xml;base64," in row["html"]]
    assert len(drawn) == 5  # the first five are drawn, the rest shown as bars
    assert all("<script" not in row["html"] for row in top)
    assert "<svg" in top[6]["html"]  # the built-in bar chart
