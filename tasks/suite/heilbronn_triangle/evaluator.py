"""Heilbronn's problem in a triangle (AlphaEvolve, Appendix B.9): n points in a triangle;
maximize the smallest area of a triangle of three of them, as a share of the area of the
container (the equilateral triangle with vertices (0, 0), (1, 0), (1/2, sqrt(3)/2)).

The candidate holds n pairs (u, v) in [0, 1]^2, each mapped into the container by the
fold (u, v) -> (1 - u, 1 - v) when u + v > 1, then to the point u B + v C: a continuous
map onto the whole triangle, so every vector in the box is a configuration. With
`terms=True` the evaluator also returns every normalized triangle area.
"""

from itertools import combinations

import numpy as np

CORNER_B = np.array([1.0, 0.0])
CORNER_C = np.array([0.5, np.sqrt(3.0) / 2.0])
CONTAINER_AREA = np.sqrt(3.0) / 4.0


def points_in_triangle(pairs: np.ndarray) -> np.ndarray:
    """Map (u, v) pairs in the unit square onto the container triangle."""
    folded = np.where((pairs.sum(axis=1) > 1.0)[:, None], 1.0 - pairs, pairs)
    return folded[:, :1] * CORNER_B + folded[:, 1:] * CORNER_C


def evaluate(candidate: list[float], n: int = 11, terms: bool = False) -> dict:
    points = points_in_triangle(np.asarray(candidate, dtype=float).reshape(n, 2))
    a, b, c = np.array(list(combinations(range(n), 3))).T
    u, v = points[b] - points[a], points[c] - points[a]
    shares = np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) / 2.0 / CONTAINER_AREA
    result = {"min_area": float(shares.min()), "feedback": f"smallest share {shares.min():.9f}"}
    if terms:
        result["terms"] = shares.tolist()
    return result
