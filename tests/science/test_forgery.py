"""A hostile program candidate cannot forge its score: the probes of an attacker, each held.

The candidates attack the built-in `circle_packing_program` evaluator (best known sum of radii
for n=26: 2.6360) from inside `pack()`, as the attacks found on the old evaluator did: patch
the checker through the caller's frame or the garbage collector, patch the numpy functions it
calls, write a forged verdict on every inherited descriptor and exit. Each returns an invalid
packing (overlapping circles of radius 0.5), so any "valid" verdict would be a forgery.
"""

from __future__ import annotations

import pytest

from science import EvaluatorRef, Job, Limits, Verdict
from tests.tasks.conftest import TASKS

BEST_KNOWN = 2.6360
OVERLAPPING = "[[0.5, 0.5, 0.5]] * 26"
FORGED = '{"valid": true, "metrics": {"sum_radii": 13.0}, "feedback": "", "error": "", "artifacts": {}, "seconds": 0.0}'

PROBES = {
    "caller's frame": f"""
import sys
def pack(n):
    frame = sys._getframe(1)
    while frame is not None:
        frame.f_globals["violations"] = lambda circles: []
        frame = frame.f_back
    return {OVERLAPPING}
""",
    "garbage collector": f"""
import gc
def pack(n):
    for obj in gc.get_objects():
        if isinstance(obj, dict) and "violations" in obj and "evaluate" in obj:
            obj["violations"] = lambda circles: []
    return {OVERLAPPING}
""",
    "numpy patched": f"""
import numpy as np
def pack(n):
    np.hypot = lambda *a: np.full(np.broadcast(*a).shape, 1e9)
    np.flatnonzero = lambda *a: np.array([], dtype=int)
    return {OVERLAPPING}
""",
    "forged verdict on every descriptor": f"""
import os
def pack(n):
    for fd in range(3, 256):
        try:
            os.write(fd, {FORGED!r}.encode())
        except OSError:
            pass
    os._exit(0)
""",
    "infinite radius": """
def pack(n):
    return [[0.5, 0.5, float("inf")]] * n
""",
}


def program_job(source: str) -> Job:
    ref = EvaluatorRef.parse("evaluator.py:evaluate", TASKS / "circle_packing_program")
    return Job(ref, source, "program", {"n": 26}, Limits(timeout_seconds=20, memory_mb=1024))


@pytest.mark.parametrize("name", sorted(PROBES))
def test_a_hostile_candidate_cannot_forge_its_score(pool, name):
    [verdict] = pool.evaluate([program_job(PROBES[name])])
    assert verdict.valid is False, (name, verdict)
    assert verdict.metrics.get("sum_radii", 0.0) <= BEST_KNOWN
    assert verdict.isolated_calls == 1


IN_PROCESS_CHECKER = """
import importlib.util
import numpy as np

def violations(circles):
    x, y, r = circles.T
    i, j = np.triu_indices(len(circles), 1)
    overlap = np.flatnonzero(r[i] + r[j] - np.hypot(x[i] - x[j], y[i] - y[j]) > 0)
    return [f"overlap {k}" for k in overlap]

def evaluate(candidate, n=26):
    spec = importlib.util.spec_from_file_location("candidate", candidate)
    program = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(program)
    circles = np.asarray(program.pack(n), dtype=float)
    if violations(circles):
        return {"valid": False, "feedback": "overlap"}
    return {"sum_radii": float(circles[:, 2].sum())}
"""


@pytest.mark.parametrize(
    "name",
    ["caller's frame", "garbage collector", "numpy patched", "forged verdict on every descriptor"],
)
def test_the_probes_do_forge_a_checker_that_imports_the_candidate(pool, make_job, name):
    """The control: the same probes against a checker sharing the candidate's process."""
    job = make_job(IN_PROCESS_CHECKER, PROBES[name], timeout_seconds=20)
    [verdict] = pool.evaluate([Job(job.evaluator, job.candidate, "program", {}, job.limits)])
    assert verdict.valid is True
    assert verdict.metrics["sum_radii"] == 13.0
    assert verdict.isolated_calls == 0


def test_the_seed_program_still_scores(pool):
    seed = (TASKS / "circle_packing_program" / "seed_program.py").read_text()
    [verdict] = pool.evaluate([program_job(seed)])
    assert verdict.valid and 2.5 < verdict.metrics["sum_radii"] < 2.6
    assert verdict.isolated_calls == 1


OLD_STYLE_EVALUATOR = """
import importlib.util

def evaluate(candidate):
    spec = importlib.util.spec_from_file_location("candidate", candidate)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"score": float(module.solve())}
"""


def forging(verdict_json: str) -> str:
    """A candidate that writes `verdict_json` on every descriptor it holds, then exits."""
    return f"""
import os
for fd in range(3, 256):
    try:
        os.write(fd, {verdict_json!r}.encode())
    except OSError:
        pass
os._exit(0)
"""


@pytest.mark.parametrize(
    ("forged", "reason"),
    [
        ('{"valid": true, "metrics": {"score": "13"}}', "metric 'score' is a str"),
        ('{"valid": true, "metrics": {"score": 1.0}, "feedback": {"a": 1}}', "feedback must be"),
        ('{"valid": true, "metrics": {"score": 1' + "0" * 400 + "}}", "too large"),
        ('{"valid": true, "metrics": {"score": NaN}}', "not a finite number"),
        ('{"valid": "yes", "metrics": {"score": 1.0}}', "'valid' must be true or false"),
        ('{"valid": true, "metrics": {}, "shell": "rm -rf /"}', "unknown verdict fields: shell"),
        ("[1, 2, 3]", "a verdict must be an object"),
        ("[" * 100_000, "unreadable result"),
    ],
)
def test_a_forged_verdict_from_an_old_style_evaluator_is_rejected_at_the_gate(
    pool, make_job, forged, reason
):
    """An evaluator that imports the candidate is not protected, but what the candidate writes
    still passes the gate: a malformed verdict is an invalid candidate, never a crash."""
    job = make_job(OLD_STYLE_EVALUATOR, forging(forged))
    job = Job(job.evaluator, job.candidate, "program", {}, job.limits)
    [verdict] = pool.evaluate([job])
    assert verdict.valid is False
    assert reason in verdict.error


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        ({"score": 1.0, "valid": "False"}, "'valid' must be true or false"),
        ({"score": 1.0, "feedback": ["a"]}, "feedback must be a string"),
        ({"score": float("nan")}, "not a finite number"),
        ({"score": 10**400}, "too large for a float"),
        ({"score": 1.0, "artifacts": {"blob": "x" * 3_000_000}}, "the limit is 2.1 MB"),
        ({"score": 1.0, "artifacts": {"f": object()}}, "not plain JSON"),
    ],
)
def test_an_evaluators_bad_result_is_an_invalid_verdict_with_the_reason(result, reason):
    verdict = Verdict.from_result(result)
    assert verdict.valid is False
    assert reason in verdict.error


def test_numpy_values_in_a_result_are_plain_numbers():
    import numpy as np

    verdict = Verdict.from_result(
        {"score": np.float64(2.5), "valid": np.bool_(True), "artifacts": {"x": np.arange(3)}}
    )
    assert verdict.valid is True
    assert verdict.artifacts == {"x": [0, 1, 2]}
