"""The LLM novelty check: the model's NO drops a child before evaluation, counted; YES, or a
failed check, lets it through (the scripted server decides)."""

import pytest

from discovery.runner import run_task
from discovery.spec import load_task
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.proposers.llm import LLMProposer
from evolve.proposers.novelty_judge import is_meaningful
from evolve.testing import Reply, ScriptedServer
from memory import Store
from memory.store import sqlite_url
from tests.fixtures.program_tasks import write_near_pi_task

REQUEST = {"timeout_seconds": 2.0, "max_retries": 0, "diff_ratio": 0.0, "novelty_check": True}


def child(value: str) -> Reply:
    return Reply(f"```python\ndef solve():\n    return {value}\n```")


def test_children_the_model_calls_cosmetic_are_not_evaluated(tmp_path):
    # per child: the rewrite, then the judge's verdict
    script = [
        child("3.1"),
        Reply("YES: a closer constant."),
        child("3.0 + 0.0"),
        Reply("NO - the same value written differently."),
        child("3.14"),
        Reply("yes"),
    ]
    with ScriptedServer(script, default=Reply("no code here")) as server:
        proposer = {"kind": "llm", "model": "m", "base_url": server.base_url, **REQUEST}
        spec = load_task(write_near_pi_task(tmp_path / "task", proposer, 6, batch_size=1))
        store = Store(sqlite_url(tmp_path / "store.db"))
        result = run_task(spec, store, tmp_path / "results", evaluations=3)
        judged = [
            r
            for r in server.requests
            if "Is this change to the program" in r["messages"][-1]["content"]
        ]
    evaluated = [r.content for r in store.history(result.run_id) if r.proposer == "llm"]
    assert evaluated == ["def solve():\n    return 3.1\n", "def solve():\n    return 3.14\n"]
    state = store.get_run(result.run_id).engine_state["proposer"]
    assert state["novelty_check"] == {"asked": 3, "rejected": 1}
    assert len(judged) == 3 and "+    return 3.0 + 0.0" in judged[1]["messages"][-1]["content"]
    store.close()


@pytest.mark.parametrize(
    ("reply", "meaningful"),
    [
        ("NO", False),
        ("**No**, cosmetic", False),
        ("YES", True),
        ("", True),
        (None, True),
        ("Nothing changes", True),
    ],
)
def test_only_an_explicit_no_rejects(reply, meaningful):
    assert is_meaningful(reply) is meaningful


def test_novelty_check_is_for_programs():
    problem = Problem("t", "text", Objective("score", "maximize"))
    with pytest.raises(ProposerConfigError, match="judges programs only"):
        LLMProposer(problem, model="m", novelty_check=True)
