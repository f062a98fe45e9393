"""Circle packing in the unit square: centres in, a polished packing scored and checked exactly.

The candidate is the 2n centre coordinates (x1, y1, ..., xn, yn). Scoring is Lamarckian
(as AlphaEvolve's packing programs, which run SLSQP inside):

1. the largest radii for the given centres, by linear programming (max sum r subject to
   r_i + r_j <= d_ij and r_i <= distance of centre i to each side);
2. a bounded local polish of centres and radii together (SLSQP on x, y, r from step 1,
   at most `polish_iterations` iterations; 0 turns it off);
3. the polished centres get their LP radii again, radii are lowered by a few ulps where
   round-off would break a constraint, and the packing is checked with zero tolerance.

The score is the sum of radii of the better of the raw and the polished packing; the
polished centres come back in `artifacts["polished"]` (the vector a proposer may adopt) with
the radii in `artifacts["radii"]`. Evaluation is deterministic, so re-evaluating a candidate
reproduces its score.
"""

import numpy as np
from scipy.optimize import linprog, minimize
from scipy.sparse import csr_matrix

POLISH_ITERATIONS = 100
MAX_FEEDBACK_PROBLEMS = 5


def pair_distances(centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices (i < j) of every pair of circles and the distance between their centres."""
    i, j = np.triu_indices(len(centres), 1)
    return i, j, np.hypot(*(centres[i] - centres[j]).T)


def wall_distances(centres: np.ndarray) -> np.ndarray:
    """Distance from each centre to the nearest side of the unit square."""
    return np.minimum(centres.min(axis=1), (1.0 - centres).min(axis=1))


def optimal_radii(centres: np.ndarray) -> np.ndarray:
    """Largest-sum radii for fixed centres (a linear program, solved by HiGHS)."""
    n = len(centres)
    i, j, gaps = pair_distances(centres)
    rows = np.repeat(np.arange(len(i)), 2)
    pairs = csr_matrix((np.ones(2 * len(i)), (rows, np.stack([i, j], 1).ravel())), (len(i), n))
    bounds = np.stack([np.zeros(n), wall_distances(centres)], axis=1)
    solution = linprog(-np.ones(n), A_ub=pairs, b_ub=gaps, bounds=bounds, method="highs")
    if not solution.success:
        raise ValueError(f"linear program for the radii failed: {solution.message}")
    return feasible_radii(centres, solution.x)


def feasible_radii(centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Lower radii by the solver's tolerance so that the exact check holds in floating point."""
    radii = np.clip(radii, 0.0, wall_distances(centres))
    for k in range(len(radii)):
        while radii[k] > 0 and not _inside(centres[k], radii[k]):
            radii[k] = np.nextafter(radii[k], 0.0)
    i, j, gaps = pair_distances(centres)
    for a, b, gap in zip(i, j, gaps, strict=True):
        while radii[a] + radii[b] > gap:  # a few ulps at most: excess is the LP's tolerance
            excess = max(radii[a] + radii[b] - gap, np.finfo(float).tiny)
            radii[a] = max(0.0, np.nextafter(radii[a] - excess, 0.0))
            radii[b] = max(0.0, np.nextafter(radii[b] - excess, 0.0))
    return radii


def _inside(centre: np.ndarray, radius: float) -> bool:
    x, y = centre
    return x - radius >= 0 and x + radius <= 1 and y - radius >= 0 and y + radius <= 1


def violations(centres: np.ndarray, radii: np.ndarray) -> list[str]:
    """Every wall crossing or overlap, with zero tolerance, worst first."""
    problems = []
    for k in range(len(radii)):
        if radii[k] < 0 or not _inside(centres[k], radii[k]):
            problems.append((1.0, f"circle {k} (r={radii[k]:.6g}) leaves the unit square"))
    i, j, gaps = pair_distances(centres)
    excess = radii[i] + radii[j] - gaps
    for k in np.flatnonzero(excess > 0):
        problems.append((excess[k], f"circles {i[k]} and {j[k]} overlap by {excess[k]:.3g}"))
    return [text for _, text in sorted(problems, key=lambda item: -item[0])]


def polish(centres: np.ndarray, radii: np.ndarray, iterations: int) -> np.ndarray:
    """Centres after SLSQP on (x, y, r) maximizing sum r, from the given packing."""
    n = len(centres)
    i, j = np.triu_indices(n, 1)
    rows, ids = np.arange(len(i)), np.arange(n)
    gradient = np.concatenate([np.zeros(2 * n), -np.ones(n)])

    def split(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return z[: 2 * n : 2], z[1 : 2 * n : 2], z[2 * n :]

    def constraints(z: np.ndarray) -> np.ndarray:
        x, y, r = split(z)
        dx, dy, s = x[i] - x[j], y[i] - y[j], r[i] + r[j]
        return np.concatenate([dx * dx + dy * dy - s * s, x - r, 1 - x - r, y - r, 1 - y - r])

    def jacobian(z: np.ndarray) -> np.ndarray:
        x, y, r = split(z)
        dx, dy, s = x[i] - x[j], y[i] - y[j], r[i] + r[j]
        jac = np.zeros((len(i) + 4 * n, 3 * n))
        jac[rows, 2 * i], jac[rows, 2 * j] = 2 * dx, -2 * dx
        jac[rows, 2 * i + 1], jac[rows, 2 * j + 1] = 2 * dy, -2 * dy
        jac[rows, 2 * n + i], jac[rows, 2 * n + j] = -2 * s, -2 * s
        for side, (axis, sign) in enumerate([(0, 1), (0, -1), (1, 1), (1, -1)]):
            jac[len(i) + side * n + ids, 2 * ids + axis] = sign
            jac[len(i) + side * n + ids, 2 * n + ids] = -1
        return jac

    result = minimize(
        lambda z: -z[2 * n :].sum(),
        np.concatenate([centres.ravel(), radii]),
        jac=lambda z: gradient,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * (2 * n) + [(0.0, 0.5)] * n,
        constraints=[{"type": "ineq", "fun": constraints, "jac": jacobian}],
        options={"maxiter": iterations, "ftol": 1e-12},
    )
    polished = result.x[: 2 * n].reshape(n, 2)
    return np.clip(polished, 0.0, 1.0) if np.all(np.isfinite(polished)) else centres


def evaluate(candidate: list, n: int = 26, polish_iterations: int = POLISH_ITERATIONS) -> dict:
    """Score `candidate` (2n centre coordinates in [0, 1]) by the sum of radii of its packing."""
    values = np.asarray(candidate, dtype=float)
    if values.shape != (2 * n,) or not np.all(np.isfinite(values)):
        return {
            "valid": False,
            "feedback": f"expected {2 * n} finite numbers (x1, y1, ..., x{n}, y{n}), "
            f"got shape {values.shape}",
        }
    outside = np.flatnonzero((values < 0) | (values > 1))
    if len(outside):
        return {
            "valid": False,
            "feedback": f"every coordinate must lie in [0, 1]; "
            f"coordinate {outside[0]} is {values[outside[0]]:.6g}",
        }
    raw = values.reshape(n, 2)
    raw_radii = optimal_radii(raw)
    centres, radii = raw, raw_radii
    if polish_iterations > 0:
        polished = polish(raw, raw_radii, polish_iterations)
        polished_radii = optimal_radii(polished)
        if polished_radii.sum() > raw_radii.sum():
            centres, radii = polished, polished_radii
    problems = violations(centres, radii)
    if problems:
        return {
            "valid": False,
            "sum_radii": 0.0,
            "feedback": "; ".join(problems[:MAX_FEEDBACK_PROBLEMS]),
        }
    return {
        "sum_radii": float(radii.sum()),
        "raw_sum_radii": float(raw_radii.sum()),
        "min_radius": float(radii.min()),
        "feedback": f"{n} circles, sum of radii {radii.sum():.6f} (raw centres "
        f"{raw_radii.sum():.6f}), smallest radius {radii.min():.4f}",
        "artifacts": {"polished": centres.ravel().tolist(), "radii": radii.tolist()},
    }


def render(candidate: list, n: int = 26, polish_iterations: int = POLISH_ITERATIONS) -> str:
    """An SVG of the packing `evaluate` scores (the task's `render`: the dashboard and the
    results folder show it): the unit square, each circle shaded by its radius."""
    result = evaluate(candidate, n=n, polish_iterations=polish_iterations)
    artifacts = result.get("artifacts", {})
    centres = np.asarray(artifacts.get("polished", candidate), dtype=float).reshape(-1, 2)
    radii = np.asarray(artifacts.get("radii", np.zeros(len(centres))), dtype=float)
    size, margin = 360, 10
    scale = size - 2 * margin
    largest = float(radii.max()) if len(radii) and radii.max() > 0 else 1.0
    shapes = [
        f'<rect x="{margin}" y="{margin}" width="{scale}" height="{scale}" '
        'fill="none" stroke="#333" stroke-width="1"/>'
    ]
    for (x, y), r in zip(centres, radii, strict=True):
        shade = 0.35 + 0.5 * float(r) / largest
        shapes.append(
            f'<circle cx="{margin + x * scale:.2f}" cy="{margin + (1 - y) * scale:.2f}" '
            f'r="{max(float(r), 0.0) * scale:.2f}" fill="#3366cc" fill-opacity="{shade:.2f}" '
            'stroke="#12336b" stroke-width="0.6"/>'
        )
    caption = f"{len(centres)} circles, sum of radii {result.get('sum_radii', 0.0):.6f}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 24}" '
        f'viewBox="0 0 {size} {size + 24}">{"".join(shapes)}'
        f'<text x="{margin}" y="{size + 16}" font-family="sans-serif" font-size="13">'
        f"{caption}</text></svg>"
    )
