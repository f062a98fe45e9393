"""The evolution loop: propose -> verify -> remember, one generation at a time.

A generation picks an island, selects parents and inspirations, asks the proposer for a
batch, refines in the sandbox the vectors the proposer asks to refine (`evolve.refinement`),
drops candidates already evaluated (content-addressed), verifies the rest in parallel,
tells the proposer, and writes the candidates with the engine's state in one transaction.
Randomness for generation `g` comes from ``default_rng([seed, g])``, so a run is
deterministic given its seed and resumes from the store alone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from evolve.candidates import member_from_verdict, member_of, new_candidate
from evolve.config import Budget, EngineConfig
from evolve.context import Context, Proposal, Scored
from evolve.errors import SeedFailed
from evolve.lessons import LessonMemory
from evolve.novelty import NoveltyFilter
from evolve.population import Population
from evolve.problem import Problem, decode_vector
from evolve.proposers.base import Proposer
from evolve.refinement import refine_proposals
from evolve.selection import select_inspirations, select_parents
from memory import Store, candidate_hash
from science import CascadeStage, EvaluatorRef, Job, Limits, Verdict, VerifierPool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluation:
    """How to verify a candidate: the evaluator, its keyword params and the sandbox limits."""

    evaluator: EvaluatorRef
    params: dict[str, Any]
    limits: Limits
    cascade: tuple[CascadeStage, ...] = ()


@dataclass(frozen=True)
class Progress:
    """A snapshot reported after each generation."""

    evaluations: int
    invalid: int
    best_value: float | None
    generation: int
    elapsed_seconds: float


@dataclass(frozen=True)
class Outcome:
    """How a call to `Evolution.run` ended."""

    status: str  # finished | stopped
    message: str
    evaluations: int


def job_payload(problem: Problem, content: str) -> Any:
    """The value handed to the evaluator for a candidate's stored text."""
    return decode_vector(content) if problem.representation == "vector" else content


