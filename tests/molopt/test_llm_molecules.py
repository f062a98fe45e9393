"""The LLM molecule proposer against a scripted OpenAI-compatible server on 127.0.0.1."""

import numpy as np
import pytest

from evolve.context import Context, Member
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.testing import Reply, ScriptedServer
from molopt.llm_molecules import LLMSmiles
from molopt.llm_prompt import smiles_in_reply

PROBLEM = Problem(
    "pmo-qed", "smiles", Objective("score"), "Maximize the QED drug-likeness of the molecule."
)
PARENTS = tuple(
    Member(
        hash=f"h{i}",
        content=smiles,
        fitness=score,
        metrics={"score": score},
        valid=True,
        feedback=f"qed {score}",
    )
    for i, (smiles, score) in enumerate(
        [("CC(=O)Oc1ccccc1C(=O)O", 0.55), ("c1ccc2ccccc2c1", 0.44), ("CCO", 0.41)]
    )
)
GOOD = """Add an amide and keep the ring.
```smiles
CC(=O)Nc1ccc(O)cc1
OC(=O)c1ccccc1O
CC(=O)Oc1ccccc1C(=O)O
C1CC1(
CCO.O
```"""


def context(seed=0, parents=PARENTS):
    return Context(PROBLEM, 1, 0, parents, (), parents[0], np.random.default_rng(seed))


def llm(server, **options):
    settings = {"timeout_seconds": 0.5, "max_retries": 1, "backoff_seconds": 0.01, **options}
    return LLMSmiles(PROBLEM, model="scripted", base_url=server.base_url, **settings)


def test_replies_become_new_canonical_molecules_and_bad_ones_are_counted():
    with ScriptedServer([Reply(content=GOOD)]) as server:
        proposer = llm(server, per_request=8)
        proposals = proposer.propose(context(), 8)
    # the parent (aspirin) is not new; the unclosed ring and the two-fragment one are invalid
    assert [p.content for p in proposals] == ["CC(=O)Nc1ccc(O)cc1", "O=C(O)c1ccccc1O"]
    assert all(
        p.proposer == "llm_smiles" and set(p.parents) == {"h0", "h1", "h2"} for p in proposals
    )
    usage = proposer.state_dict()["usage"]
    assert usage["failures"] == {"invalid_smiles": 2} and usage["calls"] == 1


def test_the_prompt_shows_the_task_and_the_scored_parents_best_first():
    with ScriptedServer([Reply(content=GOOD)]) as server:
        llm(server, per_request=5).propose(context(), 5)
    system, user = (m["content"] for m in server.requests[0]["messages"])
    assert "QED drug-likeness" in system and "maximize the metric `score`" in system
    assert user.index("CC(=O)Oc1ccccc1C(=O)O") < user.index("c1ccc2ccccc2c1") < user.index("CCO")
    assert "score = 0.55" in user and "qed 0.55" in user and "give exactly 5 SMILES" in user


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(content=""), "empty_reply"),
        (Reply(content="Here is my idea: make it more polar."), "no_smiles"),
        (Reply(raw_body="<html>bad gateway</html>"), "call_failed"),
        (Reply(status=400), "call_failed"),
    ],
)
def test_malformed_replies_are_skipped_and_counted(reply, reason):
    with ScriptedServer([reply]) as server:
        proposer = llm(server, per_request=8)
        assert proposer.propose(context(), 8) == []
    assert proposer.state_dict()["usage"]["failures"] == {reason: 1}


def test_transient_errors_are_retried():
    with ScriptedServer([Reply(status=429), Reply(content="```\nCCN\n```")]) as server:
        proposer = llm(server, per_request=4)
        proposals = proposer.propose(context(), 4)
    assert [p.content for p in proposals] == ["CCN"]
    assert proposer.state_dict()["usage"]["retries"] == 1


def test_past_the_token_cap_the_graph_ga_takes_over_and_the_cap_survives_a_resume():
    with ScriptedServer([], default=Reply(content=GOOD, prompt_tokens=900)) as server:
        proposer = llm(server, per_request=8, budget_tokens=500)
        proposer.propose(context(), 8)
        state = proposer.state_dict()
        restored = llm(server, per_request=8, budget_tokens=500)
        restored.load_state_dict(state)
        after = restored.propose(context(), 6)
    assert len(server.requests) == 1
    assert after and all(p.proposer == "graph_ga" for p in after)


def test_prompts_show_a_random_subset_of_a_large_population():
    many = tuple(Member(f"m{i}", "C" * (i + 1), i / 30, {"score": i / 30}, True) for i in range(30))
    with ScriptedServer([], default=Reply(content="```\nCCO\n```")) as server:
        llm(server, per_request=1, parents_in_prompt=5).propose(context(parents=many), 2)
    shown = [r["messages"][1]["content"].count("\n- C") for r in server.requests]
    assert shown == [5, 5]
    assert server.requests[0]["messages"] != server.requests[1]["messages"]


def test_reply_parsing_without_fences_takes_smiles_like_first_words():
    reply = "Here are three:\n1. CCO (ethanol)\n- c1ccccc1,\n* `CC(=O)O`\nThat is all."
    assert smiles_in_reply(reply) == ["CCO", "c1ccccc1", "CC(=O)O"]


def test_options_are_checked():
    with pytest.raises(ProposerConfigError, match="needs `model:`"):
        LLMSmiles(PROBLEM)
    with pytest.raises(ProposerConfigError, match="writes SMILES"):
        LLMSmiles(Problem("p", "program", Objective("score")), model="m", base_url="http://x/v1")
