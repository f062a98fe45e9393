"""The LLM proposer against a scripted OpenAI-compatible server on 127.0.0.1 (no real API)."""

from __future__ import annotations

import logging
import socket

import numpy as np
import pytest

from discovery.runner import run_task
from discovery.spec import load_task
from evolve.context import Context, Member
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.proposers import make_proposer
from evolve.proposers.llm import LLMProposer
from evolve.testing import Reply, ScriptedServer
from memory import Store
from memory.store import sqlite_url
from tests.fixtures.program_tasks import NEAR_PI_SEED, write_near_pi_task

GOOD_DIFF = """Closer to pi:
<<<<<<< SEARCH
    return 3.0
=======
    return 3.14159
>>>>>>> REPLACE
"""
STALE_DIFF = """<<<<<<< SEARCH
    return 2.0
=======
    return 3.1
>>>>>>> REPLACE
"""
PROBLEM = Problem(
    "near-pi", "program", Objective("error", "minimize"), "Return a number close to pi."
)
PARENT = Member(
    hash="parent-hash",
    content=NEAR_PI_SEED,
    fitness=-0.1416,
    metrics={"error": 0.1416},
    valid=True,
    feedback="solve() returned 3.0",
)
INSPIRATION = Member(
    hash="other-hash",
    content="def solve():\n    return 22 / 7\n",
    fitness=-0.00126,
    metrics={"error": 0.00126},
    valid=True,
)


def make_context(lessons: tuple[str, ...] = ()) -> Context:
    return Context(
        problem=PROBLEM,
        generation=1,
        island=0,
        parents=(PARENT,),
        inspirations=(INSPIRATION,),
        best=PARENT,
        rng=np.random.default_rng(0),
        lessons=lessons,
    )


def make_llm(server: ScriptedServer, **options) -> LLMProposer:
    settings = {"timeout_seconds": 0.5, "max_retries": 1, "backoff_seconds": 0.01, **options}
    return LLMProposer(PROBLEM, model="scripted", base_url=server.base_url, **settings)


def llm_options(base_url: str) -> dict:
    return {
        "kind": "llm",
        "model": "scripted",
        "base_url": base_url,
        "timeout_seconds": 0.5,
        "max_retries": 1,
        "backoff_seconds": 0.01,
        "diff_ratio": 1.0,
    }


def test_run_goes_on_through_failures_and_stores_the_valid_diff_with_its_parent(tmp_path, caplog):
    script = [
        Reply(""),  # empty reply
        Reply("Make the number bigger."),  # no code at all
        Reply(STALE_DIFF),  # SEARCH text not in the parent
        Reply(status=429),  # retried ...
        Reply(status=500),  # ... and failed for good (max_retries 1)
        Reply(delay_seconds=2.0),  # timeout, retried ...
        Reply(GOOD_DIFF),  # ... and answered
    ]
    store = Store(sqlite_url(tmp_path / "store.db"))
    with ScriptedServer(script) as server, caplog.at_level(logging.WARNING):
        options = llm_options(server.base_url)
        spec = load_task(write_near_pi_task(tmp_path / "task", options, 2, batch_size=1))
        result = run_task(spec, store, tmp_path / "results")

    assert result.status == "finished"
    seed, child = list(store.history(result.run_id))
    assert child.proposer == "llm"
    assert child.parents == [seed.hash]
    assert "return 3.14159" in child.content
    assert child.valid and child.metrics["error"] < 1e-5
    usage = store.get_run(result.run_id).engine_state["proposer"]["usage"]
    assert usage["failures"] == {
        "empty_reply": 1,
        "no_code": 1,
        "diff_not_applied": 1,
        "call_failed": 1,
    }
    assert usage["retries"] == 2
    assert usage["calls"] == 4 and usage["prompt_tokens"] == 400
    assert sum("LLM proposal skipped" in r.getMessage() for r in caplog.records) == 4


def test_prompt_shows_parent_metrics_feedback_inspirations_and_lessons():
    with ScriptedServer([Reply(GOOD_DIFF)]) as server:
        make_llm(server, diff_ratio=1.0).propose(make_context(lessons=("keep it a float",)), 1)
    system, user = server.requests[0]["messages"]
    assert "Return a number close to pi." in system["content"]
    assert "minimize the metric `error`" in system["content"]
    assert NEAR_PI_SEED.strip() in user["content"]
    assert "error = 0.1416" in user["content"]
    assert "solve() returned 3.0" in user["content"]
    assert "return 22 / 7" in user["content"] and "error = 0.00126" in user["content"]
    assert "- keep it a float" in user["content"]
    assert "<<<<<<< SEARCH" in user["content"]


def test_rewrite_mode_asks_for_a_fenced_program_and_accepts_it():
    rewrite = "Here:\n```python\ndef solve():\n    return 355 / 113\n```\n"
    with ScriptedServer([Reply(rewrite)]) as server:
        proposals = make_llm(server, diff_ratio=0.0).propose(make_context(), 1)
    assert "single fenced block" in server.requests[0]["messages"][1]["content"]
    assert [p.content for p in proposals] == ["def solve():\n    return 355 / 113\n"]
    assert proposals[0].meta == {"asked": "rewrite", "answered": "rewrite", "model": "scripted"}


