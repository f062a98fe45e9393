"""Parsing and the gaming guards: one neutral, connected, non-radical, canonical molecule."""

from __future__ import annotations

import pytest

from molopt.errors import InvalidMoleculeError
from molopt.molecules import canonical_smiles, parse_or_none, parse_smiles, standardize


def test_parse_smiles_returns_a_sanitized_molecule():
    mol = parse_smiles("  c1ccccc1O ")
    assert mol.GetNumAtoms() == 7
    assert canonical_smiles(mol) == "Oc1ccccc1"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("C1CC", "cannot parse"),
        ("C(C)(C)(C)(C)C", "cannot parse"),  # pentavalent carbon
        ("x" * 2000, "characters"),
    ],
)
def test_parse_smiles_rejects_bad_text_and_says_why(text, reason):
    with pytest.raises(InvalidMoleculeError, match=reason):
        parse_smiles(text)


def test_multi_fragment_smiles_is_rejected():
    with pytest.raises(InvalidMoleculeError, match="2 fragments"):
        standardize("CC(=O)O.[Na+]")


def test_radical_is_rejected():
    with pytest.raises(InvalidMoleculeError, match="radical"):
        standardize("C[CH2]")


def test_charges_are_neutralized_and_reported():
    result = standardize("CC[NH3+]")
    assert result.smiles == "CCN"
    assert any("neutralized" in note for note in result.notes)


def test_quaternary_ammonium_keeps_its_charge_and_says_so():
    result = standardize("C[N+](C)(C)C")
    assert result.smiles == "C[N+](C)(C)C"
    assert any("kept" in note for note in result.notes)


def test_standardize_canonicalizes_and_notes_the_change():
    result = standardize("OC(C)=O")
    assert result.smiles == "CC(=O)O"
    assert result.notes == ("canonical SMILES: CC(=O)O",)
    assert standardize("CC(=O)O").notes == ()


def test_parse_or_none_is_the_benchmarks_validity_rule():
    assert parse_or_none("c1ccccc1").GetNumAtoms() == 6
    assert parse_or_none("C1CC") is None  # unclosed ring: RDKit cannot parse it
    assert parse_or_none("") is None and parse_or_none("C" * 501) is None
    assert parse_or_none("[NH3+]CC").GetAtomWithIdx(0).GetFormalCharge() == 1  # not standardized
