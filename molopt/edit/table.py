"""Editing a CSV of (smiles, task) rows: every row kept, in order, answered, then described.

Two passes, so the benchmark protocol holds for files too: first every row is answered
(no property is measured), then the answered rows are described for the reader: the
property the task names (QED / LogP / MR) or the count of the group(s) it names, before
and after. A row with a bad SMILES or a task that cannot be parsed keeps its place, with
an empty `answer` and the reason in `error`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from rdkit import Chem
from tqdm import tqdm

from molopt.edit.answer import EditPolicy
from molopt.edit.errors import EditError
from molopt.edit.groups import group_name
from molopt.edit.task import parse_task
from molopt.errors import MoloptError
from molopt.repo.edits import PROPERTIES, EditGoal, group_count

REQUIRED = ("smiles", "task")
ADDED = ("answer", "error", "verified", "measure", "before", "after")


def answer_rows(
    rows: Iterable[dict[str, str]], policy: EditPolicy, verify: int = 0, progress: bool = False
) -> list[dict[str, str]]:
    """Each row with `answer`, `error` and `verified` filled in (no property measured)."""
    out = []
    for row in tqdm(list(rows), disable=not progress, desc="editing", unit="row"):
        filled = {**row, "answer": "", "error": "", "verified": ""}
        try:
            goal = parse_task(row["task"], row["smiles"])
            result = policy.answer(row["smiles"], goal, verify)
        except MoloptError as error:
            filled["error"] = str(error)
        else:
            filled["answer"] = result.smiles
            filled["verified"] = "" if result.verified is None else str(result.verified).lower()
        out.append(filled)
    return out


def _measure(goal: EditGoal) -> tuple[str, callable]:
    if goal.task in PROPERTIES:
        return goal.task, PROPERTIES[goal.task]
    names = [group_name(g) for g in (goal.removed, goal.added) if g]
    label = " / ".join(f"{n} count" for n in names)
    return label, lambda mol: " / ".join(str(group_count(mol, n)) for n in names)


def describe_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Answered rows with `measure`, `before` and `after` (the task's property or counts)."""
    out = []
    for row in rows:
        filled = {**row, "measure": "", "before": "", "after": ""}
        if row["answer"]:
            label, measure = _measure(parse_task(row["task"], row["smiles"]))
            before = measure(Chem.MolFromSmiles(row["smiles"]))
            after = measure(Chem.MolFromSmiles(row["answer"]))
            filled |= {"measure": label, "before": _text(before), "after": _text(after)}
        out.append(filled)
    return out


def _text(value: float | str) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def edit_csv(
    source: Path, target: Path, policy: EditPolicy, verify: int = 0, progress: bool = True
) -> list[dict[str, str]]:
    """Answer every row of the CSV `source` (columns smiles, task) into `target`."""
    if not Path(source).is_file():
        raise EditError(f"{source}: no such CSV file")
    with Path(source).open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            raise EditError(
                f"{source}: missing column(s) {', '.join(missing)}; need {', '.join(REQUIRED)}"
            )
        fields = list(reader.fieldnames) + [c for c in ADDED if c not in reader.fieldnames]
        rows = list(reader)
    done = describe_rows(answer_rows(rows, policy, verify, progress))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(done)
    return done
