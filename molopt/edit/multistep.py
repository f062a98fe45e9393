"""The edit policy as a multi-step editor: several edits in a row, each a single shot.

For the hgraph2graph constrained benchmarks (JT-VAE, VJTNN, HierG2G: improve a molecule's
penalized logP or its QED while staying similar to it) the policy edits the source
`steps` times toward one goal ("increase LogP" / "increase QED"): step t applies the
top-ranked edit of step t-1's molecule whose product was not visited yet (an edit that
undoes the previous one would otherwise loop). The molecules along the way are the K
answers the benchmark's metric takes, as a translation model's K decodes are: the best one
with similarity >= δ counts. Nothing is measured on the way; the ranking is the policy's.
"""

from __future__ import annotations

from collections.abc import Callable

from rdkit import Chem

from molopt.edit.answer import EditPolicy, parse_source
from molopt.edit.space import Edit
from molopt.errors import InvalidMoleculeError
from molopt.repo.edits import EditGoal

Ranker = Callable[[Chem.Mol], list[Edit]]


def trajectory(source: str, rank: Ranker, steps: int) -> list[str]:
    """The molecules of up to `steps` edits from `source`, each the first not-yet-visited
    edit of `rank` (best first); shorter when a molecule has no fresh edit left."""
    mol = parse_source(source)
    seen = {Chem.MolToSmiles(mol)}
    path: list[str] = []
    for _ in range(steps):
        try:
            edits = rank(mol)
        except InvalidMoleculeError:
            break
        choice = next((e for e in edits if e.smiles not in seen), None)
        if choice is None:
            break
        seen.add(choice.smiles)
        path.append(choice.smiles)
        mol = Chem.MolFromSmiles(choice.smiles)
    return path


def policy_trajectory(policy: EditPolicy, source: str, goal: EditGoal, steps: int) -> list[str]:
    """`trajectory` with the policy's ranking for `goal` (no oracle)."""
    return trajectory(source, lambda mol: policy.ranked(mol, goal), steps)
