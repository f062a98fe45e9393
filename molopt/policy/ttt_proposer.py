"""The SMILES policy learning at test time (`proposer: {kind: smiles_policy, ttt: {enabled:
true, ...}}`): TTT-Discover's loop on the parent-conditioned SMILES policy.

Each generation the engine picks the states (with `engine: {selection: ttt_puct}`, TTT's own
PUCT over the stored tree); for each state the policy writes a group of `group_size` children
(`molopt.policy.completion`), tagged with their group and action in `Proposal.meta`. When the
verdicts come back (`tell`), every group gets its rewards (`evolve.ttt.rollouts`), and `evolve.ttt.TTTLearner` takes `steps_per_generation` steps
of the entropic policy gradient.

State (`state_dict`, JSON): the groups learned from, in order, and the learning curve. On
resume the network is rebuilt from the pretrained prior by replaying those updates (the same
steps on the same device give the same weights as a run never stopped), so a kill -9 never
leaves weights and store out of step.
"""

from __future__ import annotations

import copy
import itertools

import torch

from evolve.context import Context, Proposal
from evolve.problem import Problem
from evolve.ttt.policy import TTTConfig, TTTLearner
from evolve.ttt.replayed import ReplayedLearning
from evolve.ttt.rollouts import GroupHistory, RolloutBook
from molopt.policy.completion import SmilesCompletion
from molopt.policy.model import load_checkpoint
from molopt.policy.sampling import canonical_or_none


class SmilesTTT(ReplayedLearning):
    """Parent-conditioned SMILES policy trained by TTT-Discover's objective while it proposes.

    Options: `checkpoint` (default the shipped SMILES GPT), `device`, `temperature`, and `ttt`
    (`group_size` 8, `lr` 1e-4, `kl_weight` 0, `steps_per_generation` 1).
    """

    name = "smiles_policy"

    def __init__(
        self,
        problem: Problem,
        ttt: TTTConfig,
        checkpoint: str | None = None,
        device: str = "cpu",
        temperature: float = 1.0,
    ) -> None:
        self.problem, self.config = problem, ttt
        self.checkpoint, self.device, self.temperature = checkpoint, device, temperature
        self.book = RolloutBook()
        self.counts = {"sampled": 0, "invalid_smiles": 0}
        self._build()

    def _build(self) -> None:
        model, tokenizer = load_checkpoint(self.checkpoint, self.device)
        self.policy = SmilesCompletion(copy.deepcopy(model).requires_grad_(True), tokenizer)
        self.policy.temperature = self.temperature
        self.past = GroupHistory(TTTLearner(self.policy, self.config))

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Groups of `group_size` children of the selected parents (whole molecules if none)."""
        if self.book.pending:  # no child of the last groups was stored: learn from them anyway
            self.tell([])
        generator = torch.Generator().manual_seed(int(context.rng.integers(2**63)))
        states = [(m.content, (m.hash,)) for m in context.parents] or [("", ())]
        groups = max(1, n // self.config.group_size)
        proposals = []
        for number, (state, parents) in zip(range(groups), itertools.cycle(states)):
            tag = f"{context.generation}:{number}"
            actions = self.policy.sample(state, self.config.group_size, generator)
            written = []
            for action in actions:
                text = self.policy.smiles(action)
                smiles = canonical_or_none(text)
                self.counts["sampled"] += 1
                self.counts["invalid_smiles"] += smiles is None
                written.append((action, smiles or text))
                meta = {"op": "ttt", "group": tag}
                proposals.append(Proposal(smiles or text, parents, self.name, meta))
            self.book.add(tag, state, written)
        return proposals
