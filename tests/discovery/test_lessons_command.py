"""`discover lessons list|show|export|delete` on a store holding real distilled lessons."""

import json

import pytest
from typer.testing import CliRunner

from discovery.cli import app
from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from memory import LessonNotFound, Store


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lessons")
    task = write_task(
        folder / "task",
        budget={"evaluations": 40},
        evaluation={"sandbox": False},
        domain="toy-spheres",
        lessons={"every": 20, "min_support": 2},
    )
    store = Store.at_home(folder / "home")
    run_task(load_task(task), store, folder / "results")
    store.close()
    return folder / "home"


def discover(home, *args):
    result = CliRunner().invoke(app, [*args, "--home", str(home)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_list_and_show_give_the_lessons_with_their_evidence(home):
    listed = json.loads(discover(home, "lessons", "list", "--json").stdout)
    assert listed and {item["domain"] for item in listed} == {"toy-spheres"}
    assert all("embedding" not in item for item in listed)
    shown = json.loads(discover(home, "lessons", "show", str(listed[0]["id"]), "--json").stdout)
    assert shown["text"] == listed[0]["text"] and shown["evidence"]["children"]
    table = discover(home, "lessons", "list", "--domain", "toy-spheres").stdout
    assert listed[0]["text"][:40] in table


def test_export_writes_one_lesson_per_line_with_its_embedding(home, tmp_path):
    out = tmp_path / "lessons.jsonl"
    report = json.loads(discover(home, "lessons", "export", str(out), "--json").stdout)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert report["exported"] == len(lines) > 0
    assert all(len(item["embedding"]) == 64 for item in lines)


def test_delete_removes_lessons_and_an_unknown_id_removes_none(home):
    ids = [item["id"] for item in json.loads(discover(home, "lessons", "list", "--json").stdout)]
    with pytest.raises(LessonNotFound):
        discover(home, "lessons", "delete", str(ids[0]), "999999")
    assert json.loads(discover(home, "lessons", "delete", str(ids[0]), "--json").stdout) == {
        "deleted": 1
    }
    left = [item["id"] for item in json.loads(discover(home, "lessons", "list", "--json").stdout)]
    assert left == ids[1:]
