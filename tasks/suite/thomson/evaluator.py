"""Thomson problem: n unit charges on the unit sphere, minimize the Coulomb energy
sum_{i<j} 1 / |x_i - x_j| (Thomson, 1904).

The candidate holds n points of R^3 (3n numbers); each is projected radially onto the
sphere, so any vector without a zero point is a configuration. Score only: the energy
is a smooth sum, with no max-min structure to expose.
"""

import numpy as np


def evaluate(candidate: list[float], n: int = 16) -> dict:
    points = np.asarray(candidate, dtype=float).reshape(n, 3)
    norms = np.linalg.norm(points, axis=1)
    if norms.min() < 1e-9:
        worst = int(norms.argmin())
        return {"valid": False, "feedback": f"point {worst} is at the origin: no direction"}
    points = points / norms[:, None]
    i, j = np.triu_indices(n, 1)
    distances = np.linalg.norm(points[i] - points[j], axis=1)
    if distances.min() == 0.0:
        return {"valid": False, "feedback": "two points coincide on the sphere"}
    energy = float(np.sum(1.0 / distances))
    return {
        "energy": energy,
        "feedback": f"energy {energy:.9f}, closest pair {distances.min():.4f}",
    }
