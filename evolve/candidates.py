"""A candidate's three forms and the one place that converts between them.

The engine holds a `Member` (what proposers and selection read), the store writes a
`memory.NewCandidate` and hands back a `memory.CandidateRecord` (its ORM row is converted by
`memory.records.record_of`). A verdict becomes a member, a member and its verdict become a
new candidate, and a stored record becomes a member again on resume: here, and nowhere else.
"""

from __future__ import annotations

from dataclasses import replace

from evolve.config import MapElitesConfig
from evolve.context import Member, Proposal, Scored
from evolve.population import cell_of
from evolve.problem import Problem
from evolve.refinement import INNER_CALLS_META
from memory import CandidateRecord, NewCandidate
from science import Verdict


def member_from_verdict(
    problem: Problem, proposal: Proposal, digest: str, verdict: Verdict, island: int
) -> Member:
    """The population's member for an evaluated proposal; a valid verdict without the
    objective's metric makes an invalid member saying which metrics came back."""
    metric = problem.objective.metric
    fitness = None
    if verdict.valid and metric not in verdict.metrics:
        returned = ", ".join(sorted(verdict.metrics)) or "no numeric metric"
        verdict = replace(
            verdict,
            valid=False,
            error=f"objective metric '{metric}' is not returned by evaluate(); "
            f"it returned: {returned}",
        )
    if verdict.valid:
        fitness = problem.objective.fitness(verdict.metrics[metric])
    return Member(
        hash=digest,
        content=proposal.content,
        fitness=fitness,
        metrics=verdict.metrics,
        valid=verdict.valid,
        feedback=verdict.feedback,
        error=verdict.error,
        island=island,
        parents=proposal.parents,
        artifacts=verdict.artifacts or {},
    )


def new_candidate(
    problem: Problem, scored: Scored, verdict: Verdict, cells: MapElitesConfig | None
) -> NewCandidate:
    """What the store writes for a scored member (its MAP-Elites cell when `cells` is set)."""
    member = scored.member
    return NewCandidate(
        hash=member.hash,
        representation=problem.representation,
        content=member.content,
        valid=member.valid,
        metrics=member.metrics,
        fitness=member.fitness,
        parents=list(member.parents),
        error=member.error,
        feedback=member.feedback,
        proposer=scored.proposal.proposer,
        island=member.island,
        cell=cell_of(member.metrics, cells) if cells else None,
        eval_seconds=verdict.seconds,
        stage=verdict.stage,
        inner_calls=int(scored.proposal.meta.get(INNER_CALLS_META, 0)),
        artifacts=verdict.artifacts,
    )


def member_of(record: CandidateRecord, islands: int) -> Member:
    """A stored candidate as a member again (on resume), on one of `islands` islands."""
    return Member(
        hash=record.hash,
        content=record.content,
        fitness=record.fitness,
        metrics=record.metrics,
        valid=record.valid,
        feedback=record.feedback,
        error=record.error,
        island=record.island % islands,
        n=record.n,
        parents=tuple(record.parents),
    )
