"""Chat prompts for the LLM proposer, in the manner of AlphaEvolve and OpenEvolve.

The system message states the task and its objective; the user message shows the parent
(code, metrics, evaluator feedback or error), inspirations (code and score), lessons from the
memory bank, and asks either for SEARCH/REPLACE diffs (`mode="diff"`) or for a complete new
version in one fenced block (`mode="rewrite"`). Long texts are cut to keep the prompt small.
"""

from __future__ import annotations

from collections.abc import Sequence

from evolve.context import Member
from evolve.problem import Problem

MAX_CODE_CHARS = 12_000
MAX_FEEDBACK_CHARS = 2_000
MAX_METRICS = 12

SYSTEM = """You improve candidate solutions of a scientific task by evolution.
Task: {description}
Objective: {direction} the metric `{metric}` returned by the task's evaluator.
Keep what works, fix what the evaluator reports, and try one focused idea per answer."""

DIFF_INSTRUCTIONS = """# Your answer
Propose one improvement as one or more SEARCH/REPLACE blocks, exactly in this format:

<<<<<<< SEARCH
lines copied exactly from the current {kind}
=======
the new lines
>>>>>>> REPLACE

Each SEARCH must match the current {kind} character for character (indentation included).
Explain briefly first, then give the blocks; do not rewrite the whole {kind}."""

REWRITE_INSTRUCTIONS = """# Your answer
Write a complete improved version of the {kind}, in a single fenced block:

```{fence}
...
```
It must keep the interface the evaluator calls. Explain briefly first, then the block."""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit} chars cut]"


def _metrics_line(member: Member) -> str:
    items = list(member.metrics.items())[:MAX_METRICS]
    return ", ".join(f"{name} = {value:.6g}" for name, value in items) or "(no metrics)"


def _fenced(content: str, fence: str) -> str:
    return f"```{fence}\n{_cut(content.rstrip(), MAX_CODE_CHARS)}\n```"


def _parent_section(parent: Member, fence: str, kind: str) -> str:
    lines = [f"# Current {kind}", _fenced(parent.content, fence), "", "## Its evaluation"]
    lines.append(_metrics_line(parent) if parent.valid else "INVALID")
    if parent.feedback:
        lines.append(f"Feedback: {_cut(parent.feedback, MAX_FEEDBACK_CHARS)}")
    if parent.error:
        lines.append(f"Error: {_cut(parent.error, MAX_FEEDBACK_CHARS)}")
    return "\n".join(lines)


def _inspiration_section(inspirations: Sequence[Member], fence: str, kind: str) -> str:
    parts = [f"# Other {kind}s from the population, for inspiration"]
    for index, member in enumerate(inspirations, start=1):
        parts.append(f"## {kind.capitalize()} {index}: {_metrics_line(member)}")
        parts.append(_fenced(member.content, fence))
    return "\n".join(parts)


def build_messages(
    problem: Problem,
    parent: Member,
    inspirations: Sequence[Member] = (),
    lessons: Sequence[str] = (),
    mode: str = "diff",
    guidance: str = "",
) -> list[dict[str, str]]:
    """System and user messages asking the model to improve `parent` (diff or rewrite);
    `guidance` (an evolved meta-prompt, `evolve.proposers.meta_prompts`) ends the system
    message."""
    kind, fence = ("program", "python") if problem.representation == "program" else ("text", "")
    system = SYSTEM.format(
        description=problem.description.strip() or problem.name,
        direction=problem.objective.direction,
        metric=problem.objective.metric,
    )
    if guidance.strip():
        system += "\n\n# Guidance\n" + guidance.strip()
    sections = [_parent_section(parent, fence, kind)]
    if inspirations:
        sections.append(_inspiration_section(inspirations, fence, kind))
    if lessons:
        sections.append("# Lessons learned so far\n" + "\n".join(f"- {item}" for item in lessons))
    template = DIFF_INSTRUCTIONS if mode == "diff" else REWRITE_INSTRUCTIONS
    sections.append(template.format(kind=kind, fence=fence))
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": "\n\n".join(sections)},
    ]
