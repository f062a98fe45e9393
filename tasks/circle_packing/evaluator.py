"""Circle packing in the unit square: centres in, best radii by linear programming, strict check."""

import numpy as np
from scipy.optimize import linprog

SAFETY = (
    1e-12  # radii are shrunk by this much so that the exact check below never fails on round-off
)


def optimal_radii(centres: np.ndarray) -> np.ndarray:
    """Largest radii (max sum) for fixed centres: r_i + r_j <= d_ij, r_i <= distance to each side."""
    n = len(centres)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    rows = np.zeros((len(pairs), n))
    for k, (i, j) in enumerate(pairs):
        rows[k, i] = rows[k, j] = 1.0
    gaps = np.array([np.linalg.norm(centres[i] - centres[j]) for i, j in pairs])
    walls = np.minimum(centres.min(axis=1), (1.0 - centres).min(axis=1))
    solution = linprog(
        -np.ones(n),
        A_ub=rows,
        b_ub=gaps,
        bounds=list(zip([0.0] * n, walls, strict=False)),
        method="highs",
    )
    if not solution.success:
        raise ValueError(f"linear program failed: {solution.message}")
    return np.maximum(solution.x - SAFETY, 0.0)


def violations(centres: np.ndarray, radii: np.ndarray) -> list[str]:
    """Every overlap or wall crossing, with zero tolerance."""
    problems = []
    for i in range(len(radii)):
        x, y = centres[i]
        if x - radii[i] < 0 or x + radii[i] > 1 or y - radii[i] < 0 or y + radii[i] > 1:
            problems.append(f"circle {i} leaves the square")
        for j in range(i + 1, len(radii)):
            if radii[i] + radii[j] > np.hypot(*(centres[i] - centres[j])):
                problems.append(f"circles {i} and {j} overlap")
    return problems


def evaluate(candidate: list, n: int = 26) -> dict:
    values = np.asarray(candidate, dtype=float)
    if values.shape != (2 * n,) or not np.all(np.isfinite(values)):
        return {
            "valid": False,
            "feedback": f"expected {2 * n} finite numbers, got shape {values.shape}",
        }
    centres = values.reshape(n, 2)
    if np.any(centres < 0) or np.any(centres > 1):
        return {"valid": False, "feedback": "every centre must lie in the unit square"}
    radii = optimal_radii(centres)
    problems = violations(centres, radii)
    if problems:
        return {"valid": False, "sum_radii": 0.0, "feedback": "; ".join(problems[:5])}
    return {
        "sum_radii": float(radii.sum()),
        "min_radius": float(radii.min()),
        "feedback": f"{n} circles, sum of radii {radii.sum():.6f}, smallest {radii.min():.4f}",
        "artifacts": {"radii": radii.tolist()},
    }
