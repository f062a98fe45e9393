"""Checks a task passes when it loads, before any candidate is evaluated.

A wrong evaluator function or proposer option would otherwise surface at the first
evaluation (or as a traceback when the run starts). The evaluator is third-party code, so
it is read, never run, here: its syntax tree must define the function the task names.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
from pathlib import Path
from typing import Any

from evolve import EvolveError
from evolve.proposers.registry import DEFAULT_KIND, proposer_class
from science import EvaluatorRef

# Top-level statements whose bodies still define module names (not functions or classes).
_BLOCKS = (ast.If, ast.Try, ast.With)


def evaluator_source(ref: EvaluatorRef) -> Path | None:
    """The Python file behind an evaluator reference (None: not a .py file, e.g. compiled)."""
    if ref.is_file:
        return Path(ref.target)
    found = importlib.util.find_spec(ref.target)
    origin = found.origin if found else None
    return Path(origin) if origin and origin.endswith(".py") else None


def module_names(tree: ast.Module) -> set[str] | None:
    """Names a module defines at top level (None when `from x import *` hides them)."""
    names: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, _BLOCKS):
            pending.extend(node.body)
            pending.extend(getattr(node, "orelse", []))
            pending.extend(getattr(node, "finalbody", []))
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)
    return names


def evaluator_problem(ref: EvaluatorRef) -> str | None:
    """Why the evaluator cannot be called (syntax error, function missing), or None."""
    path = evaluator_source(ref)
    if path is None:
        return None
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as error:
        return f"{path} line {error.lineno}: syntax error: {error.msg}"
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot read {path}: {error}"
    names = module_names(tree)
    if names is None or ref.function in names:
        return None
    defined = sorted(n for n in names if not n.startswith("_"))
    return f"{path} defines no '{ref.function}'" + (
        f" (it defines: {', '.join(defined)})" if defined else ""
    )


def proposer_problems(representation: str, kind: str | None, options: dict[str, Any]) -> list[str]:
    """What is wrong with a `proposer:` mapping: unknown kind, unknown or missing options.

    Options are checked against the proposer constructor's keyword parameters (the first
    parameter is the problem); a constructor taking `**kwargs` accepts any option.
    """
    chosen = kind or DEFAULT_KIND[representation]
    try:
        cls = proposer_class(chosen)
    except EvolveError as error:
        return [f"field `proposer.kind`: {error}"]
    parameters = list(inspect.signature(cls).parameters.values())[1:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return []
    accepted = {p.name for p in parameters if p.kind is not inspect.Parameter.VAR_POSITIONAL}
    choices = ", ".join(sorted(accepted)) or "none"
    problems = [
        f"field `proposer.{name}`: not an option of proposer '{chosen}' (options: {choices})"
        for name in sorted(set(options) - accepted)
    ]
    required = [
        p.name
        for p in parameters
        if p.default is inspect.Parameter.empty
        and p.kind is not inspect.Parameter.VAR_POSITIONAL
        and p.name not in options
    ]
    problems += [f"field `proposer.{name}`: required by proposer '{chosen}'" for name in required]
    return problems
