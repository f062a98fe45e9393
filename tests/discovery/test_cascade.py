"""Evaluator cascades: cheap stages stop weak candidates before the main evaluator, the store
keeps the stage and its metrics, stopped candidates never become parents, the history and the
report say so, and bad cascades are refused when the task loads."""

from __future__ import annotations

import csv

import pytest

from discovery.errors import TaskSpecError
from discovery.report import write_results
from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from memory import Store
from memory.store import sqlite_url

QUICK = """
def check(candidate, target=0.3):
    return {"first": candidate[0]}


def explode(candidate, target=0.3):
    raise ValueError("stage broke")
"""


def cascade_task(tmp_path, cascade, evaluations=40):
    folder = tmp_path / "task"
    path = write_task(
        folder,
        evaluation={"timeout_seconds": 10, "memory_mb": 512, "cascade": cascade},
        engine={"islands": 1, "batch_size": 8},
        budget={"evaluations": evaluations},
    )
    (folder / "quick.py").write_text(QUICK)
    return path


def run(tmp_path, task):
    store = Store(sqlite_url(tmp_path / "store.db"))
    result = run_task(load_task(task), store, tmp_path / "results", seed=0)
    return store, result, list(store.history(result.run_id))


def test_a_stage_stops_weak_candidates_before_the_main_evaluator(tmp_path):
    task = cascade_task(tmp_path, [{"evaluator": "quick.py:check", "metric": "first", "min": 0.5}])
    store, result, history = run(tmp_path, task)
    stopped = [r for r in history if r.stage is not None]
    full = [r for r in history if r.stage is None]
    assert stopped and full and len(history) == 40
    for record in stopped:
        assert record.stage == 0 and not record.valid
        assert "stopped at cascade stage 0" in record.error and "the minimum is 0.5" in record.error
        assert set(record.metrics) == {"first"} and record.metrics["first"] < 0.5
    assert all("score" in r.metrics for r in full)  # the main evaluator ran on them
    parents = {p for r in history for p in r.parents}
    assert not parents & {r.hash for r in stopped}
    folder = write_results(store, result.run_id, tmp_path / "out")
    with open(folder / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["stage"] for row in rows] == ["0" if r.stage == 0 else "" for r in history]
    saved = f"{len(stopped)} stopped by the cascade"
    assert saved in (folder / "report.md").read_text()
    store.close()


def test_a_stage_that_raises_stops_the_candidate_with_the_reason(tmp_path):
    task = cascade_task(
        tmp_path, [{"evaluator": "quick.py:explode", "metric": "first", "max": 1.0}], 8
    )
    store, _, history = run(tmp_path, task)
    assert all(r.stage == 0 and "ValueError: stage broke" in r.error for r in history)
    store.close()


@pytest.mark.parametrize(
    ("stage", "words"),
    [
        ({"evaluator": "quick.py:check", "metric": "first"}, "exactly one of `min` and `max`"),
        ({"evaluator": "quick.py:check", "metric": "first", "min": 0, "max": 1}, "exactly one"),
        ({"evaluator": "missing.py:check", "metric": "first", "min": 0}, "cascade[0].evaluator"),
        ({"evaluator": "quick.py:check", "metric": "first", "min": ".inf"}, "min"),
    ],
)
def test_bad_cascades_are_refused_when_the_task_loads(tmp_path, stage, words):
    if stage.get("min") == ".inf":
        stage = {**stage, "min": float("inf")}
    task = cascade_task(tmp_path, [stage])
    with pytest.raises(TaskSpecError, match=words.replace("[", "\\[").replace("]", "\\]")):
        load_task(task).evaluation_setup()
