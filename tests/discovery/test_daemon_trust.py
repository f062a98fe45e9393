"""The API trusts nobody: task roots, no file content in errors, no unsandboxed or
unregistered code over HTTP, CSRF and DNS-rebinding defences. Each test replays a probe
of issue 14 and asserts that it now fails."""

import httpx
import pytest
import yaml

from discovery.api import ApiServer
from discovery.api_config import HttpConfig
from discovery.api_guard import CLIENT_HEADER
from discovery.jobs import submit_job
from discovery.remote_tasks import default_task_roots
from discovery.testing import write_task
from memory import Store
from memory.jobs import JobQueue
from tests.discovery.daemon_clients import api_client

SECRET = "root:$6$SECRETHASH:20228:0:99999:7:::\ndaemon:*:SECRETLINE2:0:99999:7:::\n"
PROGRAM_EVALUATOR = """
def evaluate(candidate):
    return {"score": float(len(open(candidate).read()))}
"""


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
def root(tmp_path):
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


@pytest.fixture
def secret(tmp_path):
    """A file outside the task roots, shaped like /etc/shadow."""
    path = tmp_path / "outside" / "shadow"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


@pytest.fixture
def client(store, home, root):
    return api_client(store, home, roots=[root])


def assert_nothing_leaked_or_queued(response, store):
    assert "SECRET" not in response.text
    assert JobQueue(store).list_jobs() == []


@pytest.mark.parametrize("named", ["secret", "/etc/shadow", "symlink", "dotdot"])
def test_a_task_path_outside_the_roots_is_refused_unread(client, store, root, secret, named):
    (root / "link.yaml").symlink_to(secret)
    path = {
        "secret": str(secret),
        "/etc/shadow": "/etc/shadow",
        "symlink": str(root / "link.yaml"),
        "dotdot": "../outside/shadow",
    }[named]
    response = client.post("/api/jobs", json={"task": path})
    assert response.status_code == 403
    assert "outside the daemon's task roots" in response.json()["detail"]
    assert "root:" not in response.text and "daemon:" not in response.text
    assert_nothing_leaked_or_queued(response, store)


@pytest.mark.parametrize(
    "text",
    [
        SECRET,  # every line parses as an unknown field
        "api_key: SECRET-KEY\nname: sphere\n",
        "first: ok\n  SECRET: [unclosed\n",  # a YAML error about the file's own text
        "name: sphere\nrepresentation: vector\nevaluator: SECRET/x.py:f\n"
        "objective: {metric: score}\nvector: {size: 2}\n",
        "name: sphere\nrepresentation: program\nevaluator: SECRETMODULE:f\n"
        "objective: {metric: score}\nseed: SECRET.py\n",
        "name: sphere\nrepresentation: vector\nevaluator: e.py:f\nobjective: {metric: score}\n"
        "vector: {size: 2}\nengine: {map_elites: {metrics: [a], ranges: {SECRET: 1}}}\n",
    ],
)
def test_errors_over_http_never_echo_the_file(client, store, root, text):
    path = root / "not-a-task.yaml"
    path.write_text(text)
    (root / "e.py").write_text("def f(candidate):\n    return {}\n")
    response = client.post("/api/jobs", json={"task": str(path)})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"task error: {path}")
    assert_nothing_leaked_or_queued(response, store)


def test_http_errors_keep_the_line_and_the_schema_fields(client, root):
    path = root / "task.yaml"
    path.write_text("name: sphere\nrepresentation: vector\n  bad: [\n")
    detail = client.post("/api/jobs", json={"task": str(path)}).json()["detail"]
    assert detail == f"task error: {path} line 3: not valid YAML"
    path.write_text(yaml.safe_dump({"name": "sphere", "representation": "vector", "x": 1}))
    detail = client.post("/api/jobs", json={"task": str(path)}).json()["detail"]
    assert "field `evaluator`: Field required" in detail
    assert "field `…`: Extra inputs are not permitted" in detail


@pytest.mark.parametrize("seed", ["absolute", "../../outside/shadow", "link"])
def test_a_seed_file_outside_the_roots_is_refused(client, store, root, secret, seed):
    folder = root / "task"
    folder.mkdir()
    (folder / "seed-link.txt").symlink_to(secret)
    named = {"absolute": str(secret), "link": "seed-link.txt"}.get(seed, seed)
    task = write_task(folder, representation="text", vector=None, seed=[named])
    response = client.post("/api/jobs", json={"task": str(task)})
    assert response.status_code == 403
    assert "field `seed` names a file outside the daemon's task roots" in response.json()["detail"]
    assert_nothing_leaked_or_queued(response, store)


