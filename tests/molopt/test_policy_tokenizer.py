"""The atom-level SMILES tokenizer: Schwaller's regex, exact round trips, vocabulary files."""

import pytest

from molopt.policy.errors import TokenizerError
from molopt.policy.tokenizer import SmilesTokenizer, tokenize

TRICKY = [
    "ClCCBr",  # two-letter halogens
    "c1cc[nH]c1",  # bracket aromatic nitrogen with H
    "C[C@@H](N)C(=O)O",  # tetrahedral stereo
    "F/C=C/F",  # double-bond stereo
    r"F/C=C\Cl",
    "C%10CCCCC%10",  # two-digit ring closure
    "c1ccc2c(c1)[n+](C)c1ccccc1[O-]2",  # charges in brackets
    "[2H]C([2H])([2H])Oc1ccccc1",  # isotopes
    "CC(C)(C)OC(=O)N1CCC[C@H]1C#N",  # triple bond
    "O=S(=O)(c1ccccc1)N1CCOCC1",
    "B1OC(C)(C)C(C)(C)O1",
    "[Se]1C=CC=C1",
]


@pytest.mark.parametrize("smiles", TRICKY)
def test_tokens_join_back_to_the_string(smiles):
    assert "".join(tokenize(smiles)) == smiles


def test_multi_character_atoms_are_one_token():
    assert tokenize("ClC[nH]Br") == ["Cl", "C", "[nH]", "Br"]
    assert tokenize("C%10CC%10") == ["C", "%10", "C", "C", "%10"]
    assert tokenize("[C@@H]") == ["[C@@H]"]


def test_a_vocabulary_round_trips_every_string_it_was_built_on(tmp_path):
    tokenizer = SmilesTokenizer.build(TRICKY)
    for smiles in TRICKY:
        ids = tokenizer.encode(smiles)
        assert ids[0] == tokenizer.bos_id and ids[-1] == tokenizer.eos_id
        assert tokenizer.unk_id not in ids
        assert tokenizer.decode(ids) == smiles
    tokenizer.save(tmp_path / "vocab.json")
    again = SmilesTokenizer.load(tmp_path / "vocab.json")
    assert again.tokens == tokenizer.tokens


def test_unknown_tokens_become_unk_and_non_smiles_text_is_refused():
    tokenizer = SmilesTokenizer.build(["CCO"])
    assert tokenizer.unk_id in tokenizer.encode("CCBr")
    with pytest.raises(TokenizerError, match="outside the SMILES grammar"):
        tokenize("CC O")
    with pytest.raises(TokenizerError):
        tokenize("Here")
