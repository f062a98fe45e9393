"""The PMO task files load, and one runs end to end through `discover run` in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discovery.cli import app
from discovery.spec import load_task
from memory import Store
from molopt.objectives import PMO_OBJECTIVES
from molopt.pmo import call_scores, run_result

TASKS = Path(__file__).resolve().parents[2] / "tasks" / "pmo"


def test_there_is_one_task_per_pmo_objective():
    assert sorted(p.stem for p in TASKS.glob("*.yaml")) == sorted(PMO_OBJECTIVES)


@pytest.mark.parametrize("name", sorted(PMO_OBJECTIVES))
def test_task_file_loads_with_pmo_settings(name):
    spec = load_task(TASKS / f"{name}.yaml")
    assert spec.representation == "smiles"
    assert spec.params == {"objective": name}
    assert spec.budget.evaluations == 10_000
    assert (spec.engine.population_size, spec.engine.batch_size) == (120, 70)
    assert spec.proposer.kind == "graph_ga" and spec.proposer.options["mutation_rate"] == 0.067


def test_discover_run_improves_albuterol_similarity_over_its_start(isolated_home):
    result = CliRunner().invoke(
        app, ["run", str(TASKS / "albuterol_similarity.yaml"), "--evaluations", "280", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["status"] == "finished" and report["evaluations"] == 280
    store = Store.at_home(isolated_home)
    scores = call_scores(store.history(report["run"]))
    start = max(scores[:70])  # the first generation: molecules sampled from the ZINC pool
    assert max(scores) > start
    assert run_result(store, report["run"], budget=280).top10 > sorted(scores[:70])[-10]
    store.close()
