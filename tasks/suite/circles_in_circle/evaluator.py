"""Equal circles in a circle: n centres in the unit disk; the score is the largest radius
r such that n circles of radius r around them are disjoint and inside the unit circle,

    r = min( min_{i<j} |c_i - c_j| / 2,  min_i (1 - |c_i|) ).

The candidate holds the n centres (2n numbers); a centre outside the disk is invalid.
With `terms=True` the evaluator also returns every quantity in that minimum.
"""

import numpy as np


def evaluate(candidate: list[float], n: int = 10, terms: bool = False) -> dict:
    centres = np.asarray(candidate, dtype=float).reshape(n, 2)
    i, j = np.triu_indices(n, 1)
    half_gaps = np.linalg.norm(centres[i] - centres[j], axis=1) / 2.0
    margins = 1.0 - np.linalg.norm(centres, axis=1)
    values = np.concatenate([half_gaps, margins])
    radius = float(values.min())
    outside = np.flatnonzero(margins <= 0)
    result = {"radius": radius, "valid": bool(radius > 0)}
    if outside.size:
        result["feedback"] = f"centre {int(outside[0])} is outside the unit circle"
    else:
        result["feedback"] = f"radius {radius:.9f}"
    if terms:
        result["terms"] = values.tolist()
    return result
