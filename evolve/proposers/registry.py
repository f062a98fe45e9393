"""Find a proposer class by kind: a registered name, or a `module:Class` path.

Kinds are registered as Python entry points in the group `discovery.proposers` (see
pyproject.toml), so that domains such as `molopt` plug in without `evolve` importing them.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from evolve.errors import UnknownProposer
from evolve.problem import Problem
from evolve.proposers.base import Proposer

ENTRY_POINT_GROUP = "discovery.proposers"
DEFAULT_KIND = {"vector": "cmaes", "program": "mutation", "smiles": "graph_ga", "text": "mutation"}


def registered_kinds() -> dict[str, str]:
    """Registered proposer kinds and the `module:Class` each names."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _import(path: str) -> type:
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnknownProposer(f"proposer '{path}': cannot import {module_name}: {error}") from error
    found = getattr(module, attribute, None)
    if found is None:
        raise UnknownProposer(f"proposer '{path}': {module_name} has no '{attribute}'")
    return found


def proposer_class(kind: str) -> type:
    """The class for `kind` (a registered name or `module:Class`)."""
    kinds = registered_kinds()
    if kind in kinds:
        return _import(kinds[kind])
    if ":" in kind:
        return _import(kind)
    raise UnknownProposer(
        f"unknown proposer kind '{kind}'; registered: {', '.join(sorted(kinds))}, "
        "or give 'package.module:Class'"
    )


def make_proposer(problem: Problem, kind: str | None = None, **options: Any) -> Proposer:
    """Build the proposer a task asks for (or its representation's offline default)."""
    kind = kind or DEFAULT_KIND[problem.representation]
    proposer = proposer_class(kind)(problem, **options)
    if not isinstance(proposer, Proposer):
        raise UnknownProposer(f"proposer '{kind}' lacks propose/tell/state_dict/load_state_dict")
    return proposer
