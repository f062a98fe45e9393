"""The loop's refinement step: vector proposals that ask for it are locally optimized in
the sandbox (`science.refine`) before they are verified.

A proposer asks by putting ``meta["refine"] = {"max_calls": ..., "max_seconds": ...,
"method": ...}`` on a proposal whose content is the start vector. The step sends those
starts to the pool as refinement jobs (many evaluator calls in one confined process), and
replaces each start by the refined vector, recording the calls spent in
``meta["inner_calls"]``, why it stopped in ``meta["refine_stopped"]`` and its wall time in
``meta["refine_seconds"]``. The refined vector is then verified like any other candidate; a
refinement that fails leaves the start as it was (with the reason in
``meta["refine_error"]``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from evolve.context import Proposal
from evolve.problem import Problem, VectorSpace, decode_vector, encode_vector
from science import Job, Verdict, VerifierPool
from science.refine import CALLS_ARTIFACT, REFINED_ARTIFACT, Refinement

REFINE_META = "refine"
INNER_CALLS_META = "inner_calls"
STOPPED_META = "refine_stopped"  # why the refinement ended: converged, calls, seconds or slow
SECONDS_META = "refine_seconds"  # the wall time the refinement took
STOP_REASONS = ("converged", "calls", "seconds", "slow")
DEFAULT_CALLS = 1000
DEFAULT_SECONDS = 10.0
MIN_SECONDS = 0.1  # a refinement asked for near the end of a run still gets this
TIMEOUT_SHARE = 0.8  # a refinement stops in time for the sandbox's timeout to spare it


def _space(problem: Problem) -> VectorSpace:
    if problem.vector is None:
        raise ValueError("refinement needs a vector task (`vector: {size, low, high}`)")
    return problem.vector


def refinement_for(
    problem: Problem,
    request: dict[str, Any],
    timeout_seconds: float,
    seconds_left: float | None = None,
) -> Refinement:
    """The refinement a proposal asks for, within the task's box, the evaluation timeout
    and the run's remaining wall time (`seconds_left`, None: no wall-time budget)."""
    space = _space(problem)
    seconds = float(request.get("max_seconds", DEFAULT_SECONDS))
    if seconds_left is not None:
        seconds = min(seconds, max(seconds_left, MIN_SECONDS))
    return Refinement(
        metric=problem.objective.metric,
        direction=problem.objective.direction,
        low=space.low,
        high=space.high,
        max_calls=int(request.get("max_calls", DEFAULT_CALLS)),
        max_seconds=min(seconds, TIMEOUT_SHARE * timeout_seconds),
        method=str(request.get("method", "auto")),
    )


def _refined_vector(verdict: Verdict, size: int) -> list[float] | None:
    """The refined vector a (sandboxed, so untrusted) verdict reports, if usable."""
    vector = verdict.artifacts.get(REFINED_ARTIFACT) if verdict.valid else None
    if not isinstance(vector, list) or len(vector) != size:
        return None
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in vector):
        return None
    return [float(v) for v in vector]


def _inner_calls(verdict: Verdict) -> int:
    calls = verdict.artifacts.get(CALLS_ARTIFACT, 0)
    return calls if isinstance(calls, int) and calls >= 0 else 0


def refined_proposal(proposal: Proposal, verdict: Verdict, problem: Problem) -> Proposal:
    """The proposal with its start replaced by the refined vector (clipped to the box)."""
    space = _space(problem)
    stopped = verdict.artifacts.get("stopped")
    meta = {
        **proposal.meta,
        INNER_CALLS_META: _inner_calls(verdict),
        STOPPED_META: stopped if stopped in STOP_REASONS else "failed",
        SECONDS_META: float(verdict.seconds),
    }
    vector = _refined_vector(verdict, space.size)
    if vector is None:
        meta["refine_error"] = verdict.error or "the refinement returned no usable vector"
        return replace(proposal, meta=meta)
    content = encode_vector(np.clip(vector, space.low, space.high).tolist())
    return replace(proposal, content=content, meta=meta)


def refine_proposals(
    proposals: list[Proposal],
    problem: Problem,
    make_job: Callable[[Any], Job],
    pool: VerifierPool,
    seconds_left: float | None = None,
) -> list[Proposal]:
    """Refine, in one parallel batch, every proposal that asks for it; keep the others.

    `seconds_left` (the run's remaining wall time) caps each refinement, so a run with a
    wall-time budget ends on time."""
    asking = [i for i, p in enumerate(proposals) if REFINE_META in p.meta]
    if not asking or problem.representation != "vector":
        return proposals
    jobs = []
    for index in asking:
        job = make_job(decode_vector(proposals[index].content))
        request = proposals[index].meta[REFINE_META]
        timeout = job.limits.timeout_seconds
        refinement = refinement_for(problem, request, timeout, seconds_left)
        jobs.append(replace(job, refine=refinement))
    refined = list(proposals)
    for index, verdict in zip(asking, pool.evaluate(jobs), strict=True):
        refined[index] = refined_proposal(proposals[index], verdict, problem)
    return refined
