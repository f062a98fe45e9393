"""The structured part of a vector verdict: `terms` and `constraints` (task contract).

An evaluator may return, beside its metric, `terms` (the values whose minimum the metric
maximizes, or whose maximum it minimizes: all pairwise distances, all triangle areas) and
`constraints` (values that must stay >= 0). Engine-side refinement (`science.refine`) then
solves the epigraph form of the max-min problem. Both must be finite 1-D lists of numbers,
and the number of constraints must not change from one call to the next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from science.errors import ScienceError

STRUCTURE_KEYS = ("terms", "constraints")


class StructureInvalid(ScienceError):
    """An evaluator returned `terms` or `constraints` that are not finite 1-D lists of
    numbers, or constraints whose number changed between calls."""


def _finite_list(name: str, value: Any) -> list[float]:
    if isinstance(value, str | bytes | dict) or not isinstance(value, Sequence):
        raise StructureInvalid(
            f"`{name}` must be a flat list of numbers, got {type(value).__name__}"
        )
    numbers = []
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise StructureInvalid(
                f"`{name}[{index}]` is {type(item).__name__}, not a number: "
                f"`{name}` must be a flat (1-D) list of finite numbers"
            )
        if not math.isfinite(item):
            raise StructureInvalid(f"`{name}[{index}]` is {item}; every value must be finite")
        numbers.append(float(item))
    return numbers


def _check_count(name: str, values: list[float] | None, expected: int | None) -> None:
    if expected is not None and len(values or []) != expected:
        raise StructureInvalid(
            f"`{name}` has {len(values or [])} values, but earlier calls returned {expected}: "
            f"an evaluator must return the same number of {name} for every candidate of a task"
        )


def validate_structure(
    terms: Any = None,
    constraints: Any = None,
    term_count: int | None = None,
    constraint_count: int | None = None,
) -> tuple[list[float] | None, list[float] | None]:
    """Check an evaluator's `terms` and `constraints`; return them as lists of floats.

    None stands for "not returned". `terms`, when given, must be a non-empty finite 1-D
    list; `constraints` a finite 1-D list. `term_count` and `constraint_count`, when given,
    are the numbers an earlier call of the same evaluator returned, which must not change
    (a missing `constraints` counts as zero). Raises `StructureInvalid`, naming the key and
    the index at fault.
    """
    checked_terms = None if terms is None else _finite_list("terms", terms)
    if checked_terms is not None and not checked_terms:
        raise StructureInvalid("`terms` is empty: return at least one value, or leave it out")
    checked = None if constraints is None else _finite_list("constraints", constraints)
    if checked_terms is not None:
        _check_count("terms", checked_terms, term_count)
    _check_count("constraints", checked, constraint_count)
    return checked_terms, checked
