"""Answering an editing task with the trained policy: one greedy edit, or the best of K verified.

Benchmark mode (`EditPolicy.answer`, K = 0) is TOMG-Bench's protocol: enumerate the source's
edits, score them with the policy, return the top one. Nothing measures a property or
counts a group on the way (a test makes any such call fail). `--verify K` is the platform's
own mode: the policy's top K edits are checked with RDKit (TOMG's success rule and the
similarity) and the best verified one (success first, then similarity) is returned, marked
as verified; when none of the K succeeds, the policy's top edit is returned, unverified.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from rdkit import Chem

from molopt.edit.features import edit_features, task_vector
from molopt.edit.labels import most_similar_success
from molopt.edit.model import EditScorer, collate, load_scorer
from molopt.edit.space import Edit, enumerate_edits
from molopt.errors import InvalidMoleculeError
from molopt.repo.edits import EditGoal

SHIPPED_CHECKPOINT = (
    Path(__file__).resolve().parent.parent / "checkpoints" / "edit_policy" / "model.pt"
)


@dataclass(frozen=True)
class EditAnswer:
    """An answer: the edited SMILES, the edit that made it, and whether RDKit verified it
    (None: not checked, benchmark mode)."""

    smiles: str
    edit: Edit
    verified: bool | None = None


def parse_source(smiles: str) -> Chem.Mol:
    """The source molecule, or `InvalidMoleculeError` saying why it cannot be edited."""
    mol = Chem.MolFromSmiles(smiles) if smiles and smiles.strip() else None
    if mol is None:
        raise InvalidMoleculeError(f"'{smiles[:120]}' is not a SMILES RDKit can parse")
    return mol


class EditPolicy:
    """A trained edit scorer, answering (source, goal) pairs (see module)."""

    def __init__(self, model: EditScorer) -> None:
        self.model = model.eval()

    @classmethod
    def load(cls, path: Path = SHIPPED_CHECKPOINT) -> EditPolicy:
        """The policy saved at `path` (the shipped checkpoint by default)."""
        return cls(load_scorer(path)[0])

    @torch.no_grad()
    def ranked(self, source: Chem.Mol, goal: EditGoal) -> list[Edit]:
        """The source's edits, best first by the policy's score (no oracle involved)."""
        edits = enumerate_edits(source)
        if not edits:
            raise InvalidMoleculeError(
                f"'{Chem.MolToSmiles(source)}' has no valid single edit (it cannot be kekulized)"
            )
        scores = self.model(collate([(edit_features(source, edits), task_vector(goal))]))
        return [edits[i] for i in torch.argsort(scores, descending=True, stable=True).tolist()]

    def answer(self, smiles: str, goal: EditGoal, verify: int = 0) -> EditAnswer:
        """The policy's top edit (`verify` = 0) or the best RDKit-verified of its top `verify`."""
        source = parse_source(smiles)
        ranked = self.ranked(source, goal)
        if verify <= 0:
            return EditAnswer(ranked[0].smiles, ranked[0])
        return verified_best(source, ranked[:verify], goal)


def verified_best(source: Chem.Mol, edits: list[Edit], goal: EditGoal) -> EditAnswer:
    """Among `edits` (best first), the successful one most similar to `source`, verified;
    the first edit, marked unverified, when none succeeds."""
    best, _ = most_similar_success(source, edits, goal)
    if best is None:
        return EditAnswer(edits[0].smiles, edits[0], verified=False)
    return EditAnswer(edits[best].smiles, edits[best], verified=True)
