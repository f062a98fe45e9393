"""RDKit labels of a source's edits, for training and for the oracle upper bound only.

For every edit product: QED, LogP and MR (`molopt.repo.edits.PROPERTIES`, TOMG-Bench's
raw descriptors), the count of each TOMG group, and the Tanimoto similarity to the source
(Morgan radius 2, 2048 bits). From these, any goal's per-edit success (TOMG-Bench's rule,
`molopt.repo.edits.achieved`, vectorized) and reward ``success × sim`` follow without
calling RDKit again. Answering never uses this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from rdkit import Chem, DataStructs
from rdkit.Chem import QED, Crippen

from molopt.edit.groups import GROUPS, group_name
from molopt.edit.space import Edit
from molopt.fingerprints import fingerprint
from molopt.repo.edits import PROPERTIES, EditGoal, group_count

PROPERTY_NAMES = tuple(PROPERTIES)


@dataclass(frozen=True)
class EditLabels:
    """Measured properties of a source and its n edits; columns not measured hold NaN."""

    source_properties: np.ndarray  # (3,) QED, LogP, MR
    source_counts: np.ndarray  # (15,) TOMG group counts (float, NaN: not measured)
    properties: np.ndarray  # (n, 3)
    counts: np.ndarray  # (n, 15)
    similarity: np.ndarray  # (n,)

    def success(self, goal: EditGoal) -> np.ndarray:
        """(n,) bool: which edits achieve `goal` by TOMG-Bench's rule."""
        if goal.task in PROPERTIES:
            column = PROPERTY_NAMES.index(goal.task)
            _measured(self.source_properties[column], goal.task)
            change = self.properties[:, column] - self.source_properties[column]
            return change < 0 if goal.direction < 0 else change > 0
        ok = np.ones(len(self.similarity), dtype=bool)
        if goal.added:
            g = GROUPS.index(group_name(goal.added))
            _measured(self.source_counts[g], goal.added)
            ok &= self.counts[:, g] == self.source_counts[g] + 1
        if goal.removed:
            g = GROUPS.index(group_name(goal.removed))
            _measured(self.source_counts[g], goal.removed)
            ok &= self.counts[:, g] == self.source_counts[g] - 1
        return ok

    def reward(self, goal: EditGoal) -> np.ndarray:
        """(n,) float: success × similarity, the metric's own product (edits are all valid)."""
        return self.success(goal) * self.similarity


def _measured(value: float, what: str) -> None:
    if np.isnan(value):
        raise ValueError(f"'{what}' was not measured: pass it to label_edits")


def _properties(mol: Chem.Mol, names: Sequence[str]) -> list[float]:
    if set(names) == set(PROPERTY_NAMES):
        return list(all_properties(mol))
    return [PROPERTIES[n](mol) if n in names else np.nan for n in PROPERTY_NAMES]


def all_properties(mol: Chem.Mol) -> tuple[float, float, float]:
    """QED, LogP and MR, equal to `PROPERTIES`' three calls but with one Crippen pass
    fewer: QED's own descriptor set already holds the Crippen LogP (ALOGP)."""
    qed_inputs = QED.properties(mol)
    return QED.qed(mol, qedProperties=qed_inputs), qed_inputs.ALOGP, Crippen.MolMR(mol)


def _counts(mol: Chem.Mol, groups: Sequence[str]) -> list[float]:
    return [group_count(mol, g) if g in groups else np.nan for g in GROUPS]


def goal_columns(goal: EditGoal) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The properties and groups `goal`'s success depends on (to measure only those)."""
    if goal.task in PROPERTIES:
        return (goal.task,), ()
    return (), tuple(group_name(g) for g in (goal.added, goal.removed) if g)


def label_edits(
    source: Chem.Mol,
    edits: Sequence[Edit],
    properties: Sequence[str] = PROPERTY_NAMES,
    groups: Sequence[str] = GROUPS,
    products: Sequence[Chem.Mol] | None = None,
) -> EditLabels:
    """RDKit labels of `edits` of `source` (see module), measuring only the columns named;
    `products`, the edits' parsed molecules when the caller has them, saves parsing again."""
    if products is None:
        products = [Chem.MolFromSmiles(e.smiles) for e in edits]
    return EditLabels(
        source_properties=np.asarray(_properties(source, properties), dtype=np.float64),
        source_counts=np.asarray(_counts(source, groups), dtype=np.float64),
        properties=np.asarray(
            [_properties(m, properties) for m in products], dtype=np.float64
        ).reshape(-1, len(PROPERTY_NAMES)),
        counts=np.asarray([_counts(m, groups) for m in products], dtype=np.float64).reshape(
            -1, len(GROUPS)
        ),
        similarity=similarities(source, products),
    )


def similarities(source: Chem.Mol, products: Sequence[Chem.Mol]) -> np.ndarray:
    """(n,) Tanimoto similarity of each product to `source` (Morgan radius 2, 2048 bits)."""
    fps = [fingerprint(m) for m in products]
    return np.asarray(
        DataStructs.BulkTanimotoSimilarity(fingerprint(source), fps) if fps else [],
        dtype=np.float64,
    )


def most_similar_success(
    source: Chem.Mol, edits: Sequence[Edit], goal: EditGoal
) -> tuple[int | None, np.ndarray]:
    """The index of the successful edit most similar to `source` (the highest success × sim;
    the first in `edits` among equals; None when no edit succeeds),
    and every edit's similarity. Edits are measured in order of similarity until the first
    success, which answers as labelling all of them would at a fraction of the RDKit calls."""
    products = [Chem.MolFromSmiles(e.smiles) for e in edits]
    sims = similarities(source, products)
    properties, groups = goal_columns(goal)
    measured = label_edits(source, [], properties, groups, products=[])  # the source, once
    for i in np.argsort(-sims, kind="stable"):
        labels = replace(
            measured,
            properties=np.asarray([_properties(products[i], properties)], dtype=np.float64),
            counts=np.asarray([_counts(products[i], groups)], dtype=np.float64),
            similarity=sims[i : i + 1],
        )
        if labels.success(goal)[0]:
            return int(i), sims
    return None, sims
