"""The edit space: valid, distinct, deterministic single edits, TOMG groups included."""

import pytest
from rdkit import Chem

from molopt.edit.space import enumerate_edits
from molopt.repo.edits import EditGoal, achieved, group_count

# Real molecules of TOMG-Bench's test sets (MolOpt/QED rows 1-2, DelComponent row 1).
SOURCES = (
    "C[C@H]1C[C@H](C)C[NH+](CCC(=O)N(C)CCC#N)C1",
    "Cc1noc(C)c1[C@@H](C)NS(=O)(=O)N(C)C",
    "O=C(Cc1ccc(Cl)cc1)NC[C@](O)(c1ccccc1)C(F)(F)F",
)


@pytest.mark.parametrize("smiles", SOURCES)
def test_every_edit_is_a_valid_distinct_single_fragment_other_than_the_source(smiles):
    source = Chem.MolFromSmiles(smiles)
    edits = enumerate_edits(source)
    products = [e.smiles for e in edits]
    assert len(products) == len(set(products)) > 50
    assert Chem.MolToSmiles(source) not in products
    for text in products:
        mol = Chem.MolFromSmiles(text)
        assert mol is not None and len(Chem.GetMolFrags(mol)) == 1


def test_enumeration_order_is_deterministic():
    mol = Chem.MolFromSmiles(SOURCES[2])
    assert enumerate_edits(mol) == enumerate_edits(Chem.MolFromSmiles(SOURCES[2]))


def test_every_gbga_operator_and_group_operation_appears():
    operators = {e.operator for s in SOURCES for e in enumerate_edits(Chem.MolFromSmiles(s))}
    assert operators == {
        "insert_atom",
        "change_bond",
        "open_ring",
        "close_ring",
        "delete_atom",
        "change_atom",
        "append_atom",
        "attach",
        "remove",
        "substitute",
    }


@pytest.mark.parametrize(
    "goal",
    [
        EditGoal("AddComponent", added="hydroxyl"),
        EditGoal("AddComponent", added="benzene ring"),
        EditGoal("DelComponent", removed="benzene ring"),
        EditGoal("DelComponent", removed="halo"),
        EditGoal("SubComponent", removed="halo", added="nitrile"),
    ],
)
def test_group_edits_reach_tomg_goals(goal):
    source = Chem.MolFromSmiles(SOURCES[2])
    named = [
        e for e in enumerate_edits(source) if e.added == goal.added and e.removed == goal.removed
    ]
    assert named
    assert any(achieved(source, Chem.MolFromSmiles(e.smiles), goal) for e in named)


def test_removing_the_chlorine_leaves_the_rest_whole():
    source = Chem.MolFromSmiles(SOURCES[2])
    removed = [e.smiles for e in enumerate_edits(source) if e.operator == "remove"]
    expected = Chem.MolToSmiles(Chem.MolFromSmiles("O=C(Cc1ccccc1)NC[C@](O)(c1ccccc1)C(F)(F)F"))
    assert expected in removed
    assert group_count(Chem.MolFromSmiles(expected), "halo") == 3


def test_a_molecule_that_cannot_be_kekulized_has_no_edits():
    broken = Chem.MolFromSmiles("c1ccnc1", sanitize=False)
    assert enumerate_edits(broken) == []
