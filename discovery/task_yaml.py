"""Read a task YAML file safely: bounded file size and bounded alias expansion.

YAML aliases let a few hundred bytes stand for billions of nodes ("billion laughs"): a
571-byte file once became an 80 MB stored spec. PyYAML shares aliased nodes while
composing, so the document is measured as it would be once expanded (every node counted
each time it is reached, plus the length of every scalar) before anything is built from it.
A file without aliases weighs about its own size, so the budget only stops expansion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from discovery.errors import TaskSpecError

MAX_TASK_BYTES = 1_000_000
MAX_EXPANDED_WEIGHT = 2 * MAX_TASK_BYTES


def read_task_yaml(path: Path) -> Any:
    """The YAML document in `path`, refused (`TaskSpecError`) when too big or too expanded."""
    size = path.stat().st_size
    if size > MAX_TASK_BYTES:
        raise TaskSpecError(
            f"{path}: {size:,} bytes; a task file may hold at most {MAX_TASK_BYTES:,} "
            "(put large seeds in files beside it and name them in `seed:`)"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise TaskSpecError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, path)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" line {where.line + 1}" if where else ""
        problem = getattr(error, "problem", None) or error
        raise TaskSpecError(f"{path}{line}: not valid YAML: {problem}") from None
    except RecursionError:
        raise TaskSpecError(f"{path}: YAML nested too deeply") from None
    finally:
        loader.dispose()


def expanded_weight(root: yaml.Node, limit: int) -> int:
    """Nodes plus scalar characters of `root` with every alias expanded, counted up to just
    past `limit` (shared nodes are weighed once and their weight reused, so a bomb is cheap
    to measure). Raises `ValueError` on a recursive alias."""
    weights: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in weights:
            continue
        children = _children(node)
        if children_done:
            open_nodes.discard(key)
            total = 1 + sum(weights[id(child)] for child in children)
            weights[key] = min(total, limit + 1)
            continue
        if key in open_nodes:
            raise ValueError("a recursive alias (an anchor used inside itself)")
        if not children:
            weights[key] = 1 + len(str(node.value))
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in weights)
    return weights[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(node: yaml.Node, path: Path) -> None:
    try:
        weight = expanded_weight(node, MAX_EXPANDED_WEIGHT)
    except ValueError as error:
        raise TaskSpecError(f"{path}: YAML with {error} is not allowed") from None
    if weight > MAX_EXPANDED_WEIGHT:
        raise TaskSpecError(
            f"{path}: YAML aliases expand past {MAX_EXPANDED_WEIGHT:,} nodes and characters; "
            "write the values out (an alias bomb is refused, not expanded)"
        )
