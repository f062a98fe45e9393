"""Raw oracles on known molecules."""

from __future__ import annotations

import math

import pytest

from molopt.errors import MoloptError
from molopt.molecules import parse_smiles
from molopt.oracles import (
    atom_count,
    isomer_score,
    logp,
    molar_refractivity,
    num_aromatic_rings,
    num_atoms,
    num_rings,
    parse_formula,
    qed,
    sa_score,
    smarts_present,
    tpsa,
)

ASPIRIN = parse_smiles("CC(=O)Oc1ccccc1C(=O)O")


def test_aspirin_descriptors():
    assert qed(ASPIRIN) == pytest.approx(0.550, abs=0.005)
    assert logp(ASPIRIN) == pytest.approx(1.31, abs=0.01)
    assert molar_refractivity(ASPIRIN) == pytest.approx(44.71, abs=0.01)
    assert tpsa(ASPIRIN) == pytest.approx(63.6, abs=0.01)
    assert num_rings(ASPIRIN) == 1 and num_aromatic_rings(ASPIRIN) == 1
    assert num_atoms(ASPIRIN) == 21  # C9H8O4
    assert atom_count(ASPIRIN, "O") == 4 and atom_count(ASPIRIN, "H") == 8


def test_sa_score_ranks_a_simple_molecule_easier_than_a_caged_one():
    easy = sa_score(ASPIRIN)
    hard = sa_score(parse_smiles("C1C2CC3CC1CC(C2)C3N4C5CC6CC4CC(C5)C6"))
    assert 1.0 <= easy < 2.0  # aspirin: about 1.58
    assert easy < hard <= 10.0


def test_smarts_presence():
    assert smarts_present(ASPIRIN, "C(=O)[OH]") == 1.0
    assert smarts_present(ASPIRIN, "[#7]") == 0.0
    with pytest.raises(MoloptError, match="SMARTS"):
        smarts_present(ASPIRIN, "[C")


def test_isomer_score_is_one_for_an_exact_isomer_and_lower_otherwise():
    assert isomer_score(ASPIRIN, "C9H8O4") == pytest.approx(1.0)
    # 2-methyl-4-nitroaniline is C7H8N2O2
    assert isomer_score(parse_smiles("Nc1ccc([N+](=O)[O-])cc1C"), "C7H8N2O2") == pytest.approx(1.0)
    # toluene C7H8: C and H exact (1, 1); N 0/2, O 0/2 (exp(-2) each); 15/19 atoms at
    # sigma 2 (exp(-2)): geometric mean exp(-6/5)
    assert isomer_score(parse_smiles("Cc1ccccc1"), "C7H8N2O2") == pytest.approx(math.exp(-1.2))


def test_parse_formula_counts_and_rejects_garbage():
    assert parse_formula("C9H10N2O2PF2Cl") == {
        "C": 9,
        "H": 10,
        "N": 2,
        "O": 2,
        "P": 1,
        "F": 2,
        "Cl": 1,
    }
    with pytest.raises(MoloptError, match="formula"):
        parse_formula("c7h8")
