"""Heilbronn's problem in the unit square: n points maximizing the area of the smallest
triangle any three of them form (Heilbronn, c. 1950; Goldberg 1972).

The candidate holds the n points (2n numbers in [0, 1]). With `terms=True` the evaluator
also returns the area of every triangle, whose minimum is the score.
"""

from itertools import combinations

import numpy as np


def triangle_areas(points: np.ndarray) -> np.ndarray:
    """Areas of all triangles of three of the points, in `combinations` order."""
    a, b, c = np.array(list(combinations(range(len(points)), 3))).T
    u, v = points[b] - points[a], points[c] - points[a]
    return np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) / 2.0


def evaluate(candidate: list[float], n: int = 9, terms: bool = False) -> dict:
    points = np.asarray(candidate, dtype=float).reshape(n, 2)
    areas = triangle_areas(points)
    result = {"min_area": float(areas.min()), "feedback": f"smallest triangle {areas.min():.9f}"}
    if terms:
        result["terms"] = areas.tolist()
    return result
