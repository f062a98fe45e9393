"""Graph crossover of two molecules (Jensen 2019, "A graph-based genetic algorithm and its
application to the multiobjective evolution of median molecules", Chem. Sci. 10, 3567).

Each parent is cut into two fragments, either at a random acyclic single bond (non-ring
crossover) or across a ring (two ring bonds, ring crossover), and a fragment of one parent is
joined to a fragment of the other. A child is kept when it sanitizes, has a plausible size
(`size_ok`) and plausible rings (`ring_ok`). This follows the GB-GA code used by GuacaMol and
PMO (`graph_ga/crossover.py`), except that every random choice comes from the `random.Random`
passed in, and the ring crossover keeps both the single- and the double-bond joins (the
original code resets its list between them and so drops the single-bond ones).
"""

from __future__ import annotations

import random

from rdkit import Chem

from molopt.graph_rules import pattern, reaction, ring_ok, size_ok

ATTEMPTS = 10


def _fragments(mol: Chem.Mol, atom_pairs: list[tuple[int, int]]) -> tuple[Chem.Mol, ...] | None:
    bonds = [mol.GetBondBetweenAtoms(a, b).GetIdx() for a, b in atom_pairs]
    cut = Chem.FragmentOnBonds(mol, bonds, addDummies=True, dummyLabels=[(1, 1)] * len(bonds))
    try:
        return Chem.GetMolFrags(cut, asMols=True, sanitizeFrags=True)
    except (ValueError, RuntimeError):
        return None


def cut_chain(mol: Chem.Mol, rng: random.Random) -> tuple[Chem.Mol, ...] | None:
    """Cut one random acyclic single bond; two fragments with a [1*] dummy each."""
    matches = mol.GetSubstructMatches(pattern("[*]-;!@[*]"))
    if not matches:
        return None
    return _fragments(mol, [rng.choice(matches)])


def cut_ring(mol: Chem.Mol, rng: random.Random) -> tuple[Chem.Mol, ...] | None:
    """Cut two ring bonds (two apart, or on both sides of a branching ring atom)."""
    for _ in range(ATTEMPTS):
        if rng.random() < 0.5:
            matches = mol.GetSubstructMatches(pattern("[R]@[R]@[R]@[R]"))
            if not matches:
                return None
            a, b, c, d = rng.choice(matches)
            pairs = [(a, b), (c, d)]
        else:
            matches = mol.GetSubstructMatches(pattern("[R]@[R;!D2]@[R]"))
            if not matches:
                return None
            a, b, c = rng.choice(matches)
            pairs = [(a, b), (b, c)]
        fragments = _fragments(mol, pairs)
        if fragments is not None and len(fragments) == 2:
            return fragments
    return None


def _join_chain(parent_a: Chem.Mol, parent_b: Chem.Mol, rng: random.Random) -> Chem.Mol | None:
    join = reaction("[*:1]-[1*].[1*]-[*:2]>>[*:1]-[*:2]")
    for _ in range(ATTEMPTS):
        fragments_a, fragments_b = cut_chain(parent_a, rng), cut_chain(parent_b, rng)
        if fragments_a is None or fragments_b is None:
            return None
        children = [
            products[0]
            for fa in fragments_a
            for fb in fragments_b
            for products in join.RunReactants((fa, fb))[:1]
        ]
        children = [child for child in children if size_ok(child, rng)]
        if children:
            return rng.choice(children)
    return None


RING_JOINS = ("[*:1]~[1*].[1*]~[*:2]>>[*:1]-[*:2]", "[*:1]~[1*].[1*]~[*:2]>>[*:1]=[*:2]")
RING_CLOSURES = ("([*:1]~[1*].[1*]~[*:2])>>[*:1]-[*:2]", "([*:1]~[1*].[1*]~[*:2])>>[*:1]=[*:2]")


def _join_ring(parent_a: Chem.Mol, parent_b: Chem.Mol, rng: random.Random) -> Chem.Mol | None:
    ring = pattern("[R]")
    if not (parent_a.HasSubstructMatch(ring) or parent_b.HasSubstructMatch(ring)):
        return None
    for _ in range(ATTEMPTS):
        fragments_a, fragments_b = cut_ring(parent_a, rng), cut_ring(parent_b, rng)
        if fragments_a is None or fragments_b is None:
            return None
        joined = [
            products[0]
            for smarts in RING_JOINS
            for fa in fragments_a
            for fb in fragments_b
            for products in reaction(smarts).RunReactants((fa, fb))[:1]
        ]
        closed = [
            products[0]
            for smarts in RING_CLOSURES
            for mol in joined
            if size_ok(mol, rng)
            for products in reaction(smarts).RunReactants((mol,))
        ]
        children = [child for child in closed if size_ok(child, rng) and ring_ok(child)]
        if children:
            return rng.choice(children)
    return None


def crossover(parent_a: Chem.Mol, parent_b: Chem.Mol, rng: random.Random) -> Chem.Mol | None:
    """A child of two parents that differs from both, or None after 10 tries."""
    parent_smiles = {Chem.MolToSmiles(parent_a), Chem.MolToSmiles(parent_b)}
    parent_a, parent_b = Chem.Mol(parent_a), Chem.Mol(parent_b)
    for parent in (parent_a, parent_b):
        try:
            Chem.Kekulize(parent, clearAromaticFlags=True)
        except (ValueError, RuntimeError):
            pass
    for _ in range(ATTEMPTS):
        join = _join_chain if rng.random() <= 0.5 else _join_ring
        child = join(parent_a, parent_b, rng)
        if child is not None and Chem.MolToSmiles(child) not in parent_smiles:
            return child
    return None
