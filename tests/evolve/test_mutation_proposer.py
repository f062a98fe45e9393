"""Offline mutation: children parse, are deterministic per rng, and crossover mixes parents."""

from __future__ import annotations

import ast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.runner import run_task
from discovery.spec import load_task
from evolve.context import Context, Member
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.proposers import make_proposer
from evolve.proposers.ast_operators import crossover_programs, mutate_program, perturb_number
from evolve.proposers.mutation import ProgramMutation
from evolve.proposers.text_operators import crossover_text, mutate_text
from memory import Store
from memory.store import sqlite_url
from tests.fixtures.program_tasks import write_near_pi_task

PROGRAM_A = """
import math


def radius(i, n=26):
    if i < n // 2 and i >= 0:
        return 0.1 + 0.02 * math.sin(i)
    return 0.05


def spread(k):
    total = 0.0
    for j in range(k):
        total += j / 3.5
    return total
"""
PROGRAM_B = """
def radius(i, n=26):
    return scale(i) * 0.09


def spread(k):
    return k ** 2 - 1


def scale(i):
    return 1.0 + i / 100
"""
PROGRAM = Problem("pack", "program", Objective("score"))
TEXT = Problem("poem", "text", Objective("score"))


def member(content: str, name: str, fitness: float = 1.0) -> Member:
    return Member(
        hash=name, content=content, fitness=fitness, metrics={"score": fitness}, valid=True
    )


def context(problem: Problem, parents: list[Member], inspirations=(), seed: int = 0) -> Context:
    return Context(
        problem=problem,
        generation=1,
        island=0,
        parents=tuple(parents),
        inspirations=tuple(inspirations),
        best=parents[0] if parents else None,
        rng=np.random.default_rng(seed),
    )


def test_mutated_programs_always_parse_and_differ():
    rng = np.random.default_rng(1)
    children = [mutate_program(PROGRAM_A, rng, max_edits=3) for _ in range(200)]
    for child in children:
        ast.parse(child)
    assert all(ast.dump(ast.parse(c)) != ast.dump(ast.parse(PROGRAM_A)) for c in children)
    assert len(set(children)) > 100


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 6))
def test_mutation_parses_for_any_seed(seed, edits):
    child = mutate_program(PROGRAM_A, np.random.default_rng(seed), max_edits=edits)
    ast.parse(child)


def test_mutation_is_deterministic_given_the_rng():
    first = mutate_program(PROGRAM_A, np.random.default_rng(42))
    second = mutate_program(PROGRAM_A, np.random.default_rng(42))
    assert first == second


def test_mutation_skips_programs_that_do_not_parse_or_have_nothing_to_change():
    rng = np.random.default_rng(0)
    assert mutate_program("def f(:\n", rng) is None
    assert mutate_program("def f(x):\n    return x\n", rng) is None


@pytest.mark.parametrize("value", [0, 1, 7, 250, -3])
def test_integer_perturbation_moves_and_keeps_the_sign(value):
    moved = perturb_number(value, np.random.default_rng(3), sigma=0.1)
    assert isinstance(moved, int) and moved != value
    assert (moved >= 0) == (value >= 0)


def test_crossover_takes_functions_from_both_parents():
    seen_mixed = False
    for seed in range(10):
        child = crossover_programs(PROGRAM_A, PROGRAM_B, np.random.default_rng(seed))
        functions = {
            node.name: ast.unparse(node)
            for node in ast.parse(child).body
            if isinstance(node, ast.FunctionDef)
        }
        from_a = {ast.unparse(n) for n in ast.parse(PROGRAM_A).body}
        from_b = {ast.unparse(n) for n in ast.parse(PROGRAM_B).body}
        sources = {name: (code in from_a, code in from_b) for name, code in functions.items()}
        assert all(a or b for a, b in sources.values())
        assert {"radius", "spread"} <= functions.keys()
        seen_mixed |= any(a for a, _ in sources.values()) and any(b for _, b in sources.values())
        if functions["radius"] in from_b:
            assert "scale" in functions  # the helper it calls comes along
    assert seen_mixed


