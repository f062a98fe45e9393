"""A job's budget can be set at submission, without editing the task YAML."""

import pytest

from discovery.errors import TaskSpecError
from discovery.jobs import job_spec, submit_job
from discovery.testing import write_task
from memory import Store
from memory.jobs import JobQueue


@pytest.fixture
def store(tmp_path):
    store = Store.at_home(tmp_path / "home")
    yield store
    store.close()


def test_submitted_budget_overrides_the_yaml_for_that_job_only(store, tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 40, "wall_seconds": 600})
    short = submit_job(store, task, evaluations=5, seconds=30)
    plain = submit_job(store, task)
    budget = job_spec(store, short).budget_config()
    assert (budget.evaluations, budget.wall_seconds) == (5, 30)
    assert job_spec(store, plain).budget_config().evaluations == 40
    assert store.get_run(short.run_id).spec["budget"] == {"evaluations": 5, "wall_seconds": 30.0}


def test_only_seconds_keeps_the_yaml_evaluations(store, tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 40})
    budget = job_spec(store, submit_job(store, task, seconds=12.5)).budget_config()
    assert (budget.evaluations, budget.wall_seconds) == (40, 12.5)


@pytest.mark.parametrize("override", [{"evaluations": 10**26}, {"seconds": float("inf")}])
def test_out_of_range_budget_is_refused_and_nothing_is_queued(store, tmp_path, override):
    task = write_task(tmp_path / "task")
    with pytest.raises(TaskSpecError, match="budget: field"):
        submit_job(store, task, **override)
    assert JobQueue(store).list_jobs() == []
