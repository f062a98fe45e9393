"""The daemon's HTTP API through FastAPI's TestClient: the job verbs, errors and the token."""

import pytest

from discovery.api import ApiServer, is_loopback
from discovery.api_config import HttpConfig
from discovery.errors import DaemonError
from discovery.jobs import job_log_path
from discovery.testing import write_task
from memory import Store
from memory.jobs import JobQueue
from tests.discovery.daemon_clients import api_client


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def store(home):
    home.mkdir()
    store = Store.at_home(home)
    yield store
    store.close()


@pytest.fixture
def task(tmp_path):
    return str(write_task(tmp_path / "task"))  # sandboxed: the only kind HTTP accepts


@pytest.fixture
def client(store, home, tmp_path):
    return api_client(store, home, roots=[tmp_path])


def test_submit_then_status_list_and_verbs(client, task):
    response = client.post("/api/jobs", json={"task": task, "priority": 2, "name": "first"})
    assert response.status_code == 201
    job = response.json()["job"]
    status = client.get(f"/api/jobs/{job}").json()
    assert (status["job"], status["state"], status["name"], status["evaluations"]) == (
        job,
        "queued",
        "first",
        0,
    )
    assert [row["job"] for row in client.get("/api/jobs").json()] == [job]
    assert client.post(f"/api/jobs/{job}/pause", json={}).json()["state"] == "paused"
    assert client.post(f"/api/jobs/{job}/resume", json={}).json()["state"] == "queued"
    assert client.post(f"/api/jobs/{job}/cancel", json={}).json()["state"] == "cancelled"
    conflict = client.post(f"/api/jobs/{job}/resume", json={})
    assert conflict.status_code == 409 and "only paused jobs" in conflict.json()["detail"]
    assert client.get(f"/api/jobs/{job}/best").json() == {
        "job": job,
        "run": status["run"],
        "best": None,
    }
    assert client.get(f"/api/jobs/{job}/curve").json()["curve"] == []


def test_malformed_task_is_a_400_with_the_task_error(client, store, tmp_path):
    bad = write_task(tmp_path / "bad", objective={"metric": "score", "direction": "sideways"})
    response = client.post("/api/jobs", json={"task": str(bad)})
    assert response.status_code == 400
    assert "objective.direction" in response.json()["detail"]
    assert "'maximize' or 'minimize'" in response.json()["detail"]  # pydantic's explanation
    assert JobQueue(store).list_jobs() == []


def test_unknown_job_and_unknown_verb_are_404(client, task):
    assert client.get("/api/jobs/job-deadbeef").status_code == 404
    job = client.post("/api/jobs", json={"task": task}).json()["job"]
    assert client.post(f"/api/jobs/{job}/explode", json={}).status_code == 404


def test_logs_are_read_from_an_offset(client, home, task):
    job = client.post("/api/jobs", json={"task": task}).json()["job"]
    path = job_log_path(home, job)
    path.parent.mkdir()
    path.write_text("first line\nsecond line\n")
    whole = client.get(f"/api/jobs/{job}/logs").json()
    assert whole == {"text": "first line\nsecond line\n", "offset": 23}
    assert client.get(f"/api/jobs/{job}/logs", params={"offset": 11}).json()["text"] == (
        "second line\n"
    )


def test_a_token_guards_every_api_route_but_not_the_page(store, home):
    client = api_client(store, home, token="s3cret")
    assert client.get("/api/jobs").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/api/jobs", headers=wrong).status_code == 401
    assert client.get("/api/jobs", headers={"Authorization": "Bearer s3cret"}).json() == []
    page = client.get("/")
    assert page.status_code == 200 and "vs evaluations: " in page.text


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False)],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


def test_server_refuses_a_public_bind_without_a_token(store, home):
    with pytest.raises(DaemonError, match="without a token"):
        ApiServer(store, home, HttpConfig(host="0.0.0.0", port=0))


def test_curve_climbs_to_the_best_of_the_run(client, store, tmp_path):
    from discovery.jobs import job_spec, submit_job
    from discovery.runner import run_task

    job = submit_job(store, write_task(tmp_path / "local", evaluation={"sandbox": False}))
    run_task(job_spec(store, job), store, tmp_path / "results", resume=job.run_id)
    curve = client.get(f"/api/jobs/{job.id}/curve").json()["curve"]
    values = [value for _, value in curve]
    assert len(curve) >= 2 and values == sorted(values)
    best = client.get(f"/api/jobs/{job.id}/best").json()["best"]
    assert curve[-1] == [best["n"], best["metrics"]["score"]]
