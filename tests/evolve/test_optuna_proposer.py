"""Optuna's samplers as a vector proposer: they optimize inside the loop, resume exactly from
their JSON state, and refuse bad options clearly."""

from __future__ import annotations

import numpy as np
import pytest

from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from evolve.context import Context, Member, Scored
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem, VectorSpace, decode_vector
from evolve.proposers.optuna_samplers import OptunaSampler
from memory import Store
from memory.store import sqlite_url

PROBLEM = Problem("sphere", "vector", Objective("score"), vector=VectorSpace(3, 0.0, 1.0))
KIND = "evolve.proposers.optuna_samplers:OptunaSampler"


def context(generation: int) -> Context:
    return Context(PROBLEM, generation, 0, (), (), None, np.random.default_rng(generation))


def score_all(proposals):
    results = []
    for number, proposal in enumerate(proposals):
        x = decode_vector(proposal.content)
        fitness = -sum((v - 0.3) ** 2 for v in x)
        results.append(Scored(proposal, Member(f"h{number}", proposal.content, fitness, {}, True)))
    return results


@pytest.mark.parametrize("sampler", ["tpe", "cmaes", "gp", "qmc", "random"])
def test_each_sampler_proposes_points_in_the_box(sampler):
    proposer = OptunaSampler(PROBLEM, sampler=sampler)
    for generation in range(1, 3):
        proposals = proposer.propose(context(generation), 4)
        assert len(proposals) == 4
        assert all(0.0 <= v <= 1.0 for p in proposals for v in decode_vector(p.content))
        proposer.tell(score_all(proposals))
    assert len(proposer.trials) == 8


def test_a_resumed_sampler_asks_what_an_uninterrupted_one_would():
    first = OptunaSampler(PROBLEM, sampler="tpe", n_startup_trials=4)
    for generation in range(1, 4):
        first.tell(score_all(first.propose(context(generation), 4)))
    resumed = OptunaSampler(PROBLEM, sampler="tpe", n_startup_trials=4)
    resumed.load_state_dict(first.state_dict())
    assert [p.content for p in resumed.propose(context(4), 4)] == [
        p.content for p in first.propose(context(4), 4)
    ]


def test_invalid_candidates_are_failed_trials():
    proposer = OptunaSampler(PROBLEM)
    proposals = proposer.propose(context(1), 2)
    invalid = Member("bad", proposals[0].content, None, {}, False)
    proposer.tell([Scored(proposals[0], invalid), *score_all(proposals[1:])])
    assert [value is None for _, value in proposer.trials] == [True, False]
    proposer.propose(context(2), 2)  # a study with a failed trial still asks


def test_tpe_improves_on_a_sphere_inside_the_loop(tmp_path):
    task = write_task(
        tmp_path / "task",
        proposer={"kind": KIND, "sampler": "tpe", "n_startup_trials": 8},
        engine={"islands": 1, "batch_size": 8},
        budget={"evaluations": 64},
    )
    store = Store(sqlite_url(tmp_path / "store.db"))
    result = run_task(load_task(task), store, tmp_path / "results", seed=0)
    history = list(store.history(result.run_id))
    first, last = history[:8], history[-16:]
    assert result.status == "finished" and len(history) == 64
    assert max(r.metrics["score"] for r in last) > max(r.metrics["score"] for r in first)
    assert {r.proposer for r in history} == {"optuna"}
    store.close()


@pytest.mark.parametrize(
    ("problem", "options", "words"),
    [
        (Problem("s", "smiles", Objective("score")), {}, "proposes vectors"),
        (PROBLEM, {"sampler": "annealing"}, "unknown sampler 'annealing'"),
        (PROBLEM, {"sampler": "tpe", "frobnicate": 3}, "frobnicate"),
    ],
)
def test_bad_options_are_clear(problem, options, words):
    with pytest.raises(ProposerConfigError, match=words):
        OptunaSampler(problem, **options)
