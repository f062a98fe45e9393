"""Variation operators on Python programs through their syntax tree (offline, no model).

Mutation perturbs a few sites of the tree: numeric constants (relative Gaussian steps,
integers by one), arithmetic operators (``+`` <-> ``-``, ``*`` <-> ``/``, ...), comparisons
(``<`` <-> ``<=``, ...) and boolean operators (``and`` <-> ``or``), the classic point
mutations of tree-based genetic programming (Koza, 1992) applied to real Python.
Crossover swaps whole top-level functions between two programs, a coarse subtree crossover
that keeps every function well formed. Results go through `ast.unparse`, so they always
parse (comments and formatting of the parent are not kept). Randomness comes only from the
`numpy.random.Generator` passed in, so the same generator state gives the same child.
"""

from __future__ import annotations

import ast
import copy
import math

import numpy as np

BINOP_SWAPS: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub, ast.Mult),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult, ast.FloorDiv),
    ast.FloorDiv: (ast.Div,),
    ast.Pow: (ast.Mult,),
}
COMPARE_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
}
BOOLOP_SWAPS: dict[type[ast.boolop], tuple[type[ast.boolop], ...]] = {
    ast.And: (ast.Or,),
    ast.Or: (ast.And,),
}
SIGNIFICANT_DIGITS = 6
FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)


def parse_program(source: str) -> ast.Module | None:
    """The module's tree, or None when the text is not valid Python."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and math.isfinite(node.value)
    )


def _mutation_sites(tree: ast.Module) -> list[ast.AST]:
    """Every node a point mutation can change, in `ast.walk` order (deterministic)."""
    sites: list[ast.AST] = []
    for node in ast.walk(tree):
        if _is_number(node):
            sites.append(node)
        elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in BINOP_SWAPS:
            sites.append(node)
        elif isinstance(node, ast.Compare) and any(type(op) in COMPARE_SWAPS for op in node.ops):
            sites.append(node)
        elif isinstance(node, ast.BoolOp):
            sites.append(node)
    return sites


def perturb_number(value: int | float, rng: np.random.Generator, sigma: float) -> int | float:
    """A different nearby number: integers move by one (by a relative step when large, never
    below 0 if they were not), floats by a relative Gaussian step of scale `sigma` (an
    absolute one around 0), rounded to a few significant digits for reading."""
    if isinstance(value, int):
        step = int(rng.choice([-1, 1])) if abs(value) < 10 else round(value * rng.normal(0, sigma))
        step = step or 1
        return value - step if value >= 0 > value + step else value + step
    moved = value * (1.0 + rng.normal(0.0, sigma)) if value != 0 else rng.normal(0.0, sigma)
    return float(f"{moved:.{SIGNIFICANT_DIGITS}g}")


def _swap(current: type, table: dict, rng: np.random.Generator) -> object:
    choices = table[current]
    return choices[int(rng.integers(len(choices)))]()


def _mutate_site(node: ast.AST, rng: np.random.Generator, sigma: float) -> None:
    if isinstance(node, ast.Constant):
        node.value = perturb_number(node.value, rng, sigma)
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        node.op = _swap(type(node.op), BINOP_SWAPS, rng)
    elif isinstance(node, ast.Compare):
        swappable = [i for i, op in enumerate(node.ops) if type(op) in COMPARE_SWAPS]
        index = swappable[int(rng.integers(len(swappable)))]
        node.ops[index] = _swap(type(node.ops[index]), COMPARE_SWAPS, rng)
    elif isinstance(node, ast.BoolOp):
        node.op = _swap(type(node.op), BOOLOP_SWAPS, rng)


def mutate_program(
    source: str, rng: np.random.Generator, max_edits: int = 3, sigma: float = 0.1
) -> str | None:
    """`source` with 1..`max_edits` point mutations; None if it does not parse or has no site."""
    tree = parse_program(source)
    if tree is None:
        return None
    sites = _mutation_sites(tree)
    if not sites:
        return None
    edits = min(len(sites), 1 + int(rng.integers(max(1, max_edits))))
    for index in rng.choice(len(sites), size=edits, replace=False):
        _mutate_site(sites[int(index)], rng, sigma)
    return ast.unparse(ast.fix_missing_locations(tree))


def _functions(tree: ast.Module) -> dict[str, ast.AST]:
    return {node.name: node for node in tree.body if isinstance(node, FUNCTION_TYPES)}


def _names_used(nodes: list[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def crossover_programs(first: str, second: str, rng: np.random.Generator) -> str | None:
    """`first` with some of its top-level functions replaced by `second`'s same-named ones.

    When the two share several differing functions, a random non-empty proper subset comes
    from `second`, so the child holds functions of both parents. Helpers that only `second`
    defines and that the taken functions call come along. None when nothing differs.
    """
    tree, donor = parse_program(first), parse_program(second)
    if tree is None or donor is None:
        return None
    theirs = _functions(donor)
    differing = [
        index
        for index, node in enumerate(tree.body)
        if isinstance(node, FUNCTION_TYPES)
        and node.name in theirs
        and ast.dump(node) != ast.dump(theirs[node.name])
    ]
    if not differing:
        return None
    count = 1 if len(differing) == 1 else int(rng.integers(1, len(differing)))
    taken = sorted(int(i) for i in rng.choice(differing, size=count, replace=False))
    for index in taken:
        tree.body[index] = copy.deepcopy(theirs[tree.body[index].name])
    ours = _functions(tree)
    used = _names_used([tree.body[i] for i in taken])
    helpers = [copy.deepcopy(node) for name, node in theirs.items() if name in used - ours.keys()]
    tree.body[taken[0] : taken[0]] = helpers
    return ast.unparse(ast.fix_missing_locations(tree))
