"""Lessons memory (ReasoningBank, Ouyang et al., 2025): every `every` evaluations the run's
history is distilled into lessons, stored in the memory bank with their evidence and an
embedding, and the lessons closest to a generation's parents are handed to the proposer
(`Context.lessons`, which the LLM prompt shows).

Distillation: structured statistics (`evolve.lessons_stats`: which operators and which
changes, by representation, helped or hurt); with a `writer` (a chat model, see
`evolve.lessons_writer`) the model also writes lessons in its own words from the strongest
statistics and the best parent -> child changes. Retrieval: cosine similarity between the
mean embedding of the parents and each lesson's embedding (its text and the parents it rests
on, `evolve.lessons_embedding`); ties, as for vectors and molecules whose text the embedding
barely reads, go to the lesson with more support. Lessons are kept per `domain` (the task
YAML's `domain:`, else the task name), so every run of every task sharing it reads them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from evolve.context import Member
from evolve.lessons_embedding import TextEmbedding
from evolve.lessons_stats import collect_findings, strongest
from evolve.lessons_writer import ModelLessonWriter
from memory import CandidateRecord, LessonBank, LessonRecord, NewLesson, Store

log = logging.getLogger(__name__)

MAX_EMBEDDED_CHARS = 4_000
EMBEDDED_PARENTS = 3

# A writer turns evidence (statistics lessons, (parent, child) changes) into lesson texts.
Writer = Callable[
    [str, Sequence[LessonRecord | NewLesson], Sequence[tuple[CandidateRecord, CandidateRecord]]],
    list[str],
]


@dataclass(frozen=True)
class LessonsConfig:
    """When lessons are distilled and how many reach a proposal.

    `every`: evaluations between distillations; `top`: lessons per generation; `min_support`:
    children a finding needs; `keep`: statistics lessons kept per distillation; `writer`:
    `auto` (the model writes lessons when the proposer has one) or `statistics`.
    """

    every: int = 50
    top: int = 3
    min_support: int = 3
    keep: int = 12
    writer: str = "auto"


@dataclass(frozen=True)
class LessonScope:
    """Where a run's lessons go: its domain, task and run."""

    domain: str
    task_name: str
    run_id: str
    representation: str


class LessonMemory:
    """Distills and retrieves the lessons of one run (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        scope: LessonScope,
        embedding: TextEmbedding,
        config: LessonsConfig = LessonsConfig(),
        writer: Writer | None = None,
    ) -> None:
        self.store = store
        self.bank = LessonBank(store)
        self.scope = scope
        self.embedding = embedding
        self.config = config
        self.writer = writer if config.writer == "auto" else None
        self.distilled_at = 0
        self.distill_seconds = 0.0  # time this process spent distilling (benchmarks read it)
        self._load()

    def _load(self) -> None:
        self.lessons = self.bank.find(domain=self.scope.domain)
        vectors = [lesson.embedding for lesson in self.lessons]
        dims = self.embedding.dims
        self.vectors = np.array([v if len(v) == dims else [0.0] * dims for v in vectors]).reshape(
            len(vectors), dims
        )

    # retrieval ------------------------------------------------------------------------------

    def retrieve(self, parents: Sequence[Member]) -> tuple[str, ...]:
        """The texts of the `top` lessons closest to `parents` (none before any distillation)."""
        if not self.lessons or not parents:
            return ()
        query = self.embedding.embed([p.content[:MAX_EMBEDDED_CHARS] for p in parents]).mean(0)
        similarity = (self.vectors * query).sum(axis=1)  # (L,), no BLAS thread start-up
        order = sorted(
            range(len(self.lessons)),
            key=lambda i: (-round(float(similarity[i]), 6), -self.lessons[i].support, i),
        )
        return tuple(self.lessons[i].text for i in order[: self.config.top])

    # distillation ---------------------------------------------------------------------------

    def after(self, evaluations: int) -> None:
        """Distill each time the evaluations pass a multiple of `every`."""
        if evaluations // self.config.every > self.distilled_at // self.config.every:
            self.distill()
            self.distilled_at = evaluations

    def distill(self) -> list[NewLesson]:
        """Distill the run's history into lessons, store and reload them; return them."""
        started = time.perf_counter()
        history = list(self.store.history(self.scope.run_id))
        findings = strongest(
            collect_findings(history, self.scope.representation),
            self.config.min_support,
            self.config.keep,
        )
        by_hash = {record.hash: record for record in history}
        lessons = [
            self._lesson(
                f"stats:{f.key}",
                "statistics",
                f.sentence(self.scope.representation),
                f.support,
                f.mean_gain,
                f.evidence(),
                by_hash,
            )
            for f in findings
        ]
        if self.writer is not None and lessons:
            lessons += self._written(lessons, history, by_hash)
        if lessons:
            self.bank.save(lessons)
            self._load()
        self.distill_seconds += time.perf_counter() - started
        log.info("distilled %d lessons for domain %s", len(lessons), self.scope.domain)
        return lessons

    def _written(
        self,
        evidence: list[NewLesson],
        history: list[CandidateRecord],
        by_hash: dict[str, CandidateRecord],
    ) -> list[NewLesson]:
        examples = best_changes(history, by_hash)
        pairs = [(by_hash[c.parents[0]], c) for c in examples]
        texts = self.writer(self.scope.task_name, evidence, pairs)
        shown = {
            "children": [c.hash for c in examples],
            "parents": [c.parents[0] for c in examples],
            "gains": [c.fitness - by_hash[c.parents[0]].fitness for c in examples],
            "statistics": [lesson.key for lesson in evidence],
        }
        support = sum(lesson.support for lesson in evidence)
        return [
            self._lesson(f"model:{i}", "model", text, support, 0.0, shown, by_hash)
            for i, text in enumerate(texts)
        ]

    def _lesson(
        self,
        key: str,
        kind: str,
        text: str,
        support: int,
        mean_delta: float,
        evidence: dict,
        by_hash: dict[str, CandidateRecord],
    ) -> NewLesson:
        parents = [by_hash[h].content for h in evidence.get("parents", [])[:EMBEDDED_PARENTS]]
        body = "\n".join([text, *parents])[:MAX_EMBEDDED_CHARS]
        return NewLesson(
            domain=self.scope.domain,
            task_name=self.scope.task_name,
            run_id=self.scope.run_id,
            key=key,
            kind=kind,
            text=text,
            support=support,
            mean_delta=mean_delta,
            evidence=evidence,
            embedding=[round(float(x), 6) for x in self.embedding.embed([body])[0]],
        )


def writer_of(proposer: object) -> Writer | None:
    """A model writer when the proposer can ask a chat model (`complete_text`), else None."""
    complete = getattr(proposer, "complete_text", None)
    if complete is None:
        return None
    return ModelLessonWriter(lambda messages: complete(messages, "lessons"))


def best_changes(
    history: list[CandidateRecord], by_hash: dict[str, CandidateRecord], count: int = 3
) -> list[CandidateRecord]:
    """The `count` children that improved most on their (stored, valid) first parent."""

    def gain(child: CandidateRecord) -> float:
        parent = by_hash.get(child.parents[0]) if child.parents else None
        if parent is None or parent.fitness is None or child.fitness is None:
            return -np.inf
        return child.fitness - parent.fitness

    improved = [c for c in history if c.valid and gain(c) > 0]
    return sorted(improved, key=lambda c: (-gain(c), c.n))[:count]
