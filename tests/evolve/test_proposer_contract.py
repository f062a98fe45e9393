"""The proposer contract, written once and run for every registered proposer kind.

Each kind, on a problem of a representation it serves: `propose` returns `Proposal`s with
text content and lineage drawn from the context; the same rng gives the same proposals;
`state_dict` is JSON, and a proposer restored from it proposes what the original would.
"""

import json
from contextlib import ExitStack

import numpy as np
import pytest

from evolve import Context, Member, Objective, Problem, Proposal, Scored, VectorSpace
from evolve.proposers import make_proposer, registered_kinds
from evolve.testing import Reply, ScriptedServer
from memory import candidate_hash

PROGRAM = "def solve():\n    return 3.0 + 0.1\n"
DIFF = "<<<<<<< SEARCH\n    return 3.0 + 0.1\n=======\n    return 3.1 + 0.04\n>>>>>>> REPLACE\n"
REPLIES = {"llm": DIFF, "llm_smiles": "```smiles\nCCOc1ccccc1\nCC(=O)Nc1ccc(O)cc1\n```\n"}
PARENTS = {
    "vector": ["[0.1, 0.2, 0.3]", "[0.5, 0.6, 0.7]"],
    "program": [PROGRAM, "def solve():\n    return 2.0 * 1.5\n"],
    "text": ["the quick brown fox", "jumps over the lazy dog"],
    "smiles": ["CC(=O)Oc1ccccc1C(=O)O", "c1ccc2ccccc2c1"],
}
CASES = [
    ("cmaes", "vector"),
    ("mutation", "program"),
    ("mutation", "text"),
    ("graph_ga", "smiles"),
    ("llm", "program"),
    ("smiles_policy", "smiles"),
    ("smiles_mixture", "smiles"),
    ("llm_smiles", "smiles"),
    ("optuna", "vector"),
    ("edit_policy", "smiles"),
]
# Kinds whose contract is tested elsewhere, and why not here.
ELSEWHERE = {
    "local_lm": "needs a model folder and writes nothing usable untrained: "
    "tests/evolve/test_local_lm.py runs it on a tiny GPT-2 built from a config",
}


def test_every_registered_kind_is_covered():
    assert {kind for kind, _ in CASES} | set(ELSEWHERE) == set(registered_kinds())


def problem_for(representation):
    space = VectorSpace(size=3) if representation == "vector" else None
    return Problem(
        name="contract",
        representation=representation,
        objective=Objective("score"),
        vector=space,
        description="maximize score",
    )


def context_for(problem, seed):
    members = tuple(
        Member(
            hash=candidate_hash(problem.representation, text),
            content=text,
            fitness=float(i),
            metrics={"score": float(i)},
            valid=True,
            island=0,
        )
        for i, text in enumerate(PARENTS[problem.representation])
    )
    return Context(
        problem=problem,
        generation=1,
        island=0,
        parents=members,
        inspirations=members[:1],
        best=members[-1],
        rng=np.random.default_rng(seed),
    )


def build(kind, representation, stack):
    options = {}
    if kind in REPLIES:
        server = stack.enter_context(ScriptedServer([], default=Reply(content=REPLIES[kind])))
        options = {"model": "scripted", "base_url": server.base_url}
    return make_proposer(problem_for(representation), kind, **options)


@pytest.mark.parametrize(("kind", "representation"), CASES)
def test_proposals_are_text_with_lineage_from_the_context(kind, representation):
    with ExitStack() as stack:
        proposer = build(kind, representation, stack)
        context = context_for(proposer.problem, seed=0)
        proposals = proposer.propose(context, 4)
    known = {m.hash for m in context.parents + context.inspirations}
    assert proposals and len(proposals) <= 4
    for proposal in proposals:
        assert (
            isinstance(proposal, Proposal)
            and isinstance(proposal.content, str)
            and proposal.content
        )
        assert set(proposal.parents) <= known


@pytest.mark.parametrize(("kind", "representation"), CASES)
def test_same_rng_gives_the_same_proposals(kind, representation):
    with ExitStack() as stack:
        first = build(kind, representation, stack).propose(
            context_for(problem_for(representation), 7), 4
        )
        second = build(kind, representation, stack).propose(
            context_for(problem_for(representation), 7), 4
        )
    assert [p.content for p in first] == [p.content for p in second]


@pytest.mark.parametrize(("kind", "representation"), CASES)
def test_state_is_json_and_a_restored_proposer_proposes_the_same(kind, representation):
    with ExitStack() as stack:
        proposer = build(kind, representation, stack)
        context = context_for(proposer.problem, seed=1)
        proposals = proposer.propose(context, 4)
        scored = [
            Scored(
                p,
                Member(
                    hash=candidate_hash(representation, p.content),
                    content=p.content,
                    fitness=float(i),
                    metrics={"score": float(i)},
                    valid=True,
                ),
            )
            for i, p in enumerate(proposals)
        ]
        proposer.tell(scored)
        state = json.loads(json.dumps(proposer.state_dict()))
        restored = build(kind, representation, stack)
        restored.load_state_dict(state)
        again = proposer.propose(context_for(proposer.problem, seed=3), 4)
        resumed = restored.propose(context_for(proposer.problem, seed=3), 4)
    assert [p.content for p in again] == [p.content for p in resumed]
