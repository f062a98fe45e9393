"""A valid but mediocre packing: a 5 x 5 grid of equal circles and one in a gap."""

import numpy as np


def pack(n: int) -> np.ndarray:
    """Rows (x, y, r) of n disjoint circles inside the unit square."""
    side = int(np.ceil(np.sqrt(n - 1)))
    radius = 0.5 / side * 0.999  # a hair under touching, so round-off cannot overlap them
    circles = [
        ((2 * col + 1) / (2 * side), (2 * row + 1) / (2 * side), radius)
        for row in range(side)
        for col in range(side)
    ][: n - 1]
    gap = np.sqrt(2.0) / (2 * side) - radius - 1e-9  # the hole between four circles
    circles.append((1 / side, 1 / side, gap))
    return np.array(circles[:n])
