"""Turning candidate text into one clean RDKit molecule, with guards against reward gaming.

Every oracle scores the molecule `standardize` returns, never the raw text: the SMILES is
parsed and sanitized, a salt or mixture (several fragments) and any radical are rejected,
charges are neutralized with RDKit's `rdMolStandardize.Uncharger` (so that ``[NH3+]`` cannot
buy a better TPSA or formula score than ``N``), and the canonical SMILES is what gets reported.
Each step that changed the input is said in `Standardized.notes`, which the evaluator puts in
its `feedback`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdkit import Chem, RDLogger
from rdkit.Chem.MolStandardize import rdMolStandardize

from molopt.errors import InvalidMoleculeError

RDLogger.DisableLog("rdApp.*")  # parse failures are reported through InvalidMoleculeError

MAX_SMILES_CHARS = 1000
BENCHMARK_MAX_CHARS = 500  # a benchmark output longer than this is invalid (`parse_or_none`)


@dataclass(frozen=True)
class Standardized:
    """A molecule ready to score: the Mol, its canonical SMILES, and what was changed."""

    mol: Chem.Mol
    smiles: str
    notes: tuple[str, ...] = ()


def parse_smiles(text: str) -> Chem.Mol:
    """Parse and sanitize a SMILES string, or raise `InvalidMoleculeError` saying why."""
    if not isinstance(text, str):
        raise InvalidMoleculeError(
            f"a SMILES candidate must be a string, got {type(text).__name__}"
        )
    smiles = text.strip()
    if not smiles:
        raise InvalidMoleculeError("empty SMILES: give one molecule, e.g. 'CCO'")
    if len(smiles) > MAX_SMILES_CHARS:
        raise InvalidMoleculeError(
            f"SMILES of {len(smiles)} characters (limit {MAX_SMILES_CHARS}): propose a smaller molecule"
        )
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise InvalidMoleculeError(
            f"RDKit cannot parse or sanitize '{smiles[:80]}' (syntax error or impossible valence)"
        )
    if mol.GetNumAtoms() == 0:
        raise InvalidMoleculeError(f"'{smiles[:80]}' has no atoms")
    return mol


def parse_or_none(smiles: str) -> Chem.Mol | None:
    """The RDKit molecule, or None when RDKit cannot parse it: the benchmarks' validity rule
    ("valid if `Chem.MolFromSmiles` parses it", TOMG-Bench and the constrained-optimization
    papers), with no standardization so their numbers match; past `BENCHMARK_MAX_CHARS`
    characters an output counts as invalid unparsed. Candidates use `parse_smiles`."""
    if not smiles or len(smiles) > BENCHMARK_MAX_CHARS:
        return None
    return Chem.MolFromSmiles(smiles)


def canonical_smiles(mol: Chem.Mol) -> str:
    """RDKit's canonical isomeric SMILES of `mol`."""
    return Chem.MolToSmiles(mol)


def neutralize(mol: Chem.Mol) -> Chem.Mol:
    """Neutralize charges where a hydrogen can be added or removed (RDKit's Uncharger)."""
    return rdMolStandardize.Uncharger().uncharge(mol)


def standardize(text: str) -> Standardized:
    """Parse, reject mixtures and radicals, neutralize and canonicalize a candidate SMILES."""
    mol = parse_smiles(text)
    fragments = Chem.GetMolFrags(mol)
    if len(fragments) > 1:
        raise InvalidMoleculeError(
            f"'{text.strip()[:80]}' has {len(fragments)} fragments (a '.' in the SMILES): "
            "propose one connected molecule, without salts or solvents"
        )
    radicals = sum(atom.GetNumRadicalElectrons() for atom in mol.GetAtoms())
    if radicals:
        raise InvalidMoleculeError(
            f"'{text.strip()[:80]}' has {radicals} radical electron(s): "
            "fill every valence (add hydrogens or bonds)"
        )
    return Standardized(*_uncharged(mol, text.strip()))


def _uncharged(mol: Chem.Mol, text: str) -> tuple[Chem.Mol, str, tuple[str, ...]]:
    if not any(atom.GetFormalCharge() for atom in mol.GetAtoms()):
        smiles = canonical_smiles(mol)
        return mol, smiles, (() if smiles == text else (f"canonical SMILES: {smiles}",))
    before = canonical_smiles(mol)
    mol = neutralize(mol)
    smiles = canonical_smiles(mol)
    notes = [f"charges neutralized before scoring: scored as {smiles}"] if smiles != before else []
    if any(atom.GetFormalCharge() for atom in mol.GetAtoms()):
        notes.append("some charges kept: no hydrogen can be moved to neutralize them")
    return mol, smiles, tuple(notes)
