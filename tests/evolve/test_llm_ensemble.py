"""An ensemble of models behind the LLM proposer: the bandit sends more requests to the model
whose children improve on their parents (scripted servers decide who is good)."""

from __future__ import annotations

import numpy as np
import pytest

from discovery.runner import run_task
from discovery.spec import load_task
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.proposers.llm import LLMProposer
from evolve.proposers.model_bandit import ModelBandit
from evolve.testing import Reply, ScriptedServer
from memory import Store
from memory.store import sqlite_url
from tests.fixtures.program_tasks import write_near_pi_task

DIGITS = "3.14159265358979"
BETTER = [Reply(f"```python\ndef solve():\n    return {DIGITS[: k + 3]}\n```") for k in range(12)]
REQUEST = {"timeout_seconds": 2.0, "max_retries": 0, "diff_ratio": 0.0}


@pytest.mark.parametrize("selection", ["ucb", "weighted"])
def test_the_model_whose_children_improve_gets_more_requests(tmp_path, selection):
    with (
        ScriptedServer(BETTER, default=Reply("no code")) as good,
        ScriptedServer([], default=Reply("I would rather not.")) as bad,
    ):
        models = [
            {"model": "bad", "base_url": bad.base_url},
            {"model": "good", "base_url": good.base_url},
        ]
        proposer = {"kind": "llm", "models": models, "selection": selection, **REQUEST}
        spec = load_task(write_near_pi_task(tmp_path / "task", proposer, 14, batch_size=1))
        store = Store(sqlite_url(tmp_path / "store.db"))
        result = run_task(spec, store, tmp_path / "results")
    records = store.get_run(result.run_id).engine_state["proposer"]["models"]
    assert records["good"]["picks"] > records["bad"]["picks"] >= 1
    assert records["good"]["value"] == 1.0 and records["bad"]["value"] == 0.0
    assert records["good"]["reward"] > 0 and records["bad"]["calls"] >= 1
    children = [r for r in store.history(result.run_id) if r.proposer == "llm"]
    assert children and all(r.metrics["error"] < 0.15 for r in children)
    store.close()


def test_ucb_tries_every_model_before_exploiting():
    bandit = ModelBandit(["a", "b", "c"])
    rng = np.random.default_rng(0)
    assert [bandit.pick(rng) for _ in range(3)] == ["a", "b", "c"]
    bandit.update("b", 1.0, 0.0, 1.0)
    bandit.update("a", 0.0, 0.0, 1.0)
    bandit.update("c", 0.0, 0.0, 1.0)
    assert bandit.pick(rng) == "b"


def test_cost_in_dollars_divides_the_improvement():
    bandit = ModelBandit(["cheap", "dear"])
    bandit.update("cheap", 1.0, 0.01, 5.0)
    bandit.update("dear", 1.0, 0.10, 1.0)
    assert bandit.values() == {"cheap": 1.0, "dear": pytest.approx(0.1)}


def test_bad_ensembles_say_what_to_fix():
    problem = Problem("p", "program", Objective("score"))
    with pytest.raises(ProposerConfigError, match="models\\[0\\] needs `model:`"):
        LLMProposer(problem, models=[{"base_url": "http://127.0.0.1:9"}])
    with pytest.raises(ProposerConfigError, match="must be a list of mappings"):
        LLMProposer(problem, models=["gpt"])
    with pytest.raises(ProposerConfigError, match="`selection` must be one of"):
        LLMProposer(
            problem, models=[{"model": "a", "base_url": "http://127.0.0.1:9"}], selection="best"
        )


def test_the_guidance_evolves_every_few_generations(tmp_path):
    """Generation 2 and 4 begin with a meta request (the scripted replies follow that order);
    the new guidance ends the system prompt of the requests that use it."""
    program = [r.content for r in BETTER]
    script = [
        Reply(program[0]),
        Reply("Use more digits of pi."),  # meta request of generation 2
        Reply(program[1]),
        Reply(program[2]),
        Reply("```\nReturn math.pi itself.\n```"),  # meta request of generation 4
        Reply(program[3]),
        Reply(program[4]),
    ]
    options = {"kind": "llm", "model": "m", "meta_prompts": {"every": 2, "size": 2}, **REQUEST}
    with ScriptedServer(script, default=Reply("no code")) as server:
        options["base_url"] = server.base_url
        spec = load_task(write_near_pi_task(tmp_path / "task", options, 6, batch_size=1))
        store = Store(sqlite_url(tmp_path / "store.db"))
        result = run_task(spec, store, tmp_path / "results")
        requests = server.requests
    state = store.get_run(result.run_id).engine_state["proposer"]["meta_prompts"]
    assert state["made"] == 3
    assert "Return math.pi itself." in state["texts"].values()
    assert len(state["texts"]) == 2  # size 2: the weakest tried guidance was dropped
    meta = [r for r in requests if "Guidance tried so far" in r["messages"][0]["content"]]
    assert len(meta) == 2
    guided = [
        r for r in requests if "# Guidance\nUse more digits of pi." in r["messages"][0]["content"]
    ]
    assert guided
    children = [r for r in store.history(result.run_id) if r.proposer == "llm"]
    assert len(children) >= 3  # the guided requests were answered with programs
    store.close()