class Evolution:
    """One run of the engine over a store; call `run()` to spend the budget."""

    def __init__(
        self,
        problem: Problem,
        evaluation: Evaluation,
        proposer: Proposer,
        pool: VerifierPool,
        store: Store,
        run_id: str,
        *,
        config: EngineConfig | None = None,
        budget: Budget | None = None,
        seed: int = 0,
        seeds: list[str] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        lessons: LessonMemory | None = None,
    ) -> None:
        self.problem = problem
        self.evaluation = evaluation
        self.proposer = proposer
        self.pool = pool
        self.store = store
        self.run_id = run_id
        self.config = config or EngineConfig()
        self.budget = budget or Budget()
        self.seed = seed
        self.seeds = seeds or []
        self.on_progress = on_progress
        self.lessons = lessons
        self.stop_event = threading.Event()
        self.population = Population(self.config)
        self.visits: dict[str, int] = {}
        self.migrations: list[int] = []
        self.generation = 0
        self.evaluations = 0
        self.invalid = 0
        self.known: set[str] = set()
        threshold = self.config.novelty
        self.novelty = NoveltyFilter(problem, threshold) if threshold is not None else None
        self._elapsed_before = 0.0
        self._started = time.monotonic()
        self._restore()
        if self.lessons is not None:
            self.lessons.distilled_at = self.evaluations  # a resumed run distills on schedule

    # state ----------------------------------------------------------------------------------

    def _restore(self) -> None:
        """Rebuild the engine from the store: the population is replayed from the history
        with the migrations at the points where they happened, so a resumed run goes on
        exactly as the uninterrupted one would."""
        run = self.store.get_run(self.run_id)
        state = run.engine_state or {}
        self.generation = int(state.get("generation", 0))
        self.visits = {k: int(v) for k, v in state.get("visits", {}).items()}
        self.migrations = [int(point) for point in state.get("migrations", [])]
        if self.novelty:
            self.novelty.rejected = int(state.get("near_repeats", 0))
        if "proposer" in state:
            self.proposer.load_state_dict(state["proposer"])
        self._elapsed_before = run.elapsed_seconds
        pending = iter(self.migrations)
        point = next(pending, None)
        for record in self.store.history(self.run_id):
            while point is not None and point < record.n:
                self.population.migrate()
                point = next(pending, None)
            self.known.add(record.hash)
            self.evaluations += 1
            self.invalid += not record.valid
            self.population.add(member_of(record, self.config.islands))
        while point is not None:
            self.population.migrate()
            point = next(pending, None)
        self._restore_artifacts()

    def _restore_artifacts(self) -> None:
        """Give the rebuilt population back the artifacts proposers may read (e.g. a
        polished vector), which the history records leave out."""
        held = [m.hash for m in self.population.members()]
        found = self.store.artifacts_of(self.run_id, held)
        if found:
            self.population.replace_members(
                lambda m: replace(m, artifacts=found[m.hash]) if m.hash in found else m
            )

    def state(self) -> dict[str, Any]:
        """The resumable engine state stored with every generation."""
        live = {m.hash for isle in self.population.islands for m in isle}
        return {
            "generation": self.generation,
            "visits": {h: c for h, c in self.visits.items() if h in live},
            "migrations": self.migrations,
            "proposer": self.proposer.state_dict(),
            "near_repeats": self.novelty.rejected if self.novelty else 0,
        }

    @property
    def elapsed_seconds(self) -> float:
        """Running time of this run over all its sessions."""
        return self._elapsed_before + time.monotonic() - self._started

    # the loop -------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Spend the budget (or until `stop_event` is set); return how it ended."""
        if self.evaluations == 0 and self.seeds:
            self._evaluate_seeds()
        stale = 0
        while not self.budget.exhausted(self.evaluations, self.elapsed_seconds):
            if self.stop_event.is_set():
                return Outcome("stopped", "stopped on request", self.evaluations)
            added = self._generation()
            stale = 0 if added else stale + 1
            if stale >= self.config.max_stale_generations:
                return Outcome(
                    "finished",
                    f"the proposer produced only known candidates for {stale} generations",
                    self.evaluations,
                )
        return Outcome("finished", "budget spent", self.evaluations)

    def _evaluate_seeds(self) -> None:
        proposals = [Proposal(content=text, proposer="seed") for text in self.seeds]
        scored = self._verify_and_store(proposals, island_of=lambda i: i % self.config.islands)
        if scored and not any(s.member.valid for s in scored):
            first = scored[0].member
            raise SeedFailed(
                f"every seed candidate failed verification; the first: {first.error or first.feedback}"
            )

    def _generation(self) -> int:
        self.generation += 1
        rng = np.random.default_rng([self.seed, self.generation])
        island = self.generation % self.config.islands
        if self.config.islands > 1 and self.generation % self.config.migration_interval == 0:
            self.population.migrate()
            self.migrations.append(self.evaluations)
        members = self.population.candidates_for(island)
        parents = select_parents(
            members,
            self.config.parents,
            rng,
            self.visits,
            self.config.selection,
            self.config.exploration,
            self.config.rank_alpha,
        )
        for parent in parents:
            self.visits[parent.hash] = self.visits.get(parent.hash, 0) + 1
        chosen = {p.hash for p in parents}
        inspirations = select_inspirations(
            members, self.population.others(island), self.config.inspirations, rng, chosen
        )
        left = self.budget.evaluations_left(self.evaluations)
        context = Context(
            problem=self.problem,
            generation=self.generation,
            island=island,
            parents=tuple(parents),
            inspirations=tuple(inspirations),
            best=self.population.best,
            rng=rng,
            evaluations_left=left,
            lessons=self.lessons.retrieve(parents) if self.lessons else (),
            workers=getattr(self.pool, "size", 1),  # a pool without a size runs one at a time
        )
        size = self.config.batch_size if left is None else min(self.config.batch_size, left)
        proposals = self.proposer.propose(context, size)
        added = len(self._verify_and_store(proposals[:size], island_of=lambda _i: island))
        if not added:  # nothing written: keep the generation, visits and proposer state anyway
            self.store.save_engine_state(self.run_id, self.state(), self.elapsed_seconds)
        return added

    def _seconds_left(self) -> float | None:
        wall = self.budget.wall_seconds
        return None if wall is None else wall - self.elapsed_seconds

    def _fresh(self, proposals: list[Proposal]) -> list[tuple[Proposal, str]]:
        """Proposals not yet stored (by hash) and, with a novelty filter, not near repeats of
        the population's members or of each other."""
        held = [m.content for m in self.population.members()] if self.novelty else []
        fresh = []
        for proposal in proposals:
            digest = candidate_hash(self.problem.representation, proposal.content)
            if digest in self.known:
                continue
            if self.novelty and not self.novelty.keep(proposal.content, held):
                continue
            self.known.add(digest)
            fresh.append((proposal, digest))
            held.append(proposal.content)
        return fresh

    def _verify_and_store(
        self, proposals: list[Proposal], island_of: Callable[[int], int]
    ) -> list[Scored]:
        proposals = refine_proposals(
            proposals, self.problem, self._job, self.pool, self._seconds_left()
        )
        fresh = self._fresh(proposals)
        self._tell_repeats([p for p in proposals if all(p is not q for q, _ in fresh)])
        if not fresh:
            return []
        verdicts = self._verify([proposal.content for proposal, _ in fresh])
        scored = []
        for index, ((proposal, digest), verdict) in enumerate(zip(fresh, verdicts, strict=True)):
            member = member_from_verdict(self.problem, proposal, digest, verdict, island_of(index))
            scored.append(Scored(proposal=proposal, member=member))
        self.proposer.tell(scored)
        cells = self.config.map_elites
        new = [
            new_candidate(self.problem, s, v, cells) for s, v in zip(scored, verdicts, strict=True)
        ]
        self.store.add_candidates(self.run_id, new, self.state(), self.elapsed_seconds)
        for item in scored:
            self.evaluations += 1
            self.invalid += not item.member.valid
            self.population.add(item.member)
        self._report()
        if self.lessons is not None:
            self.lessons.after(self.evaluations)
        return scored

    def _tell_repeats(self, repeats: list[Proposal]) -> None:
        """Tell a proposer that wants to know (`tell_repeats`) which of its proposals were
        dropped as known candidates: a refinement that lands on a known optimum cost
        thousands of evaluator calls and must count as a proposal that gained nothing."""
        told = getattr(self.proposer, "tell_repeats", None)
        if repeats and told is not None:
            told(repeats)

    def _verify(self, contents: list[str]) -> list[Verdict]:
        """Verdicts in order; a candidate whose text is malformed is invalid without a call."""
        verdicts: list[Verdict | None] = [None] * len(contents)
        jobs, slots = [], []
        for index, content in enumerate(contents):
            try:
                payload = job_payload(self.problem, content)
            except ValueError as error:
                verdicts[index] = Verdict.failure(f"malformed candidate: {error}")
                continue
            jobs.append(self._job(payload))
            slots.append(index)
        for index, verdict in zip(slots, self.pool.evaluate(jobs), strict=True):
            verdicts[index] = verdict
        return verdicts  # type: ignore[return-value]

    def _job(self, payload: Any) -> Job:
        return Job(
            evaluator=self.evaluation.evaluator,
            candidate=payload,
            representation=self.problem.representation,
            params=self.evaluation.params,
            limits=self.evaluation.limits,
            cascade=self.evaluation.cascade,
        )

    def _report(self) -> None:
        if self.on_progress is None:
            return
        best = self.population.best
        self.on_progress(
            Progress(
                evaluations=self.evaluations,
                invalid=self.invalid,
                best_value=self.problem.objective.value(best.fitness) if best else None,
                generation=self.generation,
                elapsed_seconds=self.elapsed_seconds,
            )
        )
