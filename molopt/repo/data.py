"""Editing examples from TOMG-Bench, OpenMolIns, hgraph2graph and mined ZINC pairs.

Every source becomes a list of `Example`: an instruction, the source molecule, the goal
(`molopt.repo.edits.EditGoal`) and, for training data, a reference answer. Files are found
under the staged data folder (``molopt/`` of `discovery.home.data_folder()`, see
PROVENANCE.md section 4) or given as paths. Test molecules never enter training: every
training loader drops rows whose source or answer is a TOMG-Bench test molecule.
"""

from __future__ import annotations

import csv
import gzip
import logging
import random
from dataclasses import dataclass
from pathlib import Path

from rdkit import DataStructs

from molopt.fingerprints import fingerprint
from molopt.molecules import parse_or_none
from molopt.repo.edits import (
    EDIT_TASKS,
    GROUP_SMARTS,
    OPT_TASKS,
    PROPERTIES,
    EditGoal,
    direction_of,
)
from molopt.repo.errors import RepoDataError
from molopt.repo.prompts import find_source

log = logging.getLogger(__name__)

TOMG = Path("tomg_bench")
OPENMOLINS = {"openmolins_light": "light", "openmolins_small": "small"}
HGRAPH_SETS = {"logp04": "logp04/test.txt", "logp06": "logp06/test.txt", "qed": "qed/test.txt"}
ZINC_SUBSET = "zinc250k_subset_from_tomg_raw.csv.gz"
OPT_TEMPLATES = (
    "Please optimize the molecule {smiles} to have a {word} {prop} value.",
    "Modify the molecule {smiles} to {verb} its {prop} value.",
)


@dataclass(frozen=True)
class Example:
    """One editing instruction: source molecule, goal, and (training only) a reference answer."""

    instruction: str
    source: str
    goal: EditGoal
    answer: str | None = None


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise RepoDataError(f"{path}: file not found; stage the data (PROVENANCE.md section 4)")
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def goal_from_row(task: str, instruction: str, row: dict[str, str]) -> EditGoal:
    """The goal of a TOMG-Bench / OpenMolIns row of subtask `task`."""
    if task in OPT_TASKS:
        return EditGoal(task, direction=direction_of(instruction))
    if task not in EDIT_TASKS:
        raise RepoDataError(
            f"subtask '{task}' is not an editing task; use one of {OPT_TASKS + EDIT_TASKS}"
        )
    return EditGoal(
        task, added=row.get("added_group") or None, removed=row.get("removed_group") or None
    )


def load_tomg_test(data_dir: Path, task: str) -> list[Example]:
    """The 5,000 TOMG-Bench test prompts of MolOpt/`task` or MolEdit/`task`."""
    group = "MolOpt" if task in OPT_TASKS else "MolEdit"
    rows = _read_csv(data_dir / TOMG / group / task / "test.csv")
    return [
        Example(row["Instruction"], row["molecule"], goal_from_row(task, row["Instruction"], row))
        for row in rows
    ]


def tomg_test_molecules(data_dir: Path) -> set[str]:
    """Every source molecule of the six TOMG-Bench MolOpt / MolEdit test sets."""
    return {e.source for task in OPT_TASKS + EDIT_TASKS for e in load_tomg_test(data_dir, task)}


def held_out_molecules(data_dir: Path) -> set[str]:
    """Molecules training must never see: TOMG-Bench MolOpt/MolEdit and hgraph2graph test sources."""
    held_out = tomg_test_molecules(data_dir)
    for name in HGRAPH_SETS:
        held_out.update(load_hgraph_test(data_dir, name))
    return held_out


def _edit_groups(task: str, instruction: str) -> dict[str, str]:
    """Groups named by an OpenMolIns MolEdit instruction (its CSV has no group columns)."""
    text = instruction.lower()
    named = sorted(
        ((text.find(g), g) for g in GROUP_SMARTS if f" {g}" in text), key=lambda pair: pair[0]
    )
    names = [g for _, g in named]
    if task == "AddComponent":
        return {"added_group": names[0]} if names else {}
    if task == "DelComponent":
        return {"removed_group": names[0]} if names else {}
    return {"removed_group": names[0], "added_group": names[-1]} if len(names) >= 2 else {}


