"""Ask the model whether a proposed program change is meaningful before it is evaluated
(ShinkaEvolve's novelty judge, Lange et al., 2025).

The prompt shows the parent and the change as a unified diff and asks for YES (a different
idea, worth an evaluation) or NO (cosmetic: renames, comments, reformatting, a rewrite that
computes the same thing) on the first line. A reply that says neither counts as YES: an
expensive evaluation is only skipped on the model's explicit word.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

MAX_DIFF_CHARS = 6_000

QUESTION = """Is this change to the program meaningful: a different idea that could change its
score, not a cosmetic edit (renaming, comments, formatting, reordering, or a rewrite that
computes the same thing)? Answer YES or NO on the first line, then one sentence why."""


def judge_messages(parent: str, child: str) -> list[dict[str, str]]:
    """Chat messages asking whether `child` differs meaningfully from `parent`."""
    diff = "\n".join(
        difflib.unified_diff(
            parent.splitlines(), child.splitlines(), "parent", "child", lineterm=""
        )
    )[:MAX_DIFF_CHARS]
    return [
        {"role": "system", "content": "You review proposed changes to a program."},
        {"role": "user", "content": f"```diff\n{diff}\n```\n\n{QUESTION}"},
    ]


def is_meaningful(reply: str | None) -> bool:
    """False only when the reply's first word is NO."""
    if not reply or not reply.strip():
        return True
    first = reply.strip().split()[0].strip(".,:;!*").upper()
    return first != "NO"


@dataclass
class JudgeRecord:
    """How many proposals the judge saw and how many it rejected (JSON in the state)."""

    asked: int = 0
    rejected: int = 0

    def load(self, data: dict[str, int]) -> None:
        """Restore the counts of a stored state."""
        self.asked = int(data.get("asked", 0))
        self.rejected = int(data.get("rejected", 0))