@pytest.mark.parametrize("field", ["evaluator", "render"])
def test_an_evaluator_or_render_file_outside_the_roots_is_refused(
    client, store, root, tmp_path, field
):
    elsewhere = write_task(tmp_path / "elsewhere")
    task = write_task(root / "task", **{field: f"{elsewhere.parent / 'evaluator.py'}:evaluate"})
    response = client.post("/api/jobs", json={"task": str(task)})
    assert response.status_code == 403 and f"field `{field}`" in response.json()["detail"]
    assert JobQueue(store).list_jobs() == []


def test_seed_files_beside_the_task_and_relative_paths_are_accepted(client, store, root):
    folder = root / "program"
    folder.mkdir()
    (folder / "seed_program.py").write_text("x = 1\n")
    write_task(folder, PROGRAM_EVALUATOR, representation="program", vector=None)
    task = folder / "task.yaml"
    task.write_text(task.read_text() + "seed: seed_program.py\n")
    response = client.post("/api/jobs", json={"task": "program"})  # a folder under a root
    assert response.status_code == 201
    best = client.get(f"/api/jobs/{response.json()['job']}").json()
    assert best["state"] == "queued"


def test_sandbox_false_is_refused_over_http_but_not_from_the_cli(client, store, root):
    task = write_task(root / "task", evaluation={"sandbox": False})
    response = client.post("/api/jobs", json={"task": str(task)})
    assert response.status_code == 403
    assert "accepted only from the local CLI" in response.json()["detail"]
    assert JobQueue(store).list_jobs() == []
    assert submit_job(store, task).state == "queued"  # `discover submit` acts for its user


def test_a_proposer_class_path_is_refused_over_http(client, store, root):
    task = write_task(root / "task", proposer={"kind": "subprocess:Popen"})
    response = client.post("/api/jobs", json={"task": str(task)})
    assert response.status_code == 403 and "registered kind" in response.json()["detail"]
    assert JobQueue(store).list_jobs() == []


# CSRF and DNS rebinding ---------------------------------------------------------------------


@pytest.fixture
def queued(store, root):
    return submit_job(store, write_task(root / "task"))


def test_a_cross_site_form_post_does_not_cancel_a_job(store, home, root, queued):
    browser = api_client(store, home, roots=[root])
    browser.headers.pop(CLIENT_HEADER)  # a form sends no custom header
    origin = {"Origin": "http://evil.example"}
    form = browser.post(f"/api/jobs/{queued.id}/cancel", data={"x": "1"}, headers=origin)
    plain = browser.post(
        f"/api/jobs/{queued.id}/cancel",
        content=b"{}",
        headers={**origin, "Content-Type": "text/plain"},
    )
    bare_json = browser.post(f"/api/jobs/{queued.id}/cancel", json={}, headers=origin)
    assert [r.status_code for r in (form, plain, bare_json)] == [403, 403, 403]
    assert "Content-Type: application/json" in form.json()["detail"]
    assert CLIENT_HEADER in bare_json.json()["detail"]
    assert JobQueue(store).get(queued.id).state == "queued"


def test_json_with_the_client_header_or_a_token_may_change_state(store, home, root, queued):
    assert api_client(store, home).post(f"/api/jobs/{queued.id}/pause", json={}).status_code == 200
    with_token = api_client(store, home, token="t0ken")
    with_token.headers.pop(CLIENT_HEADER)
    bearer = {"Authorization": "Bearer t0ken"}
    response = with_token.post(f"/api/jobs/{queued.id}/cancel", json={}, headers=bearer)
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


@pytest.mark.parametrize("path", ["/", "/api/jobs", "/api/docs"])
def test_a_foreign_host_header_is_refused(client, path):
    response = client.get(path, headers={"Host": "evil.example:8765"})
    assert response.status_code == 403 and "Host" in response.json()["detail"]
    for host in ("127.0.0.1:8765", "localhost:8765", "localhost", "[::1]:8765"):
        assert client.get(path, headers={"Host": host}).status_code == 200


def test_the_live_server_checks_the_host_against_its_bound_port(store, home, root):
    server = ApiServer(store, home, HttpConfig(port=0, task_roots=(root,)))
    server.start()
    try:
        own = httpx.get(server.url + "/api/jobs")
        rebound = httpx.get(server.url + "/api/jobs", headers={"Host": "attacker.example"})
        other_port = httpx.get(server.url + "/api/jobs", headers={"Host": "127.0.0.1:1"})
    finally:
        server.stop()
    assert own.status_code == 200 and own.json() == []
    assert rebound.status_code == 403 and other_port.status_code == 403


def test_default_roots_are_the_home_tasks_and_the_task_library(store, home):
    roots = default_task_roots(home)
    assert roots[0] == (home / "tasks").resolve()
    client = api_client(store, home, roots=roots)
    response = client.post("/api/jobs", json={"task": "circle_packing"})  # the library's
    assert response.status_code == 201
    assert client.post("/api/jobs", json={"task": str(home.parent)}).status_code == 403
