"""Graph mutation of a molecule (Jensen 2019, GB-GA; `graph_ga/mutate.py` in GuacaMol/PMO).

Seven operators, each a reaction SMARTS drawn with GB-GA's probabilities: insert an atom
into a bond, change a bond order, break a ring bond, close a ring, delete an atom, change an
element, append an atom. The first operator that yields a child passing `size_ok` and
`ring_ok` (at most 10 tries) wins. All randomness comes from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from rdkit import Chem

from molopt.crossover import ATTEMPTS
from molopt.graph_rules import pattern, reaction, ring_ok, size_ok


def _pick(rng: random.Random, choices: Sequence[str], weights: Sequence[float]) -> str:
    return rng.choices(choices, weights=weights)[0]


def _bond_and_element(
    rng: random.Random, table: Sequence[tuple[str, Sequence[str]]], weights: Sequence[float]
) -> tuple[str, str]:
    bond, elements = table[rng.choices(range(len(table)), weights=weights)[0]]
    return bond, rng.choice(elements)


BOND_WEIGHTS = (0.60, 0.35, 0.05)  # single, double, triple


DELETE_ATOM = (
    "[*:1]~[D1:2]>>[*:1]",
    "[*:1]~[D2:2]~[*:3]>>[*:1]-[*:3]",
    "[*:1]~[D3:2](~[*;!H0:3])~[*:4]>>[*:1]-[*:3]-[*:4]",
    "[*:1]~[D4:2](~[*;!H0:3])(~[*;!H0:4])~[*:5]>>[*:1]-[*:3]-[*:4]-[*:5]",
    "[*:1]~[D4:2](~[*;!H0;!H1:3])(~[*:4])~[*:5]>>[*:1]-[*:3](-[*:4])-[*:5]",
)
APPEND_TABLE = (
    ("-", ("C", "N", "O", "F", "S", "Cl", "Br")),
    ("=", ("C", "N", "O")),
    ("#", ("C", "N")),
)
APPEND_SITE = {"-": "[*;!H0:1]", "=": "[*;!H0;!H1:1]", "#": "[*;H3:1]"}
INSERT_TABLE = (("-", ("C", "N", "O", "S")), ("=", ("C", "N")), ("#", ("C",)))
INSERT_FORM = {
    "-": "[*:1]~[*:2]>>[*:1]{element}[*:2]",
    "=": "[*;!H0:1]~[*:2]>>[*:1]={element}-[*:2]",
    "#": "[*;!R;!H1;!H0:1]~[*:2]>>[*:1]#{element}-[*:2]",
}
CHANGE_BOND = (
    "[*:1]!-[*:2]>>[*:1]-[*:2]",
    "[*;!H0:1]-[*;!H0:2]>>[*:1]=[*:2]",
    "[*:1]#[*:2]>>[*:1]=[*:2]",
    "[*;!R;!H1;!H0:1]~[*:2]>>[*:1]#[*:2]",
)
OPEN_RING = "[*:1]@[*:2]>>([*:1].[*:2])"
CLOSE_RING = (
    "[*;!r;!H0:1]~[*;!r:2]~[*;!r;!H0:3]>>[*:1]1~[*:2]~[*:3]1",
    "[*;!r;!H0:1]~[*!r:2]~[*!r:3]~[*;!r;!H0:4]>>[*:1]1~[*:2]~[*:3]~[*:4]1",
    "[*;!r;!H0:1]~[*!r:2]~[*:3]~[*:4]~[*;!r;!H0:5]>>[*:1]1~[*:2]~[*:3]~[*:4]~[*:5]1",
    "[*;!r;!H0:1]~[*!r:2]~[*:3]~[*:4]~[*!r:5]~[*;!r;!H0:6]>>[*:1]1~[*:2]~[*:3]~[*:4]~[*:5]~[*:6]1",
)


def delete_atom(rng: random.Random, _mol: Chem.Mol) -> str:
    """Remove an atom and reconnect its neighbours."""
    return _pick(rng, DELETE_ATOM, (0.25, 0.25, 0.25, 0.1875, 0.0625))


def append_atom(rng: random.Random, _mol: Chem.Mol) -> str:
    """Attach a new terminal atom by a single, double or triple bond."""
    bond, element = _bond_and_element(rng, APPEND_TABLE, BOND_WEIGHTS)
    return f"{APPEND_SITE[bond]}>>[*:1]{bond}{element}"


def insert_atom(rng: random.Random, _mol: Chem.Mol) -> str:
    """Insert a new atom into an existing bond."""
    bond, element = _bond_and_element(rng, INSERT_TABLE, BOND_WEIGHTS)
    return INSERT_FORM[bond].format(element=element)


def change_bond_order(rng: random.Random, _mol: Chem.Mol) -> str:
    """Make a bond single, double or triple."""
    return _pick(rng, CHANGE_BOND, (0.45, 0.45, 0.05, 0.05))


def delete_cyclic_bond(_rng: random.Random, _mol: Chem.Mol) -> str:
    """Open a ring by breaking one of its bonds."""
    return OPEN_RING


def add_ring(rng: random.Random, _mol: Chem.Mol) -> str:
    """Close a 3- to 6-membered ring between two atoms of a chain."""
    return _pick(rng, CLOSE_RING, (0.05, 0.05, 0.45, 0.45))


ELEMENTS = ("#6", "#7", "#8", "#9", "#16", "#17", "#35")
ELEMENT_WEIGHTS = (0.15, 0.15, 0.14, 0.14, 0.14, 0.14, 0.14)


def change_atom(rng: random.Random, mol: Chem.Mol) -> str:
    """Turn an atom of an element present in `mol` into another element."""
    present = [e for e in ELEMENTS if mol.HasSubstructMatch(pattern(f"[{e}]"))]
    weights = [w for e, w in zip(ELEMENTS, ELEMENT_WEIGHTS, strict=True) if e in present]
    if not present:
        return "[#6:1]>>[#7:1]"  # matches nothing: no element of the table is present
    source = _pick(rng, present, weights)
    others = [e for e in ELEMENTS if e != source]
    target = _pick(
        rng, others, [w for e, w in zip(ELEMENTS, ELEMENT_WEIGHTS, strict=True) if e != source]
    )
    return f"[{source}:1]>>[{target}:1]"


def every_smarts(mol: Chem.Mol) -> tuple[tuple[str, str], ...]:
    """Every (operator name, reaction SMARTS) any GB-GA operator can draw for `mol`, in order.

    The exhaustive, deterministic counterpart of the random draws above, for enumerating
    all single mutations of a molecule (`molopt.edit.space`).
    """
    present = [e for e in ELEMENTS if mol.HasSubstructMatch(pattern(f"[{e}]"))]
    return (
        *(("insert_atom", INSERT_FORM[b].format(element=e)) for b, es in INSERT_TABLE for e in es),
        *(("change_bond", s) for s in CHANGE_BOND),
        ("open_ring", OPEN_RING),
        *(("close_ring", s) for s in CLOSE_RING),
        *(("delete_atom", s) for s in DELETE_ATOM),
        *(("change_atom", f"[{a}:1]>>[{b}:1]") for a in present for b in ELEMENTS if b != a),
        *(("append_atom", f"{APPEND_SITE[b]}>>[*:1]{b}{e}") for b, es in APPEND_TABLE for e in es),
    )


OPERATORS: tuple[tuple[Callable[[random.Random, Chem.Mol], str], float], ...] = (
    (insert_atom, 0.15),
    (change_bond_order, 0.14),
    (delete_cyclic_bond, 0.14),
    (add_ring, 0.14),
    (delete_atom, 0.14),
    (change_atom, 0.14),
    (append_atom, 0.15),
)


def mutate(mol: Chem.Mol, rng: random.Random) -> Chem.Mol | None:
    """A mutated copy of `mol`, or None when 10 operators in a row gave nothing usable."""
    mol = Chem.Mol(mol)
    try:
        Chem.Kekulize(mol, clearAromaticFlags=True)
    except (ValueError, RuntimeError):
        return None
    operators = [op for op, _ in OPERATORS]
    weights = [w for _, w in OPERATORS]
    for _ in range(ATTEMPTS):
        operator = rng.choices(operators, weights=weights)[0]
        products = reaction(operator(rng, mol)).RunReactants((mol,))
        children = [p[0] for p in products if size_ok(p[0], rng) and ring_ok(p[0])]
        if children:
            return rng.choice(children)
    return None