def test_a_reply_that_does_not_parse_is_skipped_as_syntax_error():
    with ScriptedServer([Reply("```python\ndef solve(:\n```")]) as server:
        proposer = make_llm(server)
        assert proposer.propose(make_context(), 1) == []
    assert proposer.state_dict()["usage"]["failures"] == {"syntax_error": 1}


def test_a_client_error_is_not_retried():
    with ScriptedServer([Reply(status=400), Reply(GOOD_DIFF)]) as server:
        proposer = make_llm(server, max_retries=3)
        assert proposer.propose(make_context(), 1) == []
    assert len(server.requests) == 1
    assert proposer.state_dict()["usage"]["failures"] == {"call_failed": 1}


def test_a_refused_connection_is_retried_then_counted():
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proposer = LLMProposer(
        PROBLEM,
        model="m",
        base_url=f"http://127.0.0.1:{port}/v1",
        max_retries=2,
        backoff_seconds=0.01,
    )
    assert proposer.propose(make_context(), 1) == []
    usage = proposer.state_dict()["usage"]
    assert usage["retries"] == 2 and usage["failures"] == {"call_failed": 1}


def test_a_body_that_is_not_json_counts_as_a_failed_call():
    with ScriptedServer([Reply(raw_body="<html>502 Bad Gateway</html>")]) as server:
        proposer = make_llm(server)
        assert proposer.propose(make_context(), 1) == []
    assert proposer.state_dict()["usage"]["failures"] == {"call_failed": 1}


def test_cost_is_counted_from_usage_and_the_cap_hands_over_to_mutation():
    reply = Reply(GOOD_DIFF, prompt_tokens=1000, completion_tokens=500)
    with ScriptedServer([reply, reply]) as server:
        proposer = make_llm(
            server,
            cost_per_1k_prompt_tokens=0.5,
            cost_per_1k_completion_tokens=2.0,
            budget_usd=1.0,
        )
        first = proposer.propose(make_context(), 1)
        later = proposer.propose(make_context(), 3)
    assert proposer.state_dict()["usage"]["cost_usd"] == pytest.approx(1.5)
    assert [p.proposer for p in first] == ["llm"]
    assert later and {p.proposer for p in later} <= {"mutation", "crossover"}
    assert len(server.requests) == 1


def test_with_on_budget_stop_a_spent_cap_returns_nothing():
    with ScriptedServer([Reply(GOOD_DIFF, prompt_tokens=90, completion_tokens=20)]) as server:
        proposer = make_llm(server, budget_tokens=100, on_budget="stop")
        proposer.propose(make_context(), 1)
        assert proposer.propose(make_context(), 2) == []
    assert len(server.requests) == 1


def test_spending_survives_a_resume_through_state_dict():
    with ScriptedServer([Reply(GOOD_DIFF, prompt_tokens=90, completion_tokens=20)]) as server:
        first = make_llm(server, budget_tokens=100, on_budget="stop")
        first.propose(make_context(), 1)
        resumed = make_llm(server, budget_tokens=100, on_budget="stop")
        resumed.load_state_dict(first.state_dict())
        assert resumed.propose(make_context(), 1) == []
    assert resumed.state_dict() == first.state_dict()
    assert len(server.requests) == 1


def test_concurrent_requests_all_come_back():
    replies = [Reply(GOOD_DIFF.replace("3.14159", f"3.14{i}"), delay_seconds=0.2) for i in range(4)]
    with ScriptedServer(replies) as server:
        proposals = make_llm(server, concurrency=4).propose(make_context(), 4)
    assert len(proposals) == 4 and len({p.content for p in proposals}) == 4
    assert all(p.parents == ("parent-hash",) for p in proposals)


def test_registry_builds_the_llm_proposer_from_yaml_options():
    with ScriptedServer([]) as server:
        proposer = make_proposer(PROBLEM, "llm", model="m", base_url=server.base_url)
    assert isinstance(proposer, LLMProposer)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": "http://127.0.0.1:9/v1"}, "needs `model:`"),
        ({"model": "m", "api_key_env": "DISCOVERY_TEST_UNSET_KEY"}, "is not set"),
        ({"model": "m", "base_url": "http://127.0.0.1:9/v1", "diff_ratio": 2}, "diff_ratio"),
        ({"model": "m", "base_url": "http://127.0.0.1:9/v1", "on_budget": "x"}, "on_budget"),
        ({"model": "m", "base_url": "http://127.0.0.1:9/v1", "temprature": 1}, "unknown option"),
    ],
)
def test_bad_options_say_what_to_fix(options, message, monkeypatch):
    monkeypatch.delenv("DISCOVERY_TEST_UNSET_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ProposerConfigError, match=message):
        LLMProposer(PROBLEM, **options)
