"""The edit policy as a test-time RL policy: state = a parent molecule, action = one of its edits.

    pi(i | s, g) = softmax_i(score_i / T),   score = EditScorer(s, its edits, task vector of g)

over the enumerated edit space of s (`molopt.edit.space.enumerate_edits`, a fixed order that
depends only on the molecule), so log pi of an action is exact and cheap: one forward pass
over the parent's edits. An action is JSON, ``{"edit": i, "smiles": product}``; its
probability is recomputed from the index, and the product checks the index still names it.

The goal g is fixed for a run: it is the conditioning the scorer was trained with (a
TOMG-Bench subtask, `molopt.repo.edits.EditGoal`). A black-box objective such as a PMO
oracle has no such template, so the run names the goal whose prior suits it best (by default
"increase QED", the least specific direction the frozen policy knows: PMO's targets are
drug-like molecules), and test-time RL then reshapes pi towards the oracle's rewards; the task
vector is only a constant input, which the updated weights are free to override.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import torch
from rdkit import Chem

from molopt.edit.features import EditFeatures, edit_features, task_vector
from molopt.edit.model import EditScorer, collate
from molopt.edit.space import Edit, enumerate_edits
from molopt.repo.edits import EditGoal

CACHED_STATES = 256  # parents whose edits and features are kept (enumeration is the slow part)


class EditActions:
    """A `evolve.ttt.TTTPolicy` over a trained `EditScorer`; see the module docstring."""

    def __init__(self, model: EditScorer, goal: EditGoal, temperature: float = 1.0) -> None:
        self.model, self.goal, self.temperature = model, goal, temperature
        self.task = task_vector(goal)
        self._cache: OrderedDict[str, tuple[list[Edit], EditFeatures]] = OrderedDict()

    def edits(self, state: str) -> tuple[list[Edit], EditFeatures | None]:
        """The parent's edits and their features (none when it cannot be parsed or edited)."""
        if state in self._cache:
            self._cache.move_to_end(state)
            return self._cache[state]
        mol = Chem.MolFromSmiles(state) if state else None
        edits = enumerate_edits(mol) if mol is not None else []
        entry = (edits, edit_features(mol, edits) if edits else None)
        self._cache[state] = entry
        if len(self._cache) > CACHED_STATES:
            self._cache.popitem(last=False)
        return entry

    def _log_pi(self, state: str) -> torch.Tensor:
        _, features = self.edits(state)
        scores = self.model(collate([(features, self.task)]))  # (n,)
        return torch.log_softmax(scores / self.temperature, dim=-1)

    def sample(self, state: str, k: int, generator: torch.Generator) -> list[dict[str, Any]]:
        """`k` edits drawn independently from pi (repeats possible); [] for a parent with none."""
        edits, features = self.edits(state)
        if features is None:
            return []
        with torch.no_grad():
            probs = self._log_pi(state).exp()
        picked = torch.multinomial(probs.cpu(), k, replacement=True, generator=generator)
        return [{"edit": i, "smiles": edits[i].smiles} for i in picked.tolist()]

    def log_probs(self, state: str, actions: Sequence[dict[str, Any]]) -> torch.Tensor:
        """log pi(edit | state) of each action, differentiable, [len(actions)]."""
        edits, _ = self.edits(state)
        for action in actions:
            index = action["edit"]
            if index >= len(edits) or edits[index].smiles != action["smiles"]:
                raise ValueError(
                    f"edit {index} of '{state}' is not '{action['smiles']}': the edit space "
                    "changed since this action was sampled (another RDKit or edit-space version)"
                )
        log_pi = self._log_pi(state)
        return log_pi[torch.tensor([a["edit"] for a in actions], device=log_pi.device)]

    def parameters(self) -> Iterable[torch.nn.Parameter]:
        """The scorer's parameters."""
        return self.model.parameters()

    def frozen_copy(self) -> EditActions:
        """A frozen deep copy (the KL term's base), sharing the edit cache's contents."""
        frozen = EditActions(
            copy.deepcopy(self.model).requires_grad_(False), self.goal, self.temperature
        )
        frozen._cache = self._cache
        return frozen