def test_crossover_of_identical_programs_gives_nothing():
    assert crossover_programs(PROGRAM_A, PROGRAM_A, np.random.default_rng(0)) is None


def test_proposer_returns_distinct_parsable_children_with_lineage():
    parent, other = member(PROGRAM_A, "a"), member(PROGRAM_B, "b")
    proposer = ProgramMutation(PROGRAM, crossover_fraction=0.5)
    proposals = proposer.propose(context(PROGRAM, [parent], [other]), 12)
    assert len(proposals) == 12
    assert len({p.content for p in proposals}) == 12
    for proposal in proposals:
        ast.parse(proposal.content)
        assert proposal.parents[0] == "a"
        assert proposal.proposer in {"mutation", "crossover"}
        if proposal.proposer == "crossover":
            assert proposal.parents == ("a", "b")
    assert {p.proposer for p in proposals} == {"mutation", "crossover"}


def test_proposer_is_deterministic_given_the_context_rng():
    parents, inspirations = [member(PROGRAM_A, "a")], [member(PROGRAM_B, "b")]
    first = ProgramMutation(PROGRAM).propose(context(PROGRAM, parents, inspirations, seed=5), 6)
    second = ProgramMutation(PROGRAM).propose(context(PROGRAM, parents, inspirations, seed=5), 6)
    assert first == second


def test_proposer_without_parents_proposes_nothing():
    assert ProgramMutation(PROGRAM).propose(context(PROGRAM, []), 4) == []


def test_text_mutation_and_crossover():
    rng = np.random.default_rng(0)
    text = "the quick brown fox\njumps over\nthe lazy dog"
    child = mutate_text(text, rng, vocabulary=["cat"])
    assert child is not None and child != text
    assert child.count("\n") == 2  # line structure kept
    crossed = crossover_text("a b c d e f", "u v w x y z", rng)
    words = crossed.split()
    assert words[0] == "a" and words[-1] == "z"


def test_proposer_handles_text_candidates():
    parents = [member("one two three four", "a"), member("five six seven eight", "b")]
    proposals = ProgramMutation(TEXT).propose(context(TEXT, parents), 5)
    assert len(proposals) == 5
    assert all(p.content.strip() for p in proposals)


def test_registry_default_for_programs_is_this_proposer():
    assert isinstance(make_proposer(PROGRAM), ProgramMutation)


def test_vector_tasks_are_refused_with_the_right_kind_named():
    vector = Problem("v", "vector", Objective("score"))
    with pytest.raises(ProposerConfigError, match="cmaes"):
        ProgramMutation(vector)


def _constants(source: str) -> list[float]:
    return [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)]


def test_same_shape_functions_mix_their_constants_site_by_site():
    ours = "def f(x):\n    return 1.5 * x + 2.5 * x ** 2 + 3.5 * x ** 3 + 4.5 < 5.5\n"
    theirs = "def f(x):\n    return 6.5 * x - 7.5 * x ** 4 + 8.5 * x ** 5 + 9.5 > 10.5\n"
    child = crossover_programs(ours, theirs, np.random.default_rng(0))
    pairs = list(zip(_constants(ours), _constants(theirs), strict=True))
    values = _constants(child)
    assert len(values) == len(pairs)
    origins = [(v == a, v == b) for v, (a, b) in zip(values, pairs, strict=True)]
    assert all(a or b for a, b in origins)
    assert any(a for a, _ in origins) and any(b for _, b in origins)


def test_program_task_runs_end_to_end_with_the_default_proposer(tmp_path):
    store = Store(sqlite_url(tmp_path / "store.db"))
    spec = load_task(write_near_pi_task(tmp_path / "task", {}, evaluations=24))
    result = run_task(spec, store, tmp_path / "results")
    records = list(store.history(result.run_id))
    known = {r.hash for r in records}
    assert result.status == "finished" and len(records) == 24
    assert {r.proposer for r in records[1:]} <= {"mutation", "crossover"}
    assert all(r.parents and set(r.parents) <= known for r in records[1:])
    assert result.best_metrics["error"] < records[0].metrics["error"]
