"""Our generator-based fingerprints equal the legacy RDKit calls GuacaMol and TDC use."""

from __future__ import annotations

import warnings

import pytest
from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import AllChem

from molopt.fingerprints import fingerprint, molecule_similarity, similarity, tanimoto

PAIRS = [
    ("CC(C)(C)NCC(O)c1ccc(O)c(CO)c1", "COc1ccccc1OCC(O)CN2CCN(CC(=O)Nc3c(C)cccc3C)CC2"),
    ("CC1(C)C2CCC1(C)C(=O)C2", "CC(C)C1CCC(C)CC1O"),
    ("Fc1cc(c(F)cc1F)CC(N)CC(=O)N3Cc2nnc(n2CC3)C(F)(F)F", "CC(=O)Oc1ccccc1C(=O)O"),
]

LEGACY = {
    "ECFP4": lambda m: AllChem.GetMorganFingerprint(m, 2),
    "ECFP6": lambda m: AllChem.GetMorganFingerprint(m, 3),
    "FCFP4": lambda m: AllChem.GetMorganFingerprint(m, 2, useFeatures=True),
    "AP": lambda m: AllChem.GetAtomPairFingerprint(m, maxLength=10),
    "morgan2048": lambda m: AllChem.GetMorganFingerprintAsBitVect(m, 2, nBits=2048),
}


@pytest.mark.parametrize("kind", sorted(LEGACY))
@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_similarity_equals_the_legacy_rdkit_definition(kind, a, b):
    mol_a, mol_b = Chem.MolFromSmiles(a), Chem.MolFromSmiles(b)
    RDLogger.DisableLog("rdApp.*")  # the legacy calls print deprecation warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = DataStructs.TanimotoSimilarity(LEGACY[kind](mol_a), LEGACY[kind](mol_b))
    assert similarity(mol_a, b, kind) == pytest.approx(expected)


def test_identical_molecules_have_similarity_one_for_every_kind():
    mol = Chem.MolFromSmiles("CCCOc1cc2ncnc(Nc3ccc4ncsc4c3)c2cc1S(=O)(=O)C(C)(C)C")
    for kind in ("morgan2048", "ECFP4", "ECFP6", "FCFP4", "AP", "PHCO"):
        assert tanimoto(fingerprint(mol, kind), fingerprint(mol, kind)) == 1.0


def test_unknown_fingerprint_names_the_known_ones():
    with pytest.raises(ValueError, match="ECFP4"):
        fingerprint(Chem.MolFromSmiles("C"), "ECFP12")


def test_molecule_similarity_is_the_tanimoto_of_two_molecules():
    a, b = Chem.MolFromSmiles("CCOc1ccccc1"), Chem.MolFromSmiles("CCCOc1ccccc1")
    assert molecule_similarity(a, b) == pytest.approx(similarity(a, "CCCOc1ccccc1"))
    assert molecule_similarity(a, a) == 1.0 and 0.0 < molecule_similarity(a, b) < 1.0
