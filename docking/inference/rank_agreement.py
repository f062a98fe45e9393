"""Do a blind request's top poses agree on the binding site?

Blind, a confident rank 1 can sit in the wrong pocket while rank 2 sits in the right one
(seen on the time split: rank 1 at 5.2 Å, rank 2 at 3.9 Å). Neither the network's
confidence nor Vina's score says so, but the spread of the top poses does: when their
centroids lie farther apart than `SITE_AGREEMENT_ANGSTROM` (the pocket-success radius of
the docking literature), the ranking chose between sites and the row carries a warning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SITE_AGREEMENT_ANGSTROM = 4.0


def rank_disagreement(centroids: Sequence[np.ndarray]) -> str:
    """A warning naming the farthest of ranks 2.. from rank 1 when it lies more than
    `SITE_AGREEMENT_ANGSTROM` away; "" when the ranks agree. `centroids`: (3,) each,
    rank order."""
    if len(centroids) < 2:
        return ""
    distances = [float(np.linalg.norm(c - centroids[0])) for c in centroids[1:]]
    farthest = int(np.argmax(distances))
    if distances[farthest] <= SITE_AGREEMENT_ANGSTROM:
        return ""
    return (
        f"blind ranks disagree on the site: rank {farthest + 2} lies "
        f"{distances[farthest]:.1f} Å from rank 1; inspect the rank files or give the pocket"
    )
