"""Offline default proposer for programs and texts: point mutation and crossover.

For `representation: program` it uses the syntax-tree operators of
`evolve.proposers.ast_operators` (children always parse); for `text`, the word and line
operators of `evolve.proposers.text_operators`. Each proposal is a crossover of a parent
with an inspiration (or a second parent) with probability `crossover_fraction` (followed by
a mutation half the time), else a mutation of the parent; a crossover that changes nothing
falls back to mutation alone. It needs no model
and no network, and it is deterministic given `context.rng`. It is also what the LLM
proposer falls back to once its spending cap is reached.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evolve.context import Context, Member, Proposal
from evolve.errors import ProposerConfigError
from evolve.problem import Problem
from evolve.proposers.ast_operators import crossover_programs, mutate_program
from evolve.proposers.base import StatelessProposer
from evolve.proposers.text_operators import crossover_text, mutate_text

REPRESENTATIONS = ("program", "text")
ATTEMPTS_PER_PROPOSAL = 4


class ProgramMutation(StatelessProposer):
    """Syntax-tree (programs) or word-level (texts) mutation and crossover of the parents.

    Options (the task's `proposer:` keys): `crossover_fraction` (share of proposals that
    start with a crossover), `max_edits` (point mutations per child, at least one), `sigma`
    (relative step of a numeric constant).
    """

    name = "mutation"

    def __init__(
        self,
        problem: Problem,
        crossover_fraction: float = 0.3,
        max_edits: int = 2,
        sigma: float = 0.1,
    ) -> None:
        if problem.representation not in REPRESENTATIONS:
            raise ProposerConfigError(
                f"task '{problem.name}': the mutation proposer handles representations "
                f"{', '.join(REPRESENTATIONS)}, not '{problem.representation}'; "
                "use proposer kind cmaes (vector) or graph_ga (smiles)"
            )
        super().__init__(problem)
        self.crossover_fraction = crossover_fraction
        self.max_edits = max_edits
        self.sigma = sigma

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Up to `n` distinct children of the context's parents (or of the best member)."""
        parents = list(context.parents) or ([context.best] if context.best else [])
        if not parents:
            return []
        donors = [*context.parents, *context.inspirations]
        proposals: list[Proposal] = []
        seen = {m.content for m in donors} | {m.content for m in parents}
        for index in range(n):
            parent = parents[index % len(parents)]
            for _ in range(ATTEMPTS_PER_PROPOSAL):
                proposal = self._child(parent, donors, context.rng)
                if proposal is not None and proposal.content not in seen:
                    seen.add(proposal.content)
                    proposals.append(proposal)
                    break
        return proposals

    def _child(
        self, parent: Member, donors: Sequence[Member], rng: np.random.Generator
    ) -> Proposal | None:
        others = [m for m in donors if m.hash != parent.hash]
        if others and rng.random() < self.crossover_fraction:
            other = others[int(rng.integers(len(others)))]
            crossed = self._crossover(parent.content, other.content, rng)
            if crossed is not None:
                mutated = self._mutate(crossed, rng, donors) if rng.random() < 0.5 else None
                return Proposal(mutated or crossed, (parent.hash, other.hash), "crossover")
        mutated = self._mutate(parent.content, rng, donors)
        return None if mutated is None else Proposal(mutated, (parent.hash,), "mutation")

    def _mutate(
        self, content: str, rng: np.random.Generator, donors: Sequence[Member]
    ) -> str | None:
        if self.problem.representation == "program":
            return mutate_program(content, rng, self.max_edits, self.sigma)
        vocabulary = [word for m in donors for word in m.content.split()]
        return mutate_text(content, rng, self.max_edits, vocabulary)

    def _crossover(self, first: str, second: str, rng: np.random.Generator) -> str | None:
        if self.problem.representation == "program":
            return crossover_programs(first, second, rng)
        return crossover_text(first, second, rng)
