"""Lennard-Jones cluster: n atoms in R^3 minimizing sum_{i<j} 4 (r^-12 - r^-6) in reduced
units (epsilon = sigma = 1), the benchmark of the Cambridge Cluster Database.

The candidate holds the 3n coordinates. Score only: the energy is a smooth sum.
"""

import numpy as np


def evaluate(candidate: list[float], n: int = 13) -> dict:
    points = np.asarray(candidate, dtype=float).reshape(n, 3)
    i, j = np.triu_indices(n, 1)
    squared = np.sum((points[i] - points[j]) ** 2, axis=1)
    if squared.min() < 1e-12:
        return {"valid": False, "feedback": "two atoms coincide"}
    inverse6 = squared**-3
    energy = float(np.sum(4.0 * (inverse6**2 - inverse6)))
    closest = float(np.sqrt(squared.min()))
    return {"energy": energy, "feedback": f"energy {energy:.6f}, closest pair {closest:.4f}"}
