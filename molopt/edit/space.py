"""The edit space: every valid single graph edit of a molecule, in a fixed order.

Two families, each product a sanitized single-fragment molecule different from the source:

- GB-GA's seven mutations (Jensen 2019), every reaction SMARTS each can draw
  (`molopt.mutate.every_smarts`: insert an atom, change a bond order, open a ring, close
  a ring, delete an atom, change an element, append an atom), applied at every match,
  products kept when they pass GB-GA's ring rules (`molopt.graph_rules.ring_ok`);
- TOMG-Bench's MolEdit groups (`molopt.edit.groups`): *attach* a group fragment at an atom
  that carries a hydrogen, *remove* one matched group (its atoms deleted, the open
  valences filled with hydrogens, the largest remaining piece kept), and *substitute* a
  matched group by another group's fragment at the atom it hung from.

Products are deduplicated by canonical SMILES, the first edit to reach a product naming it:
group edits come first, so "append an O" that makes a hydroxyl is named "attach hydroxyl".
The list is a set of distinct answers. The order depends only on the molecule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdkit import Chem

from molopt.edit.groups import ATTACHABLE, GROUP_FRAGMENTS, GROUPS, fragment, group_pattern
from molopt.graph_rules import reaction, ring_ok
from molopt.mutate import every_smarts

ANCHOR = "edit_anchor"  # atom property marking where a removed group hung


@dataclass(frozen=True)
class Edit:
    """One single graph edit: its operator, the groups it adds / removes, and its product.

    `operator` is a GB-GA mutation name or "attach" / "remove" / "substitute";
    `added` / `removed` name TOMG groups (None for atom-level mutations).
    """

    operator: str
    smiles: str
    added: str | None = None
    removed: str | None = None


def _kekulized(mol: Chem.Mol) -> Chem.Mol | None:
    copy = Chem.Mol(mol)
    try:
        Chem.Kekulize(copy, clearAromaticFlags=True)
    except (ValueError, RuntimeError):
        return None
    return copy


def _finish(mol: Chem.Mol) -> str | None:
    """Canonical SMILES of a sanitized single-fragment product, or None when unusable.

    Whether RDKit reads that SMILES back is checked once per distinct product, later.
    """
    try:
        Chem.SanitizeMol(mol)
    except (ValueError, RuntimeError):
        return None
    if mol.GetNumAtoms() < 2 or len(Chem.GetMolFrags(mol)) != 1:
        return None
    return Chem.MolToSmiles(mol)


def _mutations(kekule: Chem.Mol) -> Iterator[Edit]:
    for operator, smarts in every_smarts(kekule):
        for products in reaction(smarts).RunReactants((kekule,)):
            product = products[0]
            smiles = _finish(product)
            if smiles is not None and ring_ok(product):
                yield Edit(operator, smiles)


def _attach(mol: Chem.Mol, site: int, group_smiles: str) -> Chem.Mol:
    piece = fragment(group_smiles)
    combined = Chem.RWMol(Chem.CombineMols(mol, piece))
    atom = combined.GetAtomWithIdx(site)
    if atom.GetNoImplicit() and atom.GetNumExplicitHs():
        atom.SetNumExplicitHs(atom.GetNumExplicitHs() - 1)
    combined.AddBond(site, mol.GetNumAtoms(), Chem.BondType.SINGLE)
    return combined.GetMol()


def _attachments(kekule: Chem.Mol) -> Iterator[Edit]:
    sites = [a.GetIdx() for a in kekule.GetAtoms() if a.GetTotalNumHs() > 0]
    for group in ATTACHABLE:
        for group_smiles in GROUP_FRAGMENTS[group]:
            for site in sites:
                smiles = _finish(_attach(kekule, site, group_smiles))
                if smiles is not None:
                    yield Edit("attach", smiles, added=group)


def _without(kekule: Chem.Mol, match: tuple[int, ...]) -> Chem.Mol:
    """`kekule` with the atoms of `match` deleted, hydrogens filling the cut bonds."""
    rw = Chem.RWMol(kekule)
    inside = set(match)
    for index in match:
        for bond in rw.GetAtomWithIdx(index).GetBonds():
            other = bond.GetOtherAtom(rw.GetAtomWithIdx(index))
            if other.GetIdx() in inside:
                continue
            other.SetIntProp(ANCHOR, 1)
            if other.GetNoImplicit():
                other.SetNumExplicitHs(other.GetNumExplicitHs() + int(bond.GetBondTypeAsDouble()))
    for index in sorted(inside, reverse=True):
        rw.RemoveAtom(index)
    return rw.GetMol()


def _largest_piece(mol: Chem.Mol) -> Chem.Mol | None:
    try:
        pieces = Chem.GetMolFrags(mol, asMols=True, sanitizeFrags=False)
    except (ValueError, RuntimeError):
        return None
    return max(pieces, key=lambda p: p.GetNumAtoms()) if pieces else None


def _removals(kekule: Chem.Mol, group: str, match: tuple[int, ...]) -> Iterator[Edit]:
    rest = _largest_piece(_without(kekule, match))
    if rest is None:
        return
    smiles = _finish(Chem.Mol(rest))
    if smiles is not None:
        yield Edit("remove", smiles, removed=group)


def _substitutions(kekule: Chem.Mol, group: str, match: tuple[int, ...]) -> Iterator[Edit]:
    rest = _without(kekule, match)
    anchors = [a.GetIdx() for a in rest.GetAtoms() if a.HasProp(ANCHOR)]
    if len(anchors) != 1 or len(Chem.GetMolFrags(rest)) != 1:
        return
    for new_group in ATTACHABLE:
        if new_group == group:
            continue
        for group_smiles in GROUP_FRAGMENTS[new_group]:
            smiles = _finish(_attach(rest, anchors[0], group_smiles))
            if smiles is not None:
                yield Edit("substitute", smiles, added=new_group, removed=group)


def _group_edits(mol: Chem.Mol, kekule: Chem.Mol) -> Iterator[Edit]:
    yield from _attachments(kekule)
    for group in GROUPS:
        for match in mol.GetSubstructMatches(group_pattern(group)):
            yield from _removals(kekule, group, match)
            yield from _substitutions(kekule, group, match)


def enumerate_edits(mol: Chem.Mol) -> list[Edit]:
    """Every distinct single-edit product of `mol` (see module), in a deterministic order.

    Empty when `mol` cannot be kekulized (then no edit can be written down safely).
    """
    kekule = _kekulized(mol)
    if kekule is None:
        return []
    seen = {Chem.MolToSmiles(mol)}
    edits = []
    for edit in (*_group_edits(mol, kekule), *_mutations(kekule)):
        if edit.smiles not in seen:
            seen.add(edit.smiles)
            if Chem.MolFromSmiles(edit.smiles) is not None:
                edits.append(edit)
    return edits
