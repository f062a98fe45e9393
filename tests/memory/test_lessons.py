"""The lesson bank: saved once per (domain, run, key), found by domain or task, deleted by id."""

import pytest

from memory import LessonBank, LessonNotFound, NewLesson, Store
from memory.store import sqlite_url


def lesson(key: str, domain: str = "packing", run_id: str = "r1", text: str = "t") -> NewLesson:
    return NewLesson(
        domain=domain,
        task_name=f"{domain}-task",
        run_id=run_id,
        key=key,
        kind="statistics",
        text=text,
        support=4,
        mean_delta=0.5,
        evidence={"children": ["a", "b"], "gains": [1.0, 0.0]},
        embedding=[0.6, 0.8],
    )


@pytest.fixture
def bank(tmp_path):
    store = Store(sqlite_url(tmp_path / "store.db"))
    yield LessonBank(store)
    store.close()


def test_saving_the_same_key_again_updates_the_lesson(bank):
    bank.save([lesson("operator:mutation", text="old")])
    bank.save([lesson("operator:mutation", text="new"), lesson("operator:crossover")])
    found = bank.find(domain="packing")
    assert sorted(item.text for item in found) == ["new", "t"]
    assert found[0].evidence["children"] == ["a", "b"] and found[0].embedding == [0.6, 0.8]


def test_lessons_are_found_by_domain_and_task(bank):
    bank.save([lesson("k", domain="packing"), lesson("k", domain="chem", run_id="r2")])
    assert [item.domain for item in bank.find(domain="chem")] == ["chem"]
    assert [item.task_name for item in bank.find(task_name="packing-task")] == ["packing-task"]
    assert len(bank.find()) == 2


def test_delete_with_an_unknown_id_deletes_nothing(bank):
    bank.save([lesson("a"), lesson("b")])
    ids = [item.id for item in bank.find()]
    with pytest.raises(LessonNotFound, match="nothing deleted"):
        bank.delete([ids[0], 999])
    assert len(bank.find()) == 2
    assert bank.delete([ids[0]]) == 1
    assert [item.id for item in bank.find()] == [ids[1]]
    with pytest.raises(LessonNotFound, match="discover lessons list"):
        bank.get(ids[0])
