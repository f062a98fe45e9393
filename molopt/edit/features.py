"""What the policy sees: the source, each edit, and the task, as sparse and one-hot inputs.

- source: Morgan radius-2 count fingerprint folded to `FP_BITS` (indices and counts);
- edit: the *difference* of product and source count fingerprints (what the edit adds and
  takes away, signed), the edit's operator, and the groups it adds / removes;
- task: subtask one-hot, direction, added-group one-hot, removed-group one-hot.

All of it is structure: no property or group count of a product is computed here, so
answering with the policy never consults the benchmark's oracle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator

from molopt.edit.groups import GROUPS, group_name
from molopt.edit.space import Edit
from molopt.repo.edits import EDIT_TASKS, OPT_TASKS, EditGoal

FP_BITS = 2048
OPERATORS = (
    "insert_atom",
    "change_bond",
    "open_ring",
    "close_ring",
    "delete_atom",
    "change_atom",
    "append_atom",
    "attach",
    "remove",
    "substitute",
)
SUBTASKS = OPT_TASKS + EDIT_TASKS
TASK_SIZE = len(SUBTASKS) + 1 + 2 * len(GROUPS)


@cache
def _generator():
    return rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=FP_BITS)


def count_fingerprint(mol: Chem.Mol) -> np.ndarray:
    """Morgan radius-2 counts folded to `FP_BITS`, as int32."""
    return _generator().GetCountFingerprintAsNumPy(mol).astype(np.int32)


@dataclass(frozen=True)
class EditFeatures:
    """Inputs of one source and its n edits (see module); sparse rows as flat arrays.

    `diff_index` / `diff_value` hold every edit's nonzero fingerprint differences,
    edit i's at `diff_offset[i]:diff_offset[i + 1]`; `source_index` / `source_value` the
    source's nonzero counts; `operator`, `added`, `removed` are (n,) ids (0 = no group).
    """

    source_index: np.ndarray
    source_value: np.ndarray
    diff_index: np.ndarray
    diff_value: np.ndarray
    diff_offset: np.ndarray
    operator: np.ndarray
    added: np.ndarray
    removed: np.ndarray

    def __len__(self) -> int:
        return len(self.operator)


def _group_id(name: str | None) -> int:
    return 0 if name is None else 1 + GROUPS.index(group_name(name))


def edit_features(
    source: Chem.Mol, edits: Sequence[Edit], products: Sequence[Chem.Mol] | None = None
) -> EditFeatures:
    """The policy inputs of `source` and its `edits` (see `EditFeatures`); `products`, the
    edits' parsed molecules when the caller has them, saves parsing them again."""
    base = count_fingerprint(source)
    if products is None:
        products = [Chem.MolFromSmiles(e.smiles) for e in edits]
    indices, values, offsets = [], [], [0]
    for product in products:
        diff = count_fingerprint(product) - base
        nonzero = np.flatnonzero(diff)
        indices.append(nonzero)
        values.append(diff[nonzero])
        offsets.append(offsets[-1] + len(nonzero))
    source_index = np.flatnonzero(base)
    return EditFeatures(
        source_index=source_index.astype(np.int64),
        source_value=base[source_index].astype(np.float32),
        diff_index=np.concatenate(indices or [np.zeros(0)]).astype(np.int64),
        diff_value=np.concatenate(values or [np.zeros(0)]).astype(np.float32),
        diff_offset=np.asarray(offsets, dtype=np.int64),
        operator=np.asarray([OPERATORS.index(e.operator) for e in edits], dtype=np.int64),
        added=np.asarray([_group_id(e.added) for e in edits], dtype=np.int64),
        removed=np.asarray([_group_id(e.removed) for e in edits], dtype=np.int64),
    )


def task_vector(goal: EditGoal) -> np.ndarray:
    """The task as a float vector: subtask one-hot, direction, added / removed one-hots."""
    vector = np.zeros(TASK_SIZE, dtype=np.float32)
    vector[SUBTASKS.index(goal.task)] = 1.0
    vector[len(SUBTASKS)] = float(goal.direction)
    if goal.added:
        vector[len(SUBTASKS) + _group_id(goal.added)] = 1.0
    if goal.removed:
        vector[len(SUBTASKS) + len(GROUPS) + _group_id(goal.removed)] = 1.0
    return vector
