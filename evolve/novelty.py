"""A novelty filter before evaluation: proposals too close to a candidate the population
already holds are not evaluated (issue: an expensive verifier should not score the same idea
twice under another spelling).

Exact repeats are already caught by the content hash. This filter catches near repeats, by
representation:

- vector: Euclidean distance to a held vector below `threshold` times the box's diagonal;
- program: the same normalized syntax tree: docstrings, comments and formatting dropped, and
  every local name renamed in order of first use, so a copy with renamed variables is a repeat;
- text: the same words, case and whitespace ignored.

SMILES are canonicalized by the molecule proposers (an exact repeat is a hash repeat). The
rejected proposals are counted (`rejected`, stored in the engine state).
"""

from __future__ import annotations

import ast
import builtins
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evolve.problem import Problem, decode_vector

BUILTIN_NAMES = frozenset(dir(builtins))


class _Renamer(ast.NodeTransformer):
    """Rename variables, arguments, functions and classes to v0, v1, ... in order of use."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def _new(self, name: str) -> str:
        if name in BUILTIN_NAMES:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node: ast.Name) -> ast.Name:  # noqa: N802 - ast's visitor names
        node.id = self._new(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self._new(node.arg)
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:  # noqa: N802
        node.name = self._new(node.name)
        _drop_docstring(node)
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:  # noqa: N802
        node.name = self._new(node.name)
        _drop_docstring(node)
        return self.generic_visit(node)


def _drop_docstring(node: ast.AST) -> None:
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        if isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]


@functools.lru_cache(maxsize=4096)
def program_key(source: str) -> str:
    """The normalized syntax tree of a program (its text stripped, if it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source.strip()
    _drop_docstring(tree)
    tree = _Renamer().visit(tree)
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def text_key(text: str) -> str:
    """A text's words, lowercased, single-spaced."""
    return " ".join(text.lower().split())


@dataclass
class NoveltyFilter:
    """Decides whether a proposal is new enough to evaluate; see the module docstring."""

    problem: Problem
    threshold: float
    rejected: int = 0

    def keep(self, content: str, held: Sequence[str]) -> bool:
        """True when `content` is not a near repeat of any of `held` (else counted)."""
        near = self._near(content, held)
        self.rejected += near
        return not near

    def _near(self, content: str, held: Sequence[str]) -> bool:
        if not held:
            return False
        kind = self.problem.representation
        if kind == "vector":
            try:
                return self._near_vector(content, held)
            except ValueError:  # malformed: left to the verifier, which says why
                return False
        if kind == "program":
            return program_key(content) in {program_key(h) for h in held}
        if kind == "text":
            return text_key(content) in {text_key(h) for h in held}
        return False

    def _near_vector(self, content: str, held: Sequence[str]) -> bool:
        space = self.problem.vector
        point = np.array(decode_vector(content))
        others = np.array([decode_vector(h) for h in held])
        diagonal = (space.high - space.low) * math.sqrt(space.size) if space else 1.0
        distances = np.linalg.norm(others - point, axis=1)
        return bool(distances.min() < self.threshold * diagonal)
