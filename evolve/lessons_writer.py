"""A chat model writes lessons from evidence (ReasoningBank's distillation step).

The prompt gives the task, the strongest statistics lessons and the best parent -> child
changes as unified diffs with their gains; the model answers with up to `MAX_LESSONS` lines
starting with "- ", each a lesson. Anything else in the reply is ignored.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

from memory import CandidateRecord, LessonRecord, NewLesson

MAX_LESSONS = 5
MAX_DIFF_CHARS = 3_000
MAX_LESSON_CHARS = 400

SYSTEM = """You distill lessons from an evolutionary search: short, general, actionable rules
about which changes improve a candidate and which break it. Answer with at most {count} lines,
each starting with "- ", and nothing else."""


def lesson_messages(
    task: str,
    statistics: Sequence[NewLesson | LessonRecord],
    examples: Sequence[tuple[CandidateRecord, CandidateRecord]],
) -> list[dict[str, str]]:
    """Chat messages asking for lessons from `statistics` and (parent, child) `examples`."""
    parts = [f"# Task\n{task}", "# What the statistics of the run say"]
    parts += [f"- {lesson.text}" for lesson in statistics]
    for number, (parent, child) in enumerate(examples, start=1):
        diff = "\n".join(
            difflib.unified_diff(
                parent.content.splitlines(), child.content.splitlines(), lineterm="", n=1
            )
        )[:MAX_DIFF_CHARS]
        gain = (child.fitness or 0.0) - (parent.fitness or 0.0)
        parts.append(f"# Change {number}: gain {gain:+.4g}\n```diff\n{diff}\n```")
    parts.append(
        f"# Your answer\nUp to {MAX_LESSONS} lessons, one per line, each starting with '- '."
    )
    return [
        {"role": "system", "content": SYSTEM.format(count=MAX_LESSONS)},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


def parse_lessons(reply: str) -> list[str]:
    """The "- " lines of a reply, stripped, at most `MAX_LESSONS`, duplicates dropped."""
    found: list[str] = []
    for line in reply.splitlines():
        text = line.strip()
        if text.startswith(("- ", "* ")) and len(text) > 2:
            lesson = text[2:].strip()[:MAX_LESSON_CHARS]
            if lesson and lesson not in found:
                found.append(lesson)
    return found[:MAX_LESSONS]


class ModelLessonWriter:
    """Writes lessons with `complete` (messages -> reply text, or None when the call failed)."""

    def __init__(self, complete: Callable[[list[dict[str, str]]], str | None]) -> None:
        self.complete = complete

    def __call__(
        self,
        task: str,
        statistics: Sequence[NewLesson | LessonRecord],
        examples: Sequence[tuple[CandidateRecord, CandidateRecord]],
    ) -> list[str]:
        """Lesson texts from the model ([] when it failed or wrote none)."""
        reply = self.complete(lesson_messages(task, statistics, examples))
        return parse_lessons(reply) if reply else []
