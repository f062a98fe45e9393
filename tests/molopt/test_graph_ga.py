"""Graph GA: valid canonical children, determinism from the context's rng, pool start."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rdkit import Chem

from evolve.context import Context, Member
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.proposers import make_proposer
from molopt.crossover import crossover
from molopt.graph_ga import GraphGA, roulette_weights
from molopt.mutate import mutate
from molopt.pool import load_pool

PROBLEM = Problem(name="pmo-qed", representation="smiles", objective=Objective("score"))
PARENTS = [
    "CC(C)(C)NCC(O)c1ccc(O)c(CO)c1",
    "COc1ccccc1OCC(O)CN2CCN(CC(=O)Nc3c(C)cccc3C)CC2",
    "CC1=CC=C(C=C1)C1=CC(=NN1C1=CC=C(C=C1)S(N)(=O)=O)C(F)(F)F",
    "CN(C)S(=O)(=O)c1ccc2Sc3ccccc3C(=CCCN4CCN(C)CC4)c2c1",
]


def _member(i: int, smiles: str, fitness: float) -> Member:
    return Member(hash=f"h{i}", content=smiles, fitness=fitness, metrics={}, valid=True)


def _context(seed: int, parents=()) -> Context:
    return Context(
        problem=PROBLEM,
        generation=1,
        island=0,
        parents=tuple(parents),
        inspirations=(),
        best=None,
        rng=np.random.default_rng(seed),
    )


def _is_canonical(smiles: str) -> bool:
    mol = Chem.MolFromSmiles(smiles)
    return mol is not None and Chem.MolToSmiles(mol) == smiles


def test_graph_ga_is_the_registered_default_for_smiles():
    assert isinstance(make_proposer(PROBLEM), GraphGA)


def test_crossover_and_mutation_give_sanitizable_molecules():
    rng = random.Random(0)
    a, b = (Chem.MolFromSmiles(s) for s in PARENTS[:2])
    children = [crossover(a, b, rng) for _ in range(20)]
    children = [c for c in children if c is not None]
    assert len(children) >= 10
    mutants = [mutate(c, rng) for c in children]
    for mol in children + [m for m in mutants if m is not None]:
        assert Chem.MolFromSmiles(Chem.MolToSmiles(mol)) is not None


def test_offspring_are_new_valid_canonical_and_credit_their_parents():
    parents = [_member(i, s, 0.1 * (i + 1)) for i, s in enumerate(PARENTS)]
    proposals = GraphGA(PROBLEM).propose(_context(7, parents), 30)
    assert len(proposals) == 30
    contents = [p.content for p in proposals]
    assert len(set(contents)) == 30 and not set(contents) & set(PARENTS)
    assert all(_is_canonical(c) for c in contents)
    hashes = {m.hash for m in parents}
    assert all(len(p.parents) == 2 and set(p.parents) <= hashes for p in proposals)


def test_same_rng_gives_the_same_offspring_and_another_differs():
    parents = [_member(i, s, 0.5) for i, s in enumerate(PARENTS)]
    first = [p.content for p in GraphGA(PROBLEM).propose(_context(3, parents), 20)]
    again = [p.content for p in GraphGA(PROBLEM).propose(_context(3, parents), 20)]
    other = [p.content for p in GraphGA(PROBLEM).propose(_context(4, parents), 20)]
    assert first == again
    assert first != other


def test_first_generation_samples_the_bundled_pool():
    proposals = GraphGA(PROBLEM).propose(_context(0), 70)
    pool = set(load_pool())
    assert len(proposals) == 70
    assert all(p.content in pool and p.proposer == "pool" for p in proposals)


def test_bundled_pool_is_canonical_neutral_and_single_fragment():
    pool = load_pool()
    assert len(pool) == 5000
    for smiles in pool[:300]:
        mol = Chem.MolFromSmiles(smiles)
        assert Chem.MolToSmiles(mol) == smiles and "." not in smiles
        assert all(atom.GetFormalCharge() == 0 for atom in mol.GetAtoms())


def test_roulette_weights_shift_negative_fitness_and_fall_back_to_uniform():
    members = [_member(0, "C", -1.0), _member(1, "CC", 1.0)]
    assert roulette_weights(members) == [0.0, 2.0]
    assert roulette_weights([_member(0, "C", 0.0), _member(1, "CC", 0.0)]) == [1.0, 1.0]


def test_bad_mutation_rate_is_rejected():
    with pytest.raises(ProposerConfigError, match="mutation_rate"):
        GraphGA(PROBLEM, mutation_rate=1.5)
