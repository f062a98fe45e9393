"""First autocorrelation inequality: a nonnegative step function in, an upper bound on C1 out.

C1 is the largest constant with max_t (f * f)(t) >= C1 (int f)^2 for every nonnegative f
supported on [-1/4, 1/4]; any such f gives the upper bound max(f * f) / (int f)^2. For a
step function of n equal steps (width 1 / (2n)) with heights a, f * f is piecewise linear
with its maximum at a knot, so the bound is exactly

    C1(a) = 2n * max_k (a conv a)_k / (sum a)^2

as in AlphaEvolve (Novikov et al., 2025, Appendix B.1: 1.5053, from 1.5098 before). Lower
is better. The candidate is the n heights (any scale; the bound is scale-free).

The evaluator optionally polishes the heights (SLSQP on the epigraph form: minimize s
subject to (a conv a)_k <= s, a >= 0, sum a = n; at most `polish_iterations` iterations),
keeps the polished heights only if their bound is lower, checks them strictly (finite,
nonnegative, positive sum) and recomputes the bound from the heights alone. The scored
heights, rescaled into the box [0, 1], come back in `artifacts["polished"]`.
"""

import numpy as np
from scipy.optimize import minimize

POLISH_ITERATIONS = 50


def autoconvolution_bound(heights: np.ndarray) -> float:
    """2n max(a conv a) / (sum a)^2: max(f*f) / (int f)^2 for the step function on [-1/4, 1/4]."""
    n = len(heights)
    return float(2 * n * np.max(np.convolve(heights, heights)) / heights.sum() ** 2)


def convolution_jacobian(heights: np.ndarray) -> np.ndarray:
    """d/da_j of (a conv a)_k = 2 a_{k-j}: shape (2n - 1, n)."""
    n = len(heights)
    lag = np.arange(2 * n - 1)[:, None] - np.arange(n)[None, :]
    inside = (lag >= 0) & (lag < n)
    return np.where(inside, 2.0 * heights[np.clip(lag, 0, n - 1)], 0.0)


def polish(heights: np.ndarray, iterations: int) -> np.ndarray:
    """Heights after SLSQP on: minimize s subject to a conv a <= s, a >= 0, sum a = n."""
    n = len(heights)
    start = heights * (n / heights.sum())
    start = np.append(start, np.max(np.convolve(start, start)))
    gradient = np.append(np.zeros(n), 1.0)
    result = minimize(
        lambda z: z[-1],
        start,
        jac=lambda z: gradient,
        method="SLSQP",
        bounds=[(0.0, None)] * n + [(None, None)],
        constraints=[
            {
                "type": "ineq",
                "fun": lambda z: z[-1] - np.convolve(z[:-1], z[:-1]),
                "jac": lambda z: np.hstack(
                    [-convolution_jacobian(z[:-1]), np.ones((2 * n - 1, 1))]
                ),
            },
            {
                "type": "eq",
                "fun": lambda z: z[:-1].sum() - n,
                "jac": lambda z: np.append(np.ones(n), 0.0),
            },
        ],
        options={"maxiter": iterations, "ftol": 1e-12},
    )
    polished = np.maximum(result.x[:-1], 0.0)
    return polished if np.all(np.isfinite(polished)) and polished.sum() > 0 else heights


def problems_of(heights: np.ndarray) -> list[str]:
    """Strict checks of the heights (empty when admissible)."""
    if not np.all(np.isfinite(heights)):
        return ["heights must be finite numbers"]
    if heights.min() < 0:
        return [
            f"heights must be nonnegative; step {int(np.argmin(heights))} is {heights.min():.6g}"
        ]
    if heights.sum() <= 0:
        return ["the function is zero: at least one height must be positive"]
    return []


def evaluate(candidate: list, n: int = 100, polish_iterations: int = POLISH_ITERATIONS) -> dict:
    """Score the heights `candidate` by the bound on C1 they prove (minimize)."""
    heights = np.asarray(candidate, dtype=float)
    if heights.shape != (n,):
        return {"valid": False, "feedback": f"expected {n} heights, got shape {heights.shape}"}
    problems = problems_of(heights)
    if problems:
        return {"valid": False, "feedback": "; ".join(problems)}
    raw_bound = autoconvolution_bound(heights)
    bound = raw_bound
    if polish_iterations > 0:
        polished = polish(heights, polish_iterations)
        if not problems_of(polished) and autoconvolution_bound(polished) < bound:
            heights, bound = polished, autoconvolution_bound(polished)
    peak = int(np.argmax(np.convolve(heights, heights)))
    return {
        "c1": bound,
        "raw_c1": raw_bound,
        "feedback": f"C1 bound {bound:.6f} (raw heights {raw_bound:.6f}); f*f peaks at knot "
        f"{peak} of {2 * n - 1}: lower the heights whose products add up there",
        "artifacts": {"polished": (heights / heights.max()).tolist()},
    }
