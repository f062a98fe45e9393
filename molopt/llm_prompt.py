"""Chat prompts for the LLM molecule proposer, and reading SMILES back from its replies.

The system message states the task and its objective; the user message lists molecules of
the population (SMILES, score, the evaluator's feedback), lessons from the memory bank, and
asks for `count` new molecules, one SMILES per line in a fenced block. `smiles_in_reply`
reads the fenced block(s) when there are any, else every line, strips list markers and
quotes, and keeps the first word of each line if it is written in the SMILES grammar
(Schwaller's token regex; prose words such as "Here" are not): what remains are candidate
strings, which the caller parses with RDKit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evolve.context import Member
from evolve.problem import Problem
from molopt.policy.errors import TokenizerError
from molopt.policy.tokenizer import tokenize

MAX_FEEDBACK_CHARS = 300
FENCE = re.compile(r"```[^\n`]*\n(.*?)(?:```|\Z)", re.DOTALL)
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)]|\(\d+\))\s+")

SYSTEM = """You are a medicinal chemist optimizing molecules written as SMILES.
Task: {description}
Objective: {direction} the metric `{metric}` returned by the task's evaluator.
Propose valid, single-fragment, drug-like molecules that differ from those already tried."""

REQUEST = """# Your answer
Propose {count} new molecules likely to score better. Explain in at most two sentences,
then give exactly {count} SMILES, one per line, with nothing else on the line, in one block:

```smiles
SMILES 1
SMILES 2
```"""


def _member_line(member: Member, metric: str) -> str:
    score = member.metrics.get(metric, member.fitness)
    line = f"- {member.content}  {metric} = {score:.4g}" if score is not None else member.content
    if member.feedback:
        line += f"  ({member.feedback[:MAX_FEEDBACK_CHARS]})"
    return line


def build_molecule_messages(
    problem: Problem, members: Sequence[Member], lessons: Sequence[str], count: int
) -> list[dict[str, str]]:
    """System and user messages asking for `count` molecules better than `members`."""
    system = SYSTEM.format(
        description=problem.description.strip() or problem.name,
        direction=problem.objective.direction,
        metric=problem.objective.metric,
    )
    metric = problem.objective.metric
    ranked = sorted(members, key=lambda m: -(m.fitness or 0.0))
    sections = ["# Molecules tried so far, best first"]
    sections.extend(_member_line(m, metric) for m in ranked)
    if lessons:
        sections.append("\n# Lessons learned so far\n" + "\n".join(f"- {x}" for x in lessons))
    sections.append("\n" + REQUEST.format(count=count))
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": "\n".join(sections)},
    ]


def smiles_in_reply(reply: str) -> list[str]:
    """Candidate SMILES strings of a reply: fenced lines if any fence, else all lines."""
    blocks = FENCE.findall(reply)
    lines = "\n".join(blocks).splitlines() if blocks else reply.splitlines()
    found = []
    for line in lines:
        text = LIST_MARKER.sub("", line).strip().strip("`'\"")
        word = text.split()[0].rstrip(",;.") if text else ""
        if word and _is_smiles_like(word):
            found.append(word)
    return found


def _is_smiles_like(word: str) -> bool:
    try:
        return bool(tokenize(word))
    except TokenizerError:
        return False
