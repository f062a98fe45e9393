"""Program circle packing: the seed runs, and bad packings are rejected with precise feedback."""

import pytest

from tests.tasks.conftest import TASKS, load_task_module

program_task = load_task_module("circle_packing_program")


def write_program(tmp_path, body: str) -> str:
    path = tmp_path / "candidate.py"
    path.write_text("import numpy as np\n\ndef pack(n):\n" + body)
    return str(path)


def test_seed_program_is_valid_and_mediocre():
    result = program_task.evaluate(str(TASKS / "circle_packing_program" / "seed_program.py"))
    assert result.get("valid", True)
    assert 2.5 < result["sum_radii"] < 2.6


def test_touching_circles_that_overlap_by_round_off_are_rejected(tmp_path):
    body = "    return [[0.1 * 3, 0.5, 0.1 * 3], [0.9 - 0.1 * 3, 0.5, 0.1 * 3 - 0.1 * 1]]\n"
    result = program_task.evaluate(write_program(tmp_path, body), n=2)
    assert result["valid"] is False
    assert "circles 0 and 1 overlap by" in result["feedback"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("    return [[0.3, 0.5, 0.15], [0.5, 0.5, 0.15]]\n", "circles 0 and 1 overlap by 0.1"),
        (
            "    return [[0.1, 0.5, 0.2], [0.7, 0.5, 0.1]]\n",
            "circle 0 leaves the unit square by 0.1",
        ),
        ("    return [[0.3, 0.5, -0.1], [0.7, 0.5, 0.1]]\n", "circle 0 has a negative radius"),
        ("    return [[0.3, 0.5, np.nan], [0.7, 0.5, 0.1]]\n", "pack() returned a NaN"),
        ("    return [[0.3, 0.5, 0.1]]\n", "must return 2 rows (x, y, r); got shape (1, 3)"),
    ],
)
def test_bad_packings_are_invalid_with_feedback(tmp_path, body, words):
    result = program_task.evaluate(write_program(tmp_path, body), n=2)
    assert result["valid"] is False
    assert words in result["feedback"]


def test_a_program_without_pack_is_invalid(tmp_path):
    path = tmp_path / "candidate.py"
    path.write_text("x = 1\n")
    result = program_task.evaluate(str(path), n=2)
    assert result == {"valid": False, "feedback": "the program defines no function pack()"}
