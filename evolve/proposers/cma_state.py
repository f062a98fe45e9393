"""A CMA-ES strategy (`cmaes.CMA`) as plain JSON fields, restored exactly.

The stored state names every attribute of the strategy: the mean, the covariance `C`, the
step size `sigma`, the evolution paths, the generation `g`, the weights and learning
rates, the bounds and the stopping statistics. Arrays are stored as their dtype, shape and
values; floats as JSON numbers (exact: Python writes the shortest text that reads back to
the same double), with "nan", "inf" and "-inf" spelled as strings since JSON has no such
numbers. Nothing read back is unpickled: restoring builds the arrays from these values and
checks that the field names are exactly those of this `cmaes` version.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from cmaes import CMA

from evolve.errors import EvolveError

SKIPPED = ("_rng",)  # the generator is reseeded from the run's context before each use
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class CmaStateInvalid(EvolveError):
    """A stored CMA-ES state does not match this version of the `cmaes` package."""


def _number(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def _read_number(value: float | str) -> float:
    return NON_FINITE[value] if isinstance(value, str) else float(value)


def _field(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        values = [_number(float(v)) if value.dtype.kind == "f" else v.item() for v in value.ravel()]
        return {"dtype": value.dtype.str, "shape": list(value.shape), "values": values}
    if isinstance(value, bool | np.bool_):
        return {"bool": bool(value)}
    if isinstance(value, np.floating):
        return {"float64": _number(float(value))}
    if isinstance(value, float):
        return {"float": _number(value)}
    if isinstance(value, int | np.integer):
        return {"int": int(value)}
    if value is None:
        return None
    raise CmaStateInvalid(f"cannot store a CMA-ES attribute of type {type(value).__name__}")


def _value(field: Any) -> Any:
    if field is None:
        return None
    if "dtype" in field:
        dtype = np.dtype(field["dtype"])
        values = (
            [_read_number(v) for v in field["values"]] if dtype.kind == "f" else field["values"]
        )
        return np.array(values, dtype=dtype).reshape(field["shape"])
    if "bool" in field:
        return bool(field["bool"])
    if "float64" in field:
        return np.float64(_read_number(field["float64"]))
    if "float" in field:
        return _read_number(field["float"])
    return int(field["int"])


def cma_to_json(strategy: CMA) -> dict[str, Any]:
    """Every attribute of `strategy` (leading underscore dropped) as a JSON field."""
    return {
        name.lstrip("_"): _field(value)
        for name, value in vars(strategy).items()
        if name not in SKIPPED
    }


def cma_from_json(fields: dict[str, Any]) -> CMA:
    """Inverse of `cma_to_json`; the generator is a placeholder until reseeded."""
    strategy = CMA.__new__(CMA)
    expected = {
        name.lstrip("_")
        for name in vars(CMA(mean=np.zeros(2), sigma=1.0)).keys()
        if name not in SKIPPED
    }
    if set(fields) != expected:
        missing, extra = sorted(expected - set(fields)), sorted(set(fields) - expected)
        raise CmaStateInvalid(
            f"stored CMA-ES state does not fit cmaes {_version()}: missing {missing}, "
            f"unknown {extra}; resume with the cmaes version that wrote it, or start afresh"
        )
    for name, field in fields.items():
        setattr(strategy, f"_{name}", _value(field))
    strategy._rng = np.random.RandomState(0)
    return strategy


def _version() -> str:
    import cmaes

    return getattr(cmaes, "__version__", "?")
