"""Named changes from parent to child, per representation."""

from evolve.lessons_features import change_features
from evolve.problem import encode_vector


def test_program_changes_name_new_nodes_calls_and_constants():
    parent = "def solve():\n    return 3.0\n"
    child = "import math\n\ndef solve():\n    for _ in range(2):\n        pass\n    return math.sqrt(9.8)\n"
    features = change_features("program", parent, child)
    assert "+For" in features and "+Import" in features
    assert "+call math.sqrt" in features and "+call range" in features
    assert "constants" in features


def test_vector_changes_name_the_coordinates_that_moved_most():
    parent = encode_vector([0.0, 0.0, 0.0, 0.0])
    child = encode_vector([0.01, -0.5, 0.0, 0.2])
    assert change_features("vector", parent, child) == ["x[1] down", "x[3] up", "x[0] up"]


def test_smiles_changes_name_functional_groups_gained_and_lost():
    features = change_features("smiles", "CCO", "c1ccccc1C(=O)N")
    assert "+aromatic ring" in features and "+amide" in features
    assert "-hydroxyl" in features


def test_unreadable_candidates_give_no_features():
    assert change_features("program", "def (:", "x = 1") == []
    assert change_features("smiles", "C1CC", "CCO") == []
