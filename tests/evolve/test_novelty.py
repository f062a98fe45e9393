"""The novelty filter: near repeats are recognized by representation and not evaluated."""

from __future__ import annotations

import json
import math

from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from evolve.novelty import NoveltyFilter, program_key, text_key
from evolve.problem import Objective, Problem, VectorSpace, encode_vector
from memory import Store
from memory.store import sqlite_url

PROGRAM = '''
def solve(n):
    """Sum of squares."""
    total = 0
    for i in range(n):  # every term
        total += i * i
    return total
'''
RENAMED = """
def compute(count):
    acc = 0
    for k in range(count):
        acc += k * k

    return acc
"""
CHANGED = PROGRAM.replace("i * i", "i * i * i")


def test_a_program_with_renamed_names_and_no_docstring_is_a_repeat():
    assert program_key(PROGRAM) == program_key(RENAMED)
    assert program_key(PROGRAM) != program_key(CHANGED)
    assert program_key("def broken(:\n") == "def broken(:"


def test_texts_differing_in_case_and_spacing_are_repeats():
    assert text_key("Pack  the circles\nTIGHTLY") == text_key("pack the circles tightly")


def test_vectors_closer_than_the_threshold_are_repeats():
    problem = Problem("v", "vector", Objective("score"), vector=VectorSpace(4, 0.0, 2.0))
    novelty = NoveltyFilter(problem, threshold=0.01)  # 1 % of the diagonal (4.0): 0.04
    held = [encode_vector([1.0, 1.0, 1.0, 1.0])]
    assert not novelty.keep(encode_vector([1.0, 1.0, 1.0, 1.03]), held)
    assert novelty.keep(encode_vector([1.0, 1.0, 1.0, 1.05]), held)
    assert novelty.rejected == 1


def test_programs_are_filtered_whatever_the_threshold():
    problem = Problem("p", "program", Objective("score"))
    novelty = NoveltyFilter(problem, threshold=0.0)
    assert not novelty.keep(RENAMED, [PROGRAM])
    assert novelty.keep(CHANGED, [PROGRAM])


def test_a_run_with_the_filter_counts_the_repeats_it_did_not_evaluate(tmp_path):
    task = write_task(
        tmp_path / "task",
        engine={"islands": 1, "batch_size": 8, "novelty": 0.05},
        budget={"evaluations": 120},
    )
    store = Store(sqlite_url(tmp_path / "store.db"))
    ends = [0]  # evaluations after each generation: a filtered generation stores fewer than 8
    report = lambda progress: ends.append(progress.evaluations)  # noqa: E731
    result = run_task(load_task(task), store, tmp_path / "results", seed=0, on_progress=report)
    state = store.get_run(result.run_id).engine_state
    history = list(store.history(result.run_id))
    assert result.evaluations == 120 and state["near_repeats"] > 0
    vectors = [json.loads(r.content) for r in history]
    generations = [vectors[start:end] for start, end in zip(ends, ends[1:], strict=False)]
    assert sum(len(batch) for batch in generations) == 120
    closest = min(
        math.dist(a, b)
        for batch in generations
        for i, a in enumerate(batch)
        for b in batch[i + 1 :]
    )
    assert closest >= 0.05 * math.sqrt(4)  # no two candidates of a generation are near repeats
    store.close()
