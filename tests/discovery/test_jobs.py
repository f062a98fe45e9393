"""The job queue without a daemon: validation at submission, ids, order and state changes."""

import json

import pytest
from typer.testing import CliRunner

from discovery.cli import app
from discovery.errors import JobStateError, TaskSpecError
from discovery.jobs import (
    cancel_job,
    job_spec,
    job_status,
    pause_job,
    resolve_run,
    resume_job,
    submit_job,
)
from discovery.runner import run_task
from discovery.testing import write_task
from memory import Store
from memory.errors import JobNotFound
from memory.jobs import JobQueue
from tests.fixtures.postgres import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """The job queue on every store backend (SQLite file, real PostgreSQL server)."""
    if request.param == "sqlite":
        store = Store.at_home(tmp_path / "home")
    else:
        store = Store(fresh_database(request.getfixturevalue("postgres_url")))
    yield store
    store.close()


@pytest.fixture
def task(tmp_path):
    return write_task(tmp_path / "task", evaluation={"sandbox": False})


def test_malformed_submission_is_rejected_and_nothing_is_queued(store, tmp_path):
    bad = write_task(tmp_path / "bad", representation="vector", vector={"size": 0})
    with pytest.raises(TaskSpecError, match="vector.size"):
        submit_job(store, bad)
    assert JobQueue(store).list_jobs() == []
    assert store.list_runs() == []


def test_each_job_gets_its_own_queued_run_and_its_id_resolves_to_it(store, task):
    first = submit_job(store, task)
    second = submit_job(store, task)
    assert first.run_id != second.run_id
    assert resolve_run(store, first.id).id == first.run_id
    assert resolve_run(store, first.id[:8]).id == first.run_id  # a unique prefix
    assert resolve_run(store, first.run_id).id == first.run_id
    assert store.get_run(first.run_id).status == "queued"
    assert job_spec(store, first).evaluation_setup().evaluator.function == "evaluate"


def test_unknown_job_id_says_where_to_look(store):
    with pytest.raises(JobNotFound, match="discover jobs"):
        resolve_run(store, "job-00000000")


def test_claim_takes_highest_priority_then_oldest(store, task):
    low = submit_job(store, task, priority=0)
    high = submit_job(store, task, priority=5)
    later_low = submit_job(store, task, priority=0)
    queue = JobQueue(store)
    claimed = [queue.claim_next().id for _ in range(3)]
    assert claimed == [high.id, low.id, later_low.id]
    assert queue.claim_next() is None
    assert {job.state for job in queue.list_jobs()} == {"running"}


def test_cancel_a_waiting_job_is_immediate_and_a_running_one_is_a_request(store, task):
    waiting, running = submit_job(store, task), submit_job(store, task)
    queue = JobQueue(store)
    queue.transition(running.id, ("queued",), state="running")
    assert cancel_job(store, waiting.id).state == "cancelled"
    requested = cancel_job(store, running.id)
    assert (requested.state, requested.request) == ("running", "cancel")
    with pytest.raises(JobStateError, match="nothing to cancel"):
        cancel_job(store, waiting.id)


def test_pause_then_resume_queues_again_and_finished_jobs_cannot_resume(store, task):
    job = submit_job(store, task)
    assert pause_job(store, job.id).state == "paused"
    assert JobQueue(store).claim_next() is None  # a paused job is not started
    assert resume_job(store, job.id).state == "queued"
    JobQueue(store).transition(job.id, ("queued",), state="finished")
    with pytest.raises(JobStateError, match="only paused jobs"):
        resume_job(store, job.id)


def test_resume_withdraws_a_pause_not_yet_carried_out(store, task):
    job = submit_job(store, task)
    JobQueue(store).transition(job.id, ("queued",), state="running")
    assert pause_job(store, job.id).request == "pause"
    resumed = resume_job(store, job.id)
    assert (resumed.state, resumed.request) == ("running", None)


def test_status_after_a_run_reports_evaluations_and_the_best(store, task, tmp_path):

    job = submit_job(store, task)
    run_task(job_spec(store, job), store, tmp_path / "results", resume=job.run_id)
    status = job_status(store, JobQueue(store).get(job.id))
    assert {"job", "state", "run", "evaluations", "best"} <= status.keys()
    assert status["evaluations"] == 40
    assert status["best"]["metrics"]["score"] == max(
        r.metrics["score"] for r in store.history(job.run_id) if r.valid
    )


def test_cli_submit_rejects_a_bad_task_with_exit_2(tmp_path):
    bad = write_task(tmp_path / "bad", objective={"metric": "score", "direction": "upward"})
    result = CliRunner().invoke(app, ["submit", str(bad), "--home", str(tmp_path / "h")])
    assert result.exit_code != 0
    assert isinstance(result.exception, TaskSpecError)


def test_cli_verbs_speak_json_and_job_ids_work_as_run_ids(tmp_path, task):
    home = ["--home", str(tmp_path / "h")]
    runner = CliRunner()
    submitted = runner.invoke(app, ["submit", str(task), "--priority", "3", *home, "--json"])
    job = json.loads(submitted.output)["job"]
    status = json.loads(runner.invoke(app, ["status", job, *home, "--json"]).output)
    assert (status["job"], status["state"], status["evaluations"]) == (job, "queued", 0)
    paused = json.loads(runner.invoke(app, ["pause", job, *home, "--json"]).output)
    assert paused["state"] == "paused"
    listed = json.loads(runner.invoke(app, ["jobs", *home, "--json"]).output)
    assert [row["job"] for row in listed] == [job]
    best = json.loads(runner.invoke(app, ["best", job, *home, "--json"]).output)
    assert best == {"run": status["run"], "best": None}
    history = runner.invoke(app, ["history", job, *home])
    assert history.exit_code == 0 and history.output.startswith("n,")


def test_cli_submit_overrides_the_budget_and_jobs_shows_the_best(tmp_path, task):
    home = tmp_path / "h"
    runner = CliRunner()
    args = ["submit", str(task), "--evaluations", "8", "--seconds", "30", "--home", str(home)]
    job = runner.invoke(app, [*args, "--json"])
    job_id = json.loads(job.output)["job"]
    store = Store.at_home(home)
    record = JobQueue(store).get(job_id)
    assert store.get_run(record.run_id).spec["budget"] == {"evaluations": 8, "wall_seconds": 30.0}
    run_task(job_spec(store, record), store, tmp_path / "results", resume=record.run_id)
    best = store.best(record.run_id).metrics["score"]
    store.close()
    listed = runner.invoke(app, ["jobs", "--home", str(home)]).output.splitlines()
    assert listed[0].split()[:5] == ["job", "name", "state", "evals", "best"]
    assert f"{best:.6g}" in listed[1] and "8/8" in listed[1]
