"""Variation operators on Python programs through their syntax tree (offline, no model).

Mutation perturbs a few sites of the tree: numeric constants (integers by one, floats by a
relative Cauchy step, whose heavy tail mixes fine tuning with rare large jumps as in fast
evolutionary programming, Yao, Liu & Lin 1999), arithmetic operators (``+`` <-> ``-``,
``*`` <-> ``/``, ...), comparisons (``<`` <-> ``<=``, ...) and boolean operators
(``and`` <-> ``or``): the point mutations of tree-based genetic programming (Koza, 1992)
applied to real Python. Crossover works on same-named top-level functions: where two
versions have the same shape it mixes their constants and operators site by site
(uniform crossover over the common region, Poli & Langdon 1998); otherwise it swaps whole functions, a coarse
subtree crossover that keeps every function well formed. Results go through
`ast.unparse`, so they always parse (comments and the parent's formatting are not kept).
Randomness comes only from the `numpy.random.Generator` passed in: the same generator
state gives the same child.
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
OPERATOR_TYPES = (ast.operator, ast.cmpop, ast.boolop, ast.unaryop)


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
    below 0 if they were not), floats by a relative Cauchy step of scale `sigma` (an absolute
    Gaussian one at 0), rounded to a few significant digits for reading."""
    if isinstance(value, int):
        step = int(rng.choice([-1, 1])) if abs(value) < 10 else round(value * rng.normal(0, sigma))
        step = step or 1
        return value - step if value >= 0 > value + step else value + step
    if value == 0:
        return float(f"{rng.normal(0.0, sigma):.{SIGNIFICANT_DIGITS}g}")
    moved = value * (1.0 + sigma * rng.standard_cauchy())
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


def _skeleton(node: ast.AST) -> list[ast.AST]:
    """The nodes of `node` in walk order, operators left out (they are what may differ)."""
    return [n for n in ast.walk(node) if not isinstance(n, OPERATOR_TYPES)]


def _same_shape(ours: ast.AST, theirs: ast.AST) -> bool:
    a, b = _skeleton(ours), _skeleton(theirs)
    return len(a) == len(b) and all(type(x) is type(y) for x, y in zip(a, b, strict=True))


def _mix_sites(ours: ast.AST, theirs: ast.AST, rng: np.random.Generator) -> None:
    """Uniform crossover of same-shape trees: each aligned constant or operator from either."""
    for mine, other in zip(_skeleton(ours), _skeleton(theirs), strict=True):
        if rng.random() < 0.5:
            continue
        if isinstance(mine, ast.Constant):
            mine.value = other.value
        elif isinstance(mine, ast.BinOp | ast.AugAssign | ast.BoolOp | ast.UnaryOp):
            mine.op = copy.deepcopy(other.op)
        elif isinstance(mine, ast.Compare):
            mine.ops = copy.deepcopy(other.ops)


def _swap_functions(
    tree: ast.Module, indexes: list[int], theirs: dict[str, ast.AST], rng: np.random.Generator
) -> None:
    """Replace a random non-empty (proper, when there are several) subset of the functions at
    `indexes` by the donor's, with the donor-only helpers they call."""
    count = 1 if len(indexes) == 1 else int(rng.integers(1, len(indexes)))
    taken = sorted(int(i) for i in rng.choice(indexes, size=count, replace=False))
    for index in taken:
        tree.body[index] = copy.deepcopy(theirs[tree.body[index].name])
    ours = _functions(tree)
    used = _names_used([tree.body[i] for i in taken])
    helpers = [copy.deepcopy(node) for name, node in theirs.items() if name in used - ours.keys()]
    tree.body[taken[0] : taken[0]] = helpers


def crossover_programs(first: str, second: str, rng: np.random.Generator) -> str | None:
    """A child of `first` and `second`, built from their same-named top-level functions.

    A function of the same shape in both (as after constant or operator mutations) gets each
    constant and operator from either parent (uniform crossover); among functions
    whose shapes differ, a random non-empty proper subset is taken whole from `second`, with
    helpers that only `second` defines and that they call. So the child holds material of
    both parents. None when no function differs, or the child equals a parent.
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
    reshaped = []
    for index in differing:
        if _same_shape(tree.body[index], theirs[tree.body[index].name]):
            _mix_sites(tree.body[index], theirs[tree.body[index].name], rng)
        else:
            reshaped.append(index)
    if reshaped:
        _swap_functions(tree, reshaped, theirs, rng)
    child = ast.unparse(ast.fix_missing_locations(tree))
    parents = {ast.unparse(parse_program(text)) for text in (first, second)}
    return None if not differing or child in parents else child
