"""One source of defaults: a task that leaves a section out runs with the engine's and the
sandbox's own defaults, and a spec stored with a run is read back through the same parser."""

import os
from datetime import UTC, datetime

import pytest
import yaml

from discovery.errors import TaskSpecError
from discovery.spec import load_task, stored_task
from discovery.testing import write_task
from evolve import Budget, EngineConfig
from memory import RunRecord
from science import Limits

# What the first store (commit b96d277) wrote for a vector task: no `cascade`, `num_gpus`,
# `novelty`; the JSON dump of that version's TaskSpec.
FIRST_STORE_SPEC = {
    "name": "sphere",
    "description": "",
    "representation": "vector",
    "evaluator": "evaluator.py:evaluate",
    "params": {},
    "objective": {"metric": "score", "direction": "minimize"},
    "seed": None,
    "vector": {"size": 4, "low": 0.0, "high": 1.0},
    "budget": {"evaluations": 40, "wall_seconds": None},
    "proposer": {"kind": None},
    "evaluation": {
        "timeout_seconds": 10.0,
        "memory_mb": 512,
        "cpu_seconds": None,
        "workers": None,
        "sandbox": True,
    },
    "engine": {
        "islands": 2,
        "population_size": 40,
        "batch_size": 4,
        "parents": 2,
        "inspirations": 3,
        "migration_interval": 10,
        "selection": "puct",
        "exploration": 1.0,
        "rank_alpha": 1.0,
        "max_stale_generations": 50,
        "map_elites": None,
    },
}


def run_with(spec: dict) -> RunRecord:
    now = datetime.now(UTC)
    return RunRecord(
        "run-1", "sphere", "key", spec, "finished", 0, 0, 0.0, None, None, "", now, now
    )


def bare_task(tmp_path):
    path = write_task(tmp_path)
    task = yaml.safe_load(path.read_text())
    for section in ("budget", "evaluation", "engine"):
        del task[section]
    path.write_text(yaml.safe_dump(task))
    return load_task(path)


def test_left_out_sections_take_the_engine_and_sandbox_defaults(tmp_path):
    spec = bare_task(tmp_path)
    assert spec.engine_config() == EngineConfig()
    assert spec.budget_config() == Budget()
    assert spec.evaluation_setup().limits == Limits()


def test_a_spec_from_the_first_store_reads_back_with_todays_defaults(tmp_path):
    spec = stored_task(run_with(FIRST_STORE_SPEC), tmp_path)
    assert spec.objective.direction == "minimize"
    assert spec.engine.novelty == EngineConfig().novelty
    assert spec.evaluation.cascade == []
    assert spec.folder == tmp_path


def test_a_spec_stored_today_reads_back_equal(tmp_path):
    spec = load_task(write_task(tmp_path))
    assert stored_task(run_with(spec.model_dump(mode="json")), tmp_path) == spec


def test_workers_checked_on_the_submitting_machine_are_not_checked_again(tmp_path):
    many = 4 * (os.cpu_count() or 1) + 1
    with pytest.raises(TaskSpecError, match="evaluation.workers"):
        load_task(write_task(tmp_path, evaluation={"workers": many}))
    stored = {**FIRST_STORE_SPEC, "evaluation": {"workers": many}}
    assert stored_task(run_with(stored)).evaluation.workers == many


def test_a_damaged_stored_spec_names_the_run_and_the_field():
    damaged = {**FIRST_STORE_SPEC, "objective": {"metric": "score", "direction": "up"}}
    with pytest.raises(TaskSpecError, match=r"run run-1: field `objective.direction`"):
        stored_task(run_with(damaged))
