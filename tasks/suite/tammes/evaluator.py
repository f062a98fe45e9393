"""Tammes problem: n points on the unit sphere maximizing the smallest angular distance
between two of them (Tammes, 1930).

The candidate holds n points of R^3, each projected radially onto the sphere. With
`terms=True` the evaluator also returns every pairwise angle (degrees): the score is
their minimum, which lets the engine solve the max-min problem in epigraph form.
"""

import numpy as np


def evaluate(candidate: list[float], n: int = 13, terms: bool = False) -> dict:
    points = np.asarray(candidate, dtype=float).reshape(n, 3)
    norms = np.linalg.norm(points, axis=1)
    if norms.min() < 1e-9:
        return {"valid": False, "feedback": f"point {int(norms.argmin())} is at the origin"}
    points = points / norms[:, None]
    i, j = np.triu_indices(n, 1)
    cosines = np.clip(np.sum(points[i] * points[j], axis=1), -1.0, 1.0)
    angles = np.degrees(np.arccos(cosines))
    closest = int(angles.argmin())
    result = {
        "min_angle": float(angles.min()),
        "feedback": f"closest pair {i[closest]}-{j[closest]} at {angles.min():.6f} degrees",
    }
    if terms:
        result["terms"] = angles.tolist()
    return result
