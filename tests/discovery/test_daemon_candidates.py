"""The API's top candidates and lineage routes on program, smiles and vector jobs."""

import html
import json

import pytest

from discovery.jobs import job_spec, submit_job
from discovery.runner import run_task
from discovery.testing import VECTOR_EVOLUTION_ONLY, write_task
from memory import Store
from tests.discovery.daemon_clients import api_client

LENGTH_EVALUATOR = """
def evaluate(candidate):
    return {"score": -abs(len(candidate) - 40), "length": len(candidate)}
"""
ATOMS_EVALUATOR = """
def evaluate(candidate):
    return {"score": float(len(candidate)), "chars": len(candidate)}
"""
PROGRAM_SEED = "def solve():\n    return 1.0 + 2.0\n"
SCRIPT_SEED = "def solve():\n    return '<script>alert(1)</script>'\n"
TASKS = {
    "program": {
        "source": LENGTH_EVALUATOR,
        "representation": "program",
        "vector": None,
        "seed": [PROGRAM_SEED, SCRIPT_SEED],
        "proposer": {"kind": "mutation"},
    },
    "smiles": {
        "source": ATOMS_EVALUATOR,
        "representation": "smiles",
        "vector": None,
        "seed": ["CCO", "c1ccccc1O", "CC(=O)N"],
        "proposer": {"kind": "graph_ga"},
    },
    # refined random restarts have no parents: evolve from a seed for a lineage to walk
    "vector": {"seed": [0.9, 0.1, 0.9, 0.1], "proposer": VECTOR_EVOLUTION_ONLY},
}


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def store(home):
    store = Store.at_home(home)
    yield store
    store.close()


def ran_job(store, home, tmp_path, representation):
    fields = {"budget": {"evaluations": 24}, "evaluation": {"sandbox": False}}
    task = write_task(tmp_path / representation, **TASKS[representation], **fields)
    job = submit_job(store, task)
    run_task(job_spec(store, job), store, home / "results", resume=job.run_id)
    return job


@pytest.mark.parametrize("representation", ["program", "smiles", "vector"])
def test_top_is_the_best_first_with_rendered_fragments(store, home, tmp_path, representation):
    job = ran_job(store, home, tmp_path, representation)
    client = api_client(store, home)
    top = client.get(f"/api/jobs/{job.id}/top", params={"k": 3}).json()["top"]
    expected = store.top(job.run_id, 3)
    assert [row["hash"] for row in top] == [record.hash for record in expected]
    assert top[0]["metrics"] == expected[0].metrics
    for row, record in zip(top, expected, strict=True):
        assert row["representation"] == representation
        if representation == "program":
            assert 'style="color' in row["html"]  # Pygments' inline highlighting
        elif representation == "smiles":
            assert row["html"].count("<svg") == 1 and "<path" in row["html"]
            assert html.escape(record.content) in row["html"]
        else:  # a bar per coordinate, then the escaped numbers
            assert row["html"].count("<rect") == len(json.loads(record.content))
            assert row["html"].endswith(
                f'<pre class="candidate">{html.escape(record.content)}</pre></div>'
            )


@pytest.mark.parametrize("representation", ["program", "smiles", "vector"])
def test_lineage_walks_first_parents_back_to_a_seed(store, home, tmp_path, representation):
    job = ran_job(store, home, tmp_path, representation)
    chain = api_client(store, home).get(f"/api/jobs/{job.id}/lineage").json()
    chain = chain["lineage"]
    assert chain[0]["hash"] == store.best(job.run_id).hash
    for child, parent in zip(chain, chain[1:], strict=False):
        assert child["parents"][0] == parent["hash"]
    assert chain[-1]["parents"] == []
    assert len(chain) >= (1 if representation == "program" else 2)  # program: a seed wins
    assert "html" in chain[-1]


def test_top_and_lineage_of_a_job_without_candidates_are_empty(store, home, tmp_path):
    job = submit_job(store, write_task(tmp_path / "task"))
    client = api_client(store, home)
    assert client.get(f"/api/jobs/{job.id}/top").json()["top"] == []
    assert client.get(f"/api/jobs/{job.id}/lineage").json()["lineage"] == []
    assert client.get(f"/api/jobs/{job.id}/top", params={"k": 0}).status_code == 422
    assert client.get("/api/jobs/job-deadbeef/top").status_code == 404


def test_untrusted_candidate_text_never_reaches_the_page_unescaped(store, home, tmp_path):
    job = ran_job(store, home, tmp_path, "program")
    client = api_client(store, home)
    response = client.get(f"/api/jobs/{job.id}/top", params={"k": 50})
    fragments = [row["html"] for row in response.json()["top"]]
    assert any("alert(1)" in fragment for fragment in fragments)
    assert not any("<script" in fragment for fragment in fragments)
    assert "<script>alert" not in client.get(f"/api/jobs/{job.id}/lineage").text
