"""What changed from a parent to its child, as named features, per representation.

The lesson statistics (`evolve.lessons`) count, for each feature, how often children that
show it improved on their parent. Features by representation:

- program: syntax-node kinds added or removed (``+For``, ``-If``), functions newly called or
  no longer called (``+call np.linspace``), and numeric constants changed (``constants``);
- vector: the `MAX_COORDINATES` coordinates that moved most, with their direction
  (``x[3] up``);
- smiles: functional groups (`GROUPS`, SMARTS) gained or lost (``+carboxylic acid``);
- text: words added or removed (at most `MAX_WORDS` each).
"""

from __future__ import annotations

import ast
from collections import Counter
from functools import cache, lru_cache

import numpy as np

from evolve.problem import decode_vector

MAX_COORDINATES = 3
MAX_WORDS = 3
GENERIC_NODES = frozenset(
    {"Load", "Store", "Del", "Name", "Constant", "Expr", "Module", "arguments", "arg", "keyword"}
)
GROUPS = {
    "hydroxyl": "[OX2H][#6]",
    "primary or secondary amine": "[NX3;H2,H1;!$(NC=O)]",
    "tertiary amine": "[NX3;H0;!$(NC=O);!$(N=*);!a]",
    "carboxylic acid": "C(=O)[OH]",
    "amide": "C(=O)N",
    "ester": "C(=O)O[#6]",
    "ketone or aldehyde": "[CX3](=O)[#6,#1]",
    "ether": "[OD2]([#6])[#6]",
    "nitrile": "C#N",
    "nitro": "[N+](=O)[O-]",
    "sulfonamide": "S(=O)(=O)N",
    "fluorine": "[F]",
    "chlorine": "[Cl]",
    "bromine": "[Br]",
    "aromatic ring": "a1aaaaa1",
    "aromatic nitrogen": "[n]",
}


def change_features(representation: str, parent: str, child: str) -> list[str]:
    """The named changes from `parent` to `child` (empty when unreadable)."""
    try:
        if representation == "program":
            return _program_changes(parent, child)
        if representation == "vector":
            return _vector_changes(parent, child)
        if representation == "smiles":
            return _group_changes(parent, child)
        return _word_changes(parent, child)
    except (SyntaxError, ValueError):
        return []


@lru_cache(maxsize=4096)
def _program_profile(source: str) -> tuple[Counter, frozenset[str], tuple[float, ...]]:
    tree = ast.parse(source)
    nodes = Counter(type(node).__name__ for node in ast.walk(tree))
    calls = frozenset(
        ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)
    )
    numbers = tuple(
        float(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float)
    )
    return nodes, calls, numbers


def _program_changes(parent: str, child: str) -> list[str]:
    before, after = _program_profile(parent), _program_profile(child)
    features = []
    for kind in sorted(set(before[0]) | set(after[0])):
        change = after[0][kind] - before[0][kind]
        if change and kind not in GENERIC_NODES:
            features.append(f"{'+' if change > 0 else '-'}{kind}")
    features += [f"+call {name}" for name in sorted(after[1] - before[1])]
    features += [f"-call {name}" for name in sorted(before[1] - after[1])]
    if before[2] != after[2]:
        features.append("constants")
    return features


def _vector_changes(parent: str, child: str) -> list[str]:
    moves = np.array(decode_vector(child)) - np.array(decode_vector(parent))
    if moves.shape == (0,):
        return []
    order = np.argsort(-np.abs(moves))[:MAX_COORDINATES]
    return [f"x[{i}] {'up' if moves[i] > 0 else 'down'}" for i in order if moves[i] != 0]


def _group_counts(smiles: str) -> Counter:
    from rdkit import Chem, RDLogger  # chemistry only for SMILES tasks

    RDLogger.DisableLog("rdApp.*")
    molecule = Chem.MolFromSmiles(smiles)
    if molecule is None:
        raise ValueError(f"unparsable SMILES {smiles!r}")
    return Counter(
        {
            name: len(molecule.GetSubstructMatches(_pattern(smarts)))
            for name, smarts in GROUPS.items()
        }
    )


@cache
def _pattern(smarts: str):  # -> an RDKit Mol
    from rdkit import Chem

    return Chem.MolFromSmarts(smarts)


def _group_changes(parent: str, child: str) -> list[str]:
    before, after = _group_counts(parent), _group_counts(child)
    features = []
    for name in GROUPS:
        change = after[name] - before[name]
        if change:
            features.append(f"{'+' if change > 0 else '-'}{name}")
    return features


def _word_changes(parent: str, child: str) -> list[str]:
    before, after = Counter(parent.lower().split()), Counter(child.lower().split())
    added = sorted(after - before, key=lambda w: (-(after[w] - before[w]), w))[:MAX_WORDS]
    removed = sorted(before - after, key=lambda w: (-(before[w] - after[w]), w))[:MAX_WORDS]
    return [f"+word {w}" for w in added] + [f"-word {w}" for w in removed]
