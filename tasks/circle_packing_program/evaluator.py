"""Circle packing in the unit square, program variant: run `pack(n)`, check it exactly.

The candidate is a Python file defining ``pack(n)`` that returns n rows (x, y, r). It runs in
a process of its own through `science.run_candidate`, so it cannot touch this checker; only
its rows come back, as plain numbers. The packing is verified with zero tolerance: finite numbers, radii >= 0, every circle inside
[0, 1]^2 (x - r >= 0, x + r <= 1, same for y) and r_i + r_j <= |c_i - c_j| for every pair.
The score is the sum of radii; `feedback` names the worst violations and by how much.
"""

import numpy as np

from science import CandidateFailed, run_candidate

MAX_FEEDBACK_PROBLEMS = 5


def violations(circles: np.ndarray) -> list[str]:
    """Every negative radius, wall crossing or overlap (zero tolerance), worst first."""
    x, y, r = circles.T
    problems = []
    for k in np.flatnonzero(r < 0):
        problems.append((-r[k], f"circle {k} has a negative radius {r[k]:.6g}"))
    crossing = np.max(np.stack([r - x, x + r - 1, r - y, y + r - 1]), axis=0)
    for k in np.flatnonzero(crossing > 0):
        problems.append((crossing[k], f"circle {k} leaves the unit square by {crossing[k]:.3g}"))
    i, j = np.triu_indices(len(circles), 1)
    excess = r[i] + r[j] - np.hypot(x[i] - x[j], y[i] - y[j])
    for k in np.flatnonzero(excess > 0):
        problems.append((excess[k], f"circles {i[k]} and {j[k]} overlap by {excess[k]:.3g}"))
    return [text for _, text in sorted(problems, key=lambda item: -item[0])]


def evaluate(candidate: str, n: int = 26) -> dict:
    """Run the candidate's `pack(n)` and score its packing by the sum of radii."""
    try:
        rows = run_candidate(candidate, "pack", n)
    except CandidateFailed as error:
        return {"valid": False, "feedback": str(error)}
    try:
        circles = np.asarray(rows, dtype=float)
    except (TypeError, ValueError):
        return {"valid": False, "feedback": f"pack({n}) must return {n} rows of 3 numbers"}
    if circles.shape != (n, 3):
        return {
            "valid": False,
            "feedback": f"pack({n}) must return {n} rows (x, y, r); got shape {circles.shape}",
        }
    if not np.all(np.isfinite(circles)):
        bad = np.flatnonzero(~np.all(np.isfinite(circles), axis=1))
        return {"valid": False, "feedback": f"circle {bad[0]} has a NaN or infinite value"}
    problems = violations(circles)
    if problems:
        more = f" (and {len(problems) - MAX_FEEDBACK_PROBLEMS} more)" if len(problems) > 5 else ""
        return {
            "valid": False,
            "sum_radii": 0.0,
            "feedback": "; ".join(problems[:MAX_FEEDBACK_PROBLEMS]) + more,
        }
    radii = circles[:, 2]
    return {
        "sum_radii": float(radii.sum()),
        "min_radius": float(radii.min()),
        "feedback": f"{n} circles, sum of radii {radii.sum():.6f}, smallest {radii.min():.4f}",
        "artifacts": {"circles": circles.tolist()},
    }
