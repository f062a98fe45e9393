"""Spreading points in a square: n points in the unit square maximizing the smallest
distance between two of them (equivalently, packing n equal circles in a square).

The candidate holds the n points (2n numbers in [0, 1]). With `terms=True` the evaluator
also returns every pairwise distance, whose minimum is the score.
"""

import numpy as np


def evaluate(candidate: list[float], n: int = 10, terms: bool = False) -> dict:
    points = np.asarray(candidate, dtype=float).reshape(n, 2)
    i, j = np.triu_indices(n, 1)
    distances = np.linalg.norm(points[i] - points[j], axis=1)
    closest = int(distances.argmin())
    result = {
        "min_distance": float(distances.min()),
        "feedback": f"closest pair {i[closest]}-{j[closest]} at {distances.min():.9f}",
    }
    if terms:
        result["terms"] = distances.tolist()
    return result
