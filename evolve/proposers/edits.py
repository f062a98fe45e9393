"""Turn a model's reply into a child candidate: SEARCH/REPLACE diffs or a full rewrite.

The diff format is the one of AlphaEvolve (Novikov et al., 2025) and OpenEvolve::

    <<<<<<< SEARCH
    exact lines of the parent
    =======
    their replacement
    >>>>>>> REPLACE

Each block replaces the first occurrence of its SEARCH text (matched exactly, else line by
line ignoring trailing whitespace). A reply without diff blocks is read as a full rewrite:
the first fenced code block (```python ... ```, or any fence for texts). A reply that gives
neither, or whose SEARCH text is not in the parent, raises `UnusableReply` with a `reason`
the proposer counts.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from evolve.errors import UnusableReply

DIFF_BLOCK = re.compile(
    r"<{7}\s*SEARCH[ \t]*\n(.*?)\n?={7}[ \t]*\n(.*?)\n?>{7}\s*REPLACE", re.DOTALL
)
FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)```", re.DOTALL)
PYTHON_TAGS = ("python", "py", "python3", "")
SNIPPET_CHARS = 80


@dataclass(frozen=True)
class SearchReplace:
    """One diff block: replace the first occurrence of `search` by `replace`."""

    search: str
    replace: str


def parse_diff(reply: str) -> list[SearchReplace]:
    """Every SEARCH/REPLACE block of `reply`, in order (empty list when there are none)."""
    return [SearchReplace(s, r) for s, r in DIFF_BLOCK.findall(reply)]


def _line_span(lines: list[str], wanted: list[str]) -> tuple[int, int] | None:
    """Start and end (line indexes) of `wanted` in `lines`, ignoring trailing whitespace."""
    wanted = [w.rstrip() for w in wanted]
    stripped = [line.rstrip() for line in lines]
    for start in range(len(lines) - len(wanted) + 1):
        if stripped[start : start + len(wanted)] == wanted:
            return start, start + len(wanted)
    return None


def _apply_block(source: str, block: SearchReplace) -> str:
    if block.search.strip() == "":
        raise UnusableReply("diff_not_applied", "a SEARCH block is empty")
    if block.search in source:
        return source.replace(block.search, block.replace, 1)
    lines = source.split("\n")
    span = _line_span(lines, block.search.strip("\n").split("\n"))
    if span is None:
        snippet = block.search.strip()[:SNIPPET_CHARS]
        raise UnusableReply("diff_not_applied", f"SEARCH text not found in the parent: {snippet!r}")
    start, end = span
    return "\n".join(lines[:start] + block.replace.split("\n") + lines[end:])


def apply_diff(source: str, blocks: list[SearchReplace]) -> str:
    """`source` with each block applied in turn; `UnusableReply` if a SEARCH is missing."""
    for block in blocks:
        source = _apply_block(source, block)
    return source


def extract_code(reply: str, language: str = "python") -> str | None:
    """The first fenced block in `language` (or untagged), else the first
    fenced block of any kind; None when the reply has no fence."""
    blocks = FENCE.findall(reply)
    if not blocks:
        return None
    accepted = PYTHON_TAGS if language == "python" else (language, "")
    for tag, body in blocks:
        if tag.lower() in accepted:
            return body
    return blocks[0][1]


def child_from_reply(parent: str, reply: str, language: str = "python") -> tuple[str, str]:
    """The child a reply describes and how ("diff" or "rewrite").

    Raises `UnusableReply` with reason `empty_reply`, `no_code`, `diff_not_applied`,
    `unchanged` or (Python only) `syntax_error`.
    """
    if not reply.strip():
        raise UnusableReply("empty_reply", "the model returned an empty reply")
    blocks = parse_diff(reply)
    if blocks:
        child, mode = apply_diff(parent, blocks), "diff"
    else:
        code = extract_code(reply, language)
        if code is None or not code.strip():
            raise UnusableReply("no_code", "the reply has no SEARCH/REPLACE block or code fence")
        child, mode = code, "rewrite"
    if child.strip() == parent.strip():
        raise UnusableReply("unchanged", "the edit leaves the parent unchanged")
    if language == "python":
        _check_syntax(child)
    return child, mode


def _check_syntax(code: str) -> None:
    try:
        ast.parse(code)
    except SyntaxError as error:
        raise UnusableReply(
            "syntax_error", f"the edited program does not parse: line {error.lineno}: {error.msg}"
        ) from None
