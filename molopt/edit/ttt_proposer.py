"""The edit policy in the loop (`proposer: {kind: edit_policy, ttt: {enabled: true, ...}}`):
graph edits of the selected parents, drawn from the trained edit scorer, learning at test time.

Each generation the engine picks the states (with `engine: {selection: ttt_puct}`, TTT's own
PUCT over the stored tree); for each state the policy draws a group of `group_size` edits
(`molopt.edit.ttt_policy.EditActions`), whose products are the children, tagged with their
group. When the verdicts come back (`tell`) every group gets its rewards
(`evolve.ttt.rollouts`) and `evolve.ttt.TTTLearner` takes `steps_per_generation` steps of the
entropic policy gradient. Without `ttt` (or `enabled: false`) the same proposer samples the
frozen policy: the ablation's "edit policy frozen".

Options: `checkpoint` (default the shipped `molopt/checkpoints/edit_policy/model.pt`),
`pool` (where the first generation comes from when there are no parents yet: the
starting pool of `molopt.pool`, as the graph GA), `goal` (the conditioning, an `EditGoal` mapping; default ``{task: QED, direction: 1}``, see
`molopt.edit.ttt_policy` for why a black-box objective needs one), `temperature`, `ttt`.

State (`state_dict`, JSON), as for the SMILES TTT proposer: the groups learned from, in order,
and the learning curve. On resume the scorer is reloaded from its checkpoint and every update
is replayed (the same steps give the same weights and Adam moments as a run never stopped),
so the weights never get out of step with the store, whatever the kill.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import torch

from evolve.context import Context, Proposal
from evolve.errors import ProposerConfigError
from evolve.problem import Problem
from evolve.ttt.policy import TTTConfig, TTTLearner
from evolve.ttt.replayed import ReplayedLearning
from evolve.ttt.rollouts import GroupHistory, RolloutBook
from molopt.edit.answer import SHIPPED_CHECKPOINT
from molopt.edit.features import SUBTASKS
from molopt.edit.model import load_scorer
from molopt.edit.ttt_policy import EditActions
from molopt.policy.sampling import canonical_or_none
from molopt.pool import load_pool
from molopt.repo.edits import EditGoal

DEFAULT_GOAL = {"task": "QED", "direction": 1}


class EditTTT(ReplayedLearning):
    """Children as edits of their parents, drawn from the edit policy (see module)."""

    name = "edit_policy"

    def __init__(
        self,
        problem: Problem,
        ttt: TTTConfig,
        checkpoint: str | None = None,
        goal: EditGoal | None = None,
        temperature: float = 1.0,
        pool: str | None = None,
    ) -> None:
        self.problem, self.config, self.pool = problem, ttt, pool
        self.goal = goal or EditGoal(**DEFAULT_GOAL)
        self.checkpoint = Path(checkpoint) if checkpoint else SHIPPED_CHECKPOINT
        self.temperature = temperature
        self.group_size = ttt.group_size
        self.book = RolloutBook()
        self.counts = {"sampled": 0, "parents_without_edits": 0}
        self._build()

    def _build(self) -> None:
        model, _ = load_scorer(self.checkpoint)
        self.policy = EditActions(
            copy.deepcopy(model).requires_grad_(True), self.goal, self.temperature
        )
        learner = TTTLearner(self.policy, self.config) if self.config.enabled else None
        self.past = GroupHistory(learner)

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Groups of `group_size` edits of the selected parents (the best member if none; pool
        molecules before there is any)."""
        if self.book.pending:  # no child of the last groups was stored: learn from them anyway
            self.tell([])
        if n <= 0:
            return []
        generator = torch.Generator().manual_seed(int(context.rng.integers(2**63)))
        parents = context.parents or ((context.best,) if context.best else ())
        if not parents:
            return self._from_pool(context, n)
        proposals = []
        size = min(self.group_size, n)  # never more than asked: a short batch, one smaller group
        for number, parent in zip(range(max(1, n // self.group_size)), itertools.cycle(parents)):
            tag = f"{context.generation}:{number}"
            actions = self.policy.sample(parent.content, size, generator)
            self.counts["sampled"] += len(actions)
            self.counts["parents_without_edits"] += not actions
            if not actions:
                continue
            meta = {"op": "ttt_edit", "group": tag}
            proposals += [Proposal(a["smiles"], (parent.hash,), self.name, meta) for a in actions]
            if len(actions) >= 2:  # a lone child has no group to compare with: not learned from
                self.book.add(tag, parent.content, [(a, a["smiles"]) for a in actions])
        return proposals

    def _from_pool(self, context: Context, n: int) -> list[Proposal]:
        """`n` molecules of the starting pool (`molopt.pool`), as the graph GA starts."""
        smiles = load_pool(self.pool)
        picks = context.rng.choice(len(smiles), size=min(n, len(smiles)), replace=False)
        found = dict.fromkeys(canonical_or_none(smiles[int(i)]) for i in picks)
        return [Proposal(s, (), "pool") for s in found if s is not None]


def _goal(options: dict[str, Any]) -> EditGoal:
    try:
        goal = EditGoal(**options)
    except TypeError as error:
        raise ProposerConfigError(f"edit_policy: bad goal {options}: {error}") from None
    if goal.task not in SUBTASKS:
        raise ProposerConfigError(
            f"edit_policy: goal task '{goal.task}' is not one the policy was trained on: "
            f"{', '.join(SUBTASKS)}"
        )
    return goal


def edit_policy(
    problem: Problem,
    ttt: dict[str, Any] | None = None,
    goal: dict[str, Any] | None = None,
    **options: Any,
) -> EditTTT:
    """The `edit_policy` kind: the edit policy, frozen or (with `ttt: {enabled: true, ...}`)
    learning at test time."""
    if problem.representation != "smiles":
        raise ProposerConfigError(
            f"task '{problem.name}': proposer edit_policy writes SMILES, "
            f"not '{problem.representation}'"
        )
    try:
        config = TTTConfig(**(ttt or {}))
    except (TypeError, ValueError) as error:
        raise ProposerConfigError(f"edit_policy: bad ttt options: {error}") from None
    unknown = set(options) - {"checkpoint", "temperature", "pool"}
    if unknown:
        raise ProposerConfigError(
            f"edit_policy takes checkpoint, goal, pool, temperature and ttt; not {', '.join(sorted(unknown))}"
        )
    return EditTTT(problem, config, goal=_goal(goal or DEFAULT_GOAL), **options)
