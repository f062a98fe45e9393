"""The probes of an attacker on the LLM proposer's code path: a model that answers with
score-forging programs gets them stored as invalid candidates, and the run goes on."""

from __future__ import annotations

import shutil

import yaml

from discovery.runner import run_task
from discovery.spec import load_task
from evolve.testing import Reply, ScriptedServer
from memory import Store
from memory.store import sqlite_url
from tests.science.test_forgery import BEST_KNOWN, PROBES
from tests.tasks.conftest import TASKS


def test_forging_programs_from_a_model_are_stored_invalid(tmp_path):
    folder = tmp_path / "task"
    shutil.copytree(TASKS / "circle_packing_program", folder)
    replies = [Reply(f"```python\n{source}\n```") for _, source in sorted(PROBES.items())]
    with ScriptedServer(replies, default=replies[0]) as server:
        task = yaml.safe_load((folder / "task.yaml").read_text())
        task["budget"] = {"evaluations": 1 + len(replies)}
        task["engine"] = {"islands": 1, "batch_size": 1}
        task["evaluation"] = {"timeout_seconds": 20, "memory_mb": 1024}
        task["proposer"] = {
            "kind": "llm",
            "model": "scripted",
            "base_url": server.base_url,
            "diff_ratio": 0.0,
            "max_retries": 0,
        }
        (folder / "task.yaml").write_text(yaml.safe_dump(task))
        store = Store(sqlite_url(tmp_path / "store.db"))
        result = run_task(load_task(folder / "task.yaml"), store, tmp_path / "results")

    records = list(store.history(result.run_id))
    proposed = [r for r in records if r.proposer == "llm"]
    assert result.status == "finished"
    assert len(proposed) == len(PROBES)
    assert not any(r.valid for r in proposed)
    assert all(r.metrics.get("sum_radii", 0.0) <= BEST_KNOWN for r in records)
