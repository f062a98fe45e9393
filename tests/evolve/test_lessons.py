"""Lessons memory: distilled from a run's history, stored with evidence, retrieved by
similarity, shared across runs of one domain, written by a (scripted) model, and shown to
the LLM proposer."""

import pytest

from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import write_task
from evolve.context import Member
from evolve.lessons import LessonMemory, LessonsConfig, LessonScope
from evolve.lessons_embedding import shipped_embedding
from evolve.testing import Reply, ScriptedServer
from memory import LessonBank, NewCandidate, NewLesson, Store, candidate_hash
from memory.store import sqlite_url
from tests.fixtures.program_tasks import write_near_pi_task

SEED = "def solve():\n    return 3.0\n"
LOOP = "def solve():\n    total = 0.0\n    for k in range(4):\n        total += 0.785\n    return total\n"
SQRT = "import math\n\ndef solve():\n    return math.sqrt(9.9)\n"


def program(text: str, fitness: float | None, parent: str | None, proposer: str) -> NewCandidate:
    return NewCandidate(
        hash=candidate_hash("program", text),
        representation="program",
        content=text,
        valid=fitness is not None,
        metrics={} if fitness is None else {"error": -fitness},
        fitness=fitness,
        parents=[candidate_hash("program", parent)] if parent else [],
        proposer=proposer,
    )


def history_with_two_operators(store: Store) -> str:
    """Loop-adding children improve on the seed; sqrt-calling children break or lose."""
    run = store.create_run("near-pi", "key", {}, seed=0)
    rows = [program(SEED, -0.14, None, "seed")]
    for k in range(4):
        child = LOOP.replace("0.785", f"0.78{5 + k}")
        rows.append(program(child, -0.14 + 0.1 + 0.001 * k, SEED, "crossover"))
    for k in range(4):
        child = SQRT.replace("9.9", f"9.{k}")
        rows.append(program(child, None if k < 2 else -0.5 - k, SEED, "mutation"))
    store.add_candidates(run.id, rows)
    return run.id


@pytest.fixture
def store(tmp_path):
    opened = Store(sqlite_url(tmp_path / "store.db"))
    yield opened
    opened.close()


def memory_of(store, run_id, domain="pi", **config):
    scope = LessonScope(domain, "near-pi", run_id, "program")
    return LessonMemory(store, scope, shipped_embedding(), LessonsConfig(**config))


def test_statistics_say_which_operators_and_changes_helped_with_their_evidence(store):
    run_id = history_with_two_operators(store)
    lessons = memory_of(store, run_id, min_support=3).distill()
    texts = {lesson.key: lesson.text for lesson in lessons}
    assert texts["stats:operator:crossover"].startswith("Proposals by `crossover` helped: 4 of 4")
    assert texts["stats:operator:mutation"].startswith("Proposals by `mutation` hurt: 0 of 4")
    assert "2 broke" in texts["stats:operator:mutation"]
    assert texts["stats:change:+For"].startswith("Adding a `For` node helped")
    crossover = next(item for item in lessons if item.key == "stats:operator:crossover")
    children = {r.hash for r in store.history(run_id) if r.proposer == "crossover"}
    assert set(crossover.evidence["children"]) == children
    assert crossover.evidence["gains"] == pytest.approx([0.103, 0.102, 0.101, 0.1])
    assert len(crossover.embedding) == shipped_embedding().dims


def test_lessons_are_kept_in_the_store_and_shared_by_the_domain_only(store):
    run_id = history_with_two_operators(store)
    memory_of(store, run_id).distill()
    later = store.create_run("other-pi-task", "key2", {}, seed=0)
    same_domain = memory_of(store, later.id)
    other_domain = memory_of(store, later.id, domain="chemistry")
    assert len(same_domain.lessons) == len(LessonBank(store).find(domain="pi")) > 0
    assert other_domain.lessons == []


def test_retrieval_prefers_lessons_drawn_from_similar_parents(store):
    run_id = history_with_two_operators(store)
    memory_of(store, run_id).distill()
    unrelated = "def dock(pose):\n    return pocket_energy(ligand_atoms, protein_atoms)\n"
    vector = shipped_embedding().embed(["Docking lesson.\n" + unrelated])[0]
    docking = NewLesson(
        "pi",
        "dock",
        "run-b",
        "k",
        "statistics",
        "Docking lesson.",
        99,
        1.0,
        embedding=[float(x) for x in vector],
    )
    LessonBank(store).save([docking])
    memory = memory_of(store, run_id, top=20)
    near_pi = memory.retrieve([member(SEED)])
    near_docking = memory.retrieve([member(unrelated)])
    assert near_docking[0] == "Docking lesson."
    assert near_pi.index("Docking lesson.") > 0  # more support, yet ranked after similar ones


def member(text):
    return Member(hash="x", content=text, fitness=0.0, metrics={}, valid=True)


def test_a_run_with_lessons_hands_them_to_the_proposer_and_distills_on_schedule(tmp_path):
    replies = [
        Reply(f"```python\ndef solve():\n    return {3.1 + k / 1000:.4f}\n```") for k in range(40)
    ]
    lesson_reply = Reply("Here you go:\n- Return more digits of pi.\n- Never import math.\nbye")
    with ScriptedServer(replies[:6] + [lesson_reply] + replies[6:]) as server:
        proposer = {
            "kind": "llm",
            "model": "m",
            "base_url": server.base_url,
            "max_retries": 0,
            "timeout_seconds": 5,
            "diff_ratio": 0.0,
        }
        path = write_near_pi_task(tmp_path / "task", proposer, 14, batch_size=2)
        text = path.read_text() + "domain: pi-digits\nlessons: {every: 6, top: 4, min_support: 2}\n"
        path.write_text(text)
        store = Store(sqlite_url(tmp_path / "store.db"))
        result = run_task(load_task(path), store, tmp_path / "results")
        prompts = [r["messages"][-1]["content"] for r in server.requests]
    lessons = LessonBank(store).find(domain="pi-digits")
    written = sorted(item.text for item in lessons if item.kind == "model")
    assert written == ["Never import math.", "Return more digits of pi."]
    assert all(item.run_id == result.run_id for item in lessons)
    assert any(item.kind == "statistics" for item in lessons)
    asked_for_lessons = [p for p in prompts if "# What the statistics of the run say" in p]
    assert len(asked_for_lessons) >= 1
    shown = [p for p in prompts if "# Lessons learned so far" in p]
    section = shown[-1].split("# Lessons learned so far")[1].split("# Your answer")[0]
    assert section.count("\n- ") == 4 and "- Return more digits of pi." in section
    assert "# Lessons learned so far" not in prompts[0]
    store.close()


def test_offline_runs_are_the_same_with_and_without_lessons(tmp_path):
    store = Store(sqlite_url(tmp_path / "store.db"))
    plain = write_task(tmp_path / "a", budget={"evaluations": 48}, evaluation={"sandbox": False})
    taught = write_task(
        tmp_path / "b",
        budget={"evaluations": 48},
        evaluation={"sandbox": False},
        lessons={"every": 16},
    )
    first = run_task(load_task(plain), store, tmp_path / "r")
    second = run_task(load_task(taught), store, tmp_path / "r")
    hashes = [[c.hash for c in store.history(r.run_id)] for r in (first, second)]
    assert hashes[0] == hashes[1]
    lessons = LessonBank(store).find(domain="sphere")
    assert lessons and all(item.run_id == second.run_id for item in lessons)
    assert any(item.key.startswith("stats:change:x[") for item in lessons)
    store.close()
