"""Max/min distance ratio (AlphaEvolve, Appendix B.8): n points in R^d minimizing
(max distance / min distance)^2 over their pairs.

The candidate holds the n points (nd numbers in [0, 1]); the ratio ignores scale. With
`terms=True` the evaluator also returns the squared distances divided by
`min_distance_squared` as `terms` and the same values minus one as `constraints`: the
epigraph then minimizes the largest squared distance with every squared distance held at
least `min_distance_squared`, whose optimum is the optimal ratio (scale is fixed by the
constraints, not by the score).
"""

import numpy as np


def evaluate(
    candidate: list[float],
    n: int = 16,
    dimension: int = 2,
    terms: bool = False,
    min_distance_squared: float = 0.05,
) -> dict:
    points = np.asarray(candidate, dtype=float).reshape(n, dimension)
    i, j = np.triu_indices(n, 1)
    squared = np.sum((points[i] - points[j]) ** 2, axis=1)
    if squared.min() == 0.0:
        return {"valid": False, "feedback": "two points coincide"}
    ratio = float(squared.max() / squared.min())
    result = {"ratio_squared": ratio, "feedback": f"(max/min distance)^2 = {ratio:.9f}"}
    if terms:
        scaled = squared / min_distance_squared
        result["terms"] = scaled.tolist()
        result["constraints"] = (scaled - 1.0).tolist()
    return result
