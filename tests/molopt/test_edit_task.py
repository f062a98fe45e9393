"""Task parsing: TOMG-Bench's own templates and short forms to a structured goal."""

import pytest

from discovery.home import data_folder
from molopt.edit.errors import TaskParseError
from molopt.edit.task import parse_task
from molopt.repo.edits import EditGoal

S = "Cc1noc(C)c1[C@@H](C)NS(=O)(=O)N(C)C"
DATA = data_folder() / "molopt"


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("increase QED", EditGoal("QED", direction=1)),
        ("decrease LogP", EditGoal("LogP", direction=-1)),
        ("lower MR", EditGoal("MR", direction=-1)),
        ("add hydroxyl", EditGoal("AddComponent", added="hydroxyl")),
        ("remove benzene_ring", EditGoal("DelComponent", removed="benzene ring")),
        ("replace halo with thiol", EditGoal("SubComponent", added="thiol", removed="halo")),
        (f"Modify the molecule {S} to increase its QED value.", EditGoal("QED", direction=1)),
        (
            f"Please optimize the molecule {S} to have a lower LogP value.",
            EditGoal("LogP", direction=-1),
        ),
        (f"Please add a amide to the molecule {S}.", EditGoal("AddComponent", added="amide")),
        (f"Modify the molecule {S} by removing a halo.", EditGoal("DelComponent", removed="halo")),
        (
            f"Modify the molecule {S} by replacing a halo by aldehyde.",
            EditGoal("SubComponent", added="aldehyde", removed="halo"),
        ),
        (
            f"Please substitute a nitrile in the molecule {S} with a halo.",
            EditGoal("SubComponent", added="halo", removed="nitrile"),
        ),
    ],
)
def test_templates_and_short_forms_give_the_goal(text, goal):
    assert parse_task(text, S) == goal
    assert parse_task(text) == goal


def test_free_text_gets_an_error_naming_the_forms_understood():
    with pytest.raises(TaskParseError, match="increase QED.*add hydroxyl.*TOMG-Bench"):
        parse_task("make it bluer")


def test_an_unknown_group_is_named_in_the_error():
    with pytest.raises(TaskParseError, match="unknown group 'carbene'"):
        parse_task("add carbene")


@pytest.mark.skipif(not DATA.is_dir(), reason="staged TOMG-Bench data not found")
@pytest.mark.parametrize(
    "task", ["QED", "LogP", "MR", "AddComponent", "DelComponent", "SubComponent"]
)
def test_every_tomg_test_instruction_parses_to_the_benchmark_goal(task):
    from molopt.repo.data import load_tomg_test

    for example in load_tomg_test(DATA, task):
        goal = parse_task(example.instruction, example.source)
        ref = example.goal
        names = [g.replace("_", " ") if g else g for g in (ref.added, ref.removed)]
        assert (goal.task, goal.direction, goal.added, goal.removed) == (
            ref.task,
            ref.direction,
            *names,
        )
