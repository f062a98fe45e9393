"""One training molecule of the edit policy, as the data build makes it and training reads it."""

from __future__ import annotations

from dataclasses import dataclass, field

from molopt.edit.features import EditFeatures
from molopt.edit.labels import EditLabels
from molopt.repo.edits import EditGoal


@dataclass
class Sample:
    """One training molecule: its edits (product SMILES), their features and labels, and
    the reference edits (goal, index into `edits`) OpenMolIns gives for it."""

    source: str
    edits: list[str]
    features: EditFeatures
    labels: EditLabels
    references: list[tuple[EditGoal, int]] = field(default_factory=list)
