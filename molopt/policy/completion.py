"""The SMILES policy conditioned on a parent: it rewrites the end of the parent's SMILES.

A state is a parent molecule. An action keeps a prefix of one randomized SMILES of the parent
(RDKit's random atom order, so every atom can end up in the kept part) and lets the network
write the rest: a child that shares the prefix's substructure and varies the remainder. This
makes the SMILES policy a policy over *states*, so PUCT state reuse and test-time RL apply to
it (`evolve.ttt`): log pi(a | s) is the log-likelihood of the written tokens given the
prefix. Actions are stored as token ids, ``{"prefix": [...], "completion": [...]}``, so that
their likelihood is computed on exactly the tokens that were sampled. The empty state ``""``
(no parent yet) samples whole molecules from ``<bos>``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import torch
from rdkit import Chem
from transformers import GPT2LMHeadModel

from molopt.policy.likelihood import token_log_probs
from molopt.policy.sampling import sample_ids
from molopt.policy.tokenizer import SmilesTokenizer

MIN_KEPT_TOKENS = 1


class SmilesCompletion:
    """A `evolve.ttt.TTTPolicy` over a SMILES GPT; see the module docstring."""

    def __init__(
        self, model: GPT2LMHeadModel, tokenizer: SmilesTokenizer, temperature: float = 1.0
    ) -> None:
        self.model, self.tokenizer, self.temperature = model, tokenizer, temperature

    def prefix(self, state: str, generator: torch.Generator) -> list[int]:
        """``<bos>`` and a random prefix of a random SMILES of `state` (``<bos>`` alone for "")."""
        mol = Chem.MolFromSmiles(state) if state else None
        if mol is None:
            return [self.tokenizer.bos_id]
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
        variant = Chem.MolToRandomSmilesVect(mol, 1, randomSeed=seed)[0]
        body = self.tokenizer.encode(variant)[1:-1]
        limit = self.model.config.n_positions - 2
        high = min(len(body), limit) - 1
        keep = int(
            torch.randint(
                MIN_KEPT_TOKENS, max(high, MIN_KEPT_TOKENS) + 1, (1,), generator=generator
            )
        )
        return [self.tokenizer.bos_id, *body[:keep]]

    def sample(self, state: str, k: int, generator: torch.Generator) -> list[dict[str, list[int]]]:
        """`k` completions of one prefix of `state`."""
        start = self.prefix(state, generator)
        rows = sample_ids(self.model, self.tokenizer, k, generator, self.temperature, start)
        return [{"prefix": start, "completion": row} for row in rows]

    def smiles(self, action: dict[str, list[int]]) -> str:
        """The SMILES text an action writes."""
        return self.tokenizer.decode([*action["prefix"], *action["completion"]])

    def log_probs(self, state: str, actions: Sequence[dict[str, Any]]) -> torch.Tensor:
        """log pi(completion | prefix) of each action (the prefix's own tokens not counted)."""
        device = next(self.model.parameters()).device
        rows = [[*a["prefix"], *a["completion"]] for a in actions]
        length = max(len(r) for r in rows)
        ids = torch.full((len(rows), length), self.tokenizer.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), length), dtype=torch.long)
        written = torch.zeros((len(rows), length - 1))
        for i, (row, action) in enumerate(zip(rows, actions, strict=True)):
            ids[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
            written[i, len(action["prefix"]) - 1 : len(row) - 1] = 1
        picked = token_log_probs(self.model, ids.to(device), mask.to(device))
        return (picked * written.to(device)).sum(dim=1)

    def parameters(self) -> Iterable[torch.nn.Parameter]:
        """The network's parameters."""
        return self.model.parameters()

    def frozen_copy(self) -> SmilesCompletion:
        """A frozen deep copy (the KL term's base)."""
        model = copy.deepcopy(self.model).requires_grad_(False)
        return SmilesCompletion(model, self.tokenizer, self.temperature)
