"""Erdős minimum overlap problem: a step function h in, the upper bound C5 it proves out.

For a step function h on n equal steps over [0, 2] with values in [0, 1] and integral 1
(sum h = n / 2), the bound is C5 = (2 / n) * max_k sum_i h_i (1 - h_{i+k}), the largest
overlap of h with a shifted copy of 1 - h (`np.correlate(h, 1 - h, "full")`), as verified in
AlphaEvolve (Novikov et al., 2025, Appendix B) and TTT-Discover. Lower is better; the best
known values are 0.380924 (AlphaEvolve) and 0.380875 (TTT-Discover).

The raw candidate is any vector in [0, 1]^n. The evaluator (documented, deterministic):

1. projects it onto {h in [0, 1]^n : sum h = n / 2} (Euclidean projection onto the capped
   simplex: h = clip(v - t, 0, 1), t found by bisection);
2. optionally polishes h locally (SLSQP on the epigraph form: minimize s subject to every
   correlation <= s, the same box and sum; at most `polish_iterations` iterations) and keeps
   the polished h only if its bound is lower;
3. checks h strictly (finite, inside [0, 1] exactly, |sum h - n/2| within float round-off)
   and recomputes C5 from h alone.

`artifacts["polished"]` holds the h that was scored (a proposer may adopt it: it is its own
projection, so re-evaluating it gives the same bound).
"""

import numpy as np
from scipy.optimize import minimize

POLISH_ITERATIONS = 50
SUM_TOLERANCE = 1e-9  # relative to n / 2: float round-off of a sum of n numbers


def overlap_bound(h: np.ndarray) -> float:
    """C5 = (2/n) max_k correlate(h, 1 - h)_k for a step function of n steps on [0, 2]."""
    return float(np.max(np.correlate(h, 1.0 - h, mode="full")) * 2.0 / len(h))


def project(values: np.ndarray) -> np.ndarray:
    """Euclidean projection onto {h in [0, 1]^n : sum h = n/2} (bisection on the shift)."""
    target = len(values) / 2.0
    low, high = values.min() - 1.0, values.max()
    for _ in range(200):
        shift = 0.5 * (low + high)
        if np.clip(values - shift, 0.0, 1.0).sum() > target:
            low = shift
        else:
            high = shift
    h = np.clip(values - 0.5 * (low + high), 0.0, 1.0)
    return np.clip(h + (target - h.sum()) / len(h), 0.0, 1.0)


def correlation_jacobian(h: np.ndarray) -> np.ndarray:
    """d/dh of every entry of correlate(h, 1 - h, "full"): shape (2n - 1, n)."""
    n = len(h)
    shifts = np.arange(-(n - 1), n)[:, None]
    columns = np.arange(n)[None, :]
    complement = 1.0 - h
    up, down = columns - shifts, columns + shifts  # row s: c_s = sum_i h_i (1 - h_{i-s})
    first = np.where((up >= 0) & (up < n), complement[np.clip(up, 0, n - 1)], 0.0)
    second = np.where((down >= 0) & (down < n), h[np.clip(down, 0, n - 1)], 0.0)
    return first - second


def polish(h: np.ndarray, iterations: int) -> np.ndarray:
    """h after SLSQP on: minimize s subject to correlate(h, 1-h) <= s, 0 <= h <= 1, sum = n/2."""
    n = len(h)
    start = np.append(h, np.max(np.correlate(h, 1.0 - h, mode="full")))
    gradient = np.append(np.zeros(n), 1.0)

    def slack(z: np.ndarray) -> np.ndarray:
        return z[-1] - np.correlate(z[:-1], 1.0 - z[:-1], mode="full")

    def slack_jacobian(z: np.ndarray) -> np.ndarray:
        jac = -correlation_jacobian(z[:-1])
        return np.hstack([jac, np.ones((len(jac), 1))])

    result = minimize(
        lambda z: z[-1],
        start,
        jac=lambda z: gradient,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * n + [(None, None)],
        constraints=[
            {"type": "ineq", "fun": slack, "jac": slack_jacobian},
            {
                "type": "eq",
                "fun": lambda z: z[:-1].sum() - n / 2.0,
                "jac": lambda z: np.append(np.ones(n), 0.0),
            },
        ],
        options={"maxiter": iterations, "ftol": 1e-12},
    )
    return project(np.clip(result.x[:-1], 0.0, 1.0)) if np.all(np.isfinite(result.x)) else h


def problems_of(h: np.ndarray) -> list[str]:
    """Strict checks of a step function (empty when it is admissible)."""
    n = len(h)
    problems = []
    if not np.all(np.isfinite(h)):
        problems.append("h has NaN or infinite values")
    elif h.min() < 0 or h.max() > 1:
        problems.append(f"h must lie in [0, 1]; it spans [{h.min():.6g}, {h.max():.6g}]")
    elif abs(h.sum() - n / 2.0) > SUM_TOLERANCE * n / 2.0:
        problems.append(f"sum h must be n/2 = {n / 2:g}; it is {h.sum():.12g}")
    return problems


def evaluate(candidate: list, n: int = 50, polish_iterations: int = POLISH_ITERATIONS) -> dict:
    """Project, polish and strictly check `candidate`; score it by the bound C5 (minimize)."""
    values = np.asarray(candidate, dtype=float)
    if values.shape != (n,) or not np.all(np.isfinite(values)):
        return {"valid": False, "feedback": f"expected {n} finite numbers, got {values.shape}"}
    raw = project(values)
    h, bound = raw, overlap_bound(raw)
    if polish_iterations > 0:
        polished = polish(raw, polish_iterations)
        if not problems_of(polished) and overlap_bound(polished) < bound:
            h, bound = polished, overlap_bound(polished)
    problems = problems_of(h)
    if problems:
        return {"valid": False, "feedback": "; ".join(problems)}
    shift = int(np.argmax(np.correlate(h, 1.0 - h, mode="full"))) - (n - 1)
    return {
        "c5": bound,
        "raw_c5": overlap_bound(raw),
        "feedback": f"C5 bound {bound:.6f} (projected raw vector {overlap_bound(raw):.6f}); "
        f"the largest overlap is at shift {shift} steps: lower h where it overlaps 1 - h there",
        "artifacts": {"polished": h.tolist()},
    }
