"""Graph GA proposer (Jensen 2019, "A graph-based genetic algorithm and its application to the
multiobjective evolution of median molecules", Chem. Sci. 10, 3567), the offline default for
``representation: smiles``.

One generation, as in the PMO benchmark's Graph GA (Gao et al. 2022): build a mating pool by
drawing parents with probability proportional to their score (roulette wheel, with
replacement), then make each child by crossover of two mating-pool members
(`molopt.crossover`) followed, with probability `mutation_rate`, by a mutation
(`molopt.mutate`). The engine holds the population: with ``engine: {islands: 1,
population_size: 120, parents: 120, inspirations: 0, batch_size: 70}`` every member of the
population is a parent, so this is PMO's setting (population 120, offspring 70, mutation rate
0.067). Without parents (first generation, no `seed:`) it samples a starting pool
(`molopt.pool`). Children are emitted as canonical SMILES, so that the engine's content-hash
deduplication charges each molecule once. Randomness comes only from `context.rng`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from rdkit import Chem, RDLogger

from evolve.context import Context, Member, Proposal
from evolve.errors import ProposerConfigError
from evolve.problem import Problem
from evolve.proposers.base import StatelessProposer
from molopt.crossover import crossover
from molopt.mutate import mutate
from molopt.pool import load_pool

RDLogger.DisableLog("rdApp.*")  # failed reactions and sanitizations are expected, not news

TRIES_PER_CHILD = 10


def canonical(mol: Chem.Mol | None) -> str | None:
    """Canonical SMILES that survives a round trip through RDKit, or None."""
    if mol is None:
        return None
    parsed = Chem.MolFromSmiles(Chem.MolToSmiles(mol))
    return None if parsed is None else Chem.MolToSmiles(parsed)


def roulette_weights(members: Sequence[Member]) -> list[float]:
    """Selection weights proportional to fitness (shifted to be >= 0; uniform if all equal)."""
    fitness = [m.fitness or 0.0 for m in members]
    low = min(fitness)
    shifted = [f - min(low, 0.0) for f in fitness]
    return shifted if sum(shifted) > 0 else [1.0] * len(members)


class GraphGA(StatelessProposer):
    """Crossover + mutation on molecular graphs; parents drawn in proportion to their score."""

    name = "graph_ga"

    def __init__(
        self,
        problem: Problem,
        mutation_rate: float = 0.067,
        mating_pool_size: int | None = None,
        pool: str | None = None,
    ) -> None:
        if not 0.0 <= mutation_rate <= 1.0:
            raise ProposerConfigError(
                f"proposer graph_ga: mutation_rate {mutation_rate} must lie in [0, 1]"
            )
        super().__init__(problem)
        self.mutation_rate = mutation_rate
        self.mating_pool_size = mating_pool_size
        self.pool = pool

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Up to `n` new canonical SMILES: children of the parents, or pool samples."""
        rng = random.Random(int(context.rng.integers(2**63)))
        members = self._members(context)
        if not members:
            return self._from_pool(rng, n)
        return self._offspring(members, rng, n)

    @staticmethod
    def _members(context: Context) -> list[tuple[Member, Chem.Mol]]:
        seen: set[str] = set()
        members = []
        for member in (*context.parents, *context.inspirations):
            if member.hash in seen or not member.valid or member.fitness is None:
                continue
            seen.add(member.hash)
            mol = Chem.MolFromSmiles(member.content)
            if mol is not None:
                members.append((member, mol))
        return members

    def _from_pool(self, rng: random.Random, n: int) -> list[Proposal]:
        smiles = load_pool(self.pool)
        picks = rng.sample(range(len(smiles)), min(n, len(smiles)))
        found = (canonical(Chem.MolFromSmiles(smiles[i])) for i in picks)
        return [Proposal(s, (), "pool") for s in dict.fromkeys(found) if s is not None]

    def _offspring(
        self, members: list[tuple[Member, Chem.Mol]], rng: random.Random, n: int
    ) -> list[Proposal]:
        size = self.mating_pool_size or len(members)
        mating = rng.choices(members, weights=roulette_weights([m for m, _ in members]), k=size)
        taken = {member.content for member, _ in members}
        proposals: list[Proposal] = []
        for _ in range(n * TRIES_PER_CHILD):
            if len(proposals) >= n:
                break
            (a, mol_a), (b, mol_b) = rng.choice(mating), rng.choice(mating)
            child = crossover(mol_a, mol_b, rng)
            mutated = child is not None and rng.random() < self.mutation_rate
            smiles = canonical(mutate(child, rng) if mutated else child)
            if smiles is None or smiles in taken:
                continue
            taken.add(smiles)
            operator = "crossover+mutation" if mutated else "crossover"
            proposals.append(Proposal(smiles, (a.hash, b.hash), "graph_ga", {"op": operator}))
        return proposals
