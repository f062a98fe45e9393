"""`discover best` shows an LLM ensemble's per-model counts, rewards and costs."""

import json

import pytest
from typer.testing import CliRunner

from discovery.cli import app
from memory import Store
from memory.jobs import JobQueue
from tests.fixtures.ensemble import finished_ensemble_job


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ensemble")
    store = Store.at_home(folder / "home")
    job = finished_ensemble_job(folder / "task", store, folder / "home")
    run = store.get_run(JobQueue(store).get(job).run_id)
    store.close()
    return folder / "home", run


def best(home, *args):
    result = CliRunner().invoke(app, ["best", *args, "--home", str(home)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_best_json_carries_each_models_record(ensemble):
    home, run = ensemble
    shown = json.loads(best(home, run.id, "--json"))["proposer"]
    assert shown["models"] == run.engine_state["proposer"]["models"]
    good, bad = shown["models"]["good"], shown["models"]["bad"]
    assert good["reward"] > 0 and good["cost_usd"] > 0 and good["value"] == 1.0
    assert bad["reward"] == 0 and bad["cost_usd"] == 0 and bad["calls"] >= 1
    assert shown["usage"]["calls"] == good["calls"] + bad["calls"]


def test_best_lists_the_models_before_the_candidate(ensemble):
    home, run = ensemble
    lines = best(home, run.id).splitlines()
    good = run.engine_state["proposer"]["models"]["good"]
    assert lines[0].startswith("# model bad: picks ")
    assert lines[1].startswith(f"# model good: picks {good['picks']}, answered {good['calls']}")
    assert f"cost ${good['cost_usd']:.4f}" in lines[1]
    assert lines[2].startswith(f"# run {run.id}") and lines[-2].startswith("    return 3.14")