def load_openmolins(path: Path, tasks: tuple[str, ...], exclude: set[str]) -> list[Example]:
    """OpenMolIns training rows of `tasks` (subtask, instruction, answer), source recovered."""
    examples, skipped = [], 0
    for row in _read_csv(path):
        task, instruction, answer = row["SubTask"], row["Instruction"], row["molecule"]
        if task not in tasks:
            continue
        source = find_source(instruction)
        groups = _edit_groups(task, instruction) if task in EDIT_TASKS else {}
        if (
            source is None
            or parse_or_none(answer) is None
            or source in exclude
            or answer in exclude
            or (task in EDIT_TASKS and not groups)
        ):
            skipped += 1
            continue
        examples.append(
            Example(instruction, source, goal_from_row(task, instruction, groups), answer)
        )
    log.info(
        "%s: %d examples, %d skipped (no source or group, invalid answer, or a test molecule)",
        path,
        len(examples),
        skipped,
    )
    return examples


def _zinc_smiles(data_dir: Path, exclude: set[str], limit: int, rng: random.Random) -> list[str]:
    path = data_dir / ZINC_SUBSET
    if not path.is_file():
        raise RepoDataError(f"{path}: ZINC subset not found; stage the data (PROVENANCE.md)")
    with gzip.open(path, "rt", newline="") as handle:
        smiles = [row["smiles"] for row in csv.DictReader(handle) if row["smiles"] not in exclude]
    rng.shuffle(smiles)
    return smiles[:limit]


def mine_zinc_pairs(
    data_dir: Path, exclude: set[str], pool: int, min_similarity: float, seed: int
) -> list[Example]:
    """MolOpt training pairs mined from ZINC molecules that are not TOMG-Bench test molecules.

    Among `pool` molecules, each one's most similar neighbour (Morgan Tanimoto at least
    `min_similarity`) whose QED / LogP / MR differs gives an instruction per property, in
    TOMG-Bench's wording, to move that property the way the neighbour moved it.
    """
    rng = random.Random(seed)
    smiles = _zinc_smiles(data_dir, exclude, pool, rng)
    mols = [parse_or_none(s) for s in smiles]
    keep = [(s, m) for s, m in zip(smiles, mols, strict=True) if m is not None]
    fps = [fingerprint(m) for _, m in keep]
    examples = []
    for i, (source, mol) in enumerate(keep):
        sims = DataStructs.BulkTanimotoSimilarity(fps[i], fps)
        sims[i] = -1.0
        j = max(range(len(sims)), key=sims.__getitem__)
        if sims[j] < min_similarity:
            continue
        target, other = keep[j]
        for task, prop in PROPERTIES.items():
            change = prop(other) - prop(mol)
            if change != 0:
                examples.append(_mined_example(task, source, target, 1 if change > 0 else -1, rng))
    log.info("mined %d ZINC pairs from %d molecules", len(examples), len(keep))
    return examples


def _mined_example(
    task: str, source: str, target: str, direction: int, rng: random.Random
) -> Example:
    up = direction > 0
    template = rng.choice(OPT_TEMPLATES)
    instruction = template.format(
        smiles=source,
        prop=task,
        word="higher" if up else "lower",
        verb="increase" if up else "decrease",
    )
    return Example(instruction, source, EditGoal(task, direction=direction), target)


def load_hgraph_test(data_dir: Path, name: str) -> list[str]:
    """The source molecules of hgraph2graph's constrained benchmark `name` (logp04/logp06/qed)."""
    if name not in HGRAPH_SETS:
        raise RepoDataError(
            f"unknown hgraph2graph set '{name}'; choose one of {sorted(HGRAPH_SETS)}"
        )
    path = data_dir / "hgraph2graph" / HGRAPH_SETS[name]
    if not path.is_file():
        raise RepoDataError(f"{path}: file not found; stage the data (PROVENANCE.md section 4b)")
    return [line.split()[0] for line in path.read_text().splitlines() if line.strip()]
