"""The verifiable reward of one edit: validity-gated success plus similarity.

    r(x, y) = 0                                  if y is not a valid molecule
    r(x, y) = 1[y achieves the goal on x] + sim(x, y)   otherwise

where "achieves" is TOMG-Bench's rule (`molopt.repo.edits.achieved`: the property moved
strictly in the asked direction, or the functional-group counts changed by exactly one) and
sim is the Tanimoto similarity of Morgan radius-2 2048-bit fingerprints, in [0, 1]. So
r ranges over [0, 2]; copying the source scores 1 (no move, full similarity), which a
successful close edit beats.
"""

from __future__ import annotations

from molopt.fingerprints import molecule_similarity
from molopt.molecules import parse_or_none
from molopt.repo.edits import EditGoal, achieved


def edit_reward(source: str, output: str, goal: EditGoal) -> float:
    """The reward of answering `output` to the instruction `goal` on `source` (see module)."""
    mol = parse_or_none(output)
    if mol is None:
        return 0.0
    start = parse_or_none(source)
    if start is None:
        raise ValueError(f"source molecule '{source[:80]}' does not parse: fix the data row")
    return float(achieved(start, mol, goal)) + molecule_similarity(start, mol)
