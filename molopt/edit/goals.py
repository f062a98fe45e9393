"""The training goals of a molecule, and each goal's RDKit-labelled best edit.

For a labelled source: every MolOpt goal (QED / LogP / MR, up and down), AddComponent of
each group an edit can attach, DelComponent of each group the source holds, SubComponent
of each held group by each other attachable group. `draw_goals` picks the subtask first,
uniformly, so that the many SubComponent pairs do not crowd out the rest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from molopt.edit.dataset import Sample
from molopt.edit.groups import ATTACHABLE, GROUPS
from molopt.edit.labels import EditLabels
from molopt.repo.edits import EDIT_TASKS, OPT_TASKS, EditGoal


@dataclass(frozen=True)
class Pair:
    """One training item: a sample, a goal, and the edit to imitate (None: no edit succeeds)."""

    sample: int
    goal: EditGoal
    target: int | None


def goals_by_subtask(labels: EditLabels) -> dict[str, list[EditGoal]]:
    """Every goal of the source (see module), grouped by TOMG subtask."""
    held = [g for g, n in zip(GROUPS, labels.source_counts, strict=True) if n > 0]
    return {
        **{t: [EditGoal(t, direction=d) for d in (1, -1)] for t in OPT_TASKS},
        "AddComponent": [EditGoal("AddComponent", added=g) for g in ATTACHABLE],
        "DelComponent": [EditGoal("DelComponent", removed=g) for g in held],
        "SubComponent": [
            EditGoal("SubComponent", added=h, removed=g) for g in held for h in ATTACHABLE if h != g
        ],
    }


def best_edit(labels: EditLabels, goal: EditGoal) -> int | None:
    """The edit of highest success × similarity, None when no edit achieves the goal."""
    reward = labels.reward(goal)
    best = int(np.argmax(reward))
    return best if reward[best] > 0 else None


def draw_pairs(
    samples: list[Sample],
    indices: list[int],
    count: int,
    rng: random.Random,
    reference_share: float,
) -> list[Pair]:
    """`count` pairs over `samples[indices]`: a reference edit with probability
    `reference_share` (when the sample has one), else a drawn goal and its best edit."""
    pairs: list[Pair] = []
    while len(pairs) < count:
        index = rng.choice(indices)
        sample = samples[index]
        if sample.references and rng.random() < reference_share:
            goal, target = rng.choice(sample.references)
            pairs.append(Pair(index, goal, target))
            continue
        options = goals_by_subtask(sample.labels)[rng.choice(OPT_TASKS + EDIT_TASKS)]
        if options:
            goal = rng.choice(options)
            pairs.append(Pair(index, goal, best_edit(sample.labels, goal)))
    return pairs
