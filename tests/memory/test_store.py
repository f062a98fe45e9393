"""The memory bank: numbering, content addressing, queries, resume lookup."""

import pytest
from sqlalchemy.exc import IntegrityError

from memory import NewCandidate, RunNotFound, Store, candidate_hash
from tests.fixtures.postgres import fresh_database


def new(content: str, fitness: float | None, **extra) -> NewCandidate:
    return NewCandidate(
        hash=candidate_hash("text", content),
        representation="text",
        content=content,
        valid=fitness is not None,
        metrics={} if fitness is None else {"score": fitness},
        fitness=fitness,
        **extra,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """The same contract on every backend (SQLite file, real PostgreSQL server)."""
    if request.param == "sqlite":
        store = Store.at_home(tmp_path)
    else:
        store = Store(fresh_database(request.getfixturevalue("postgres_url")))
    yield store
    store.close()


def test_candidates_are_numbered_contiguously_across_writes(store):
    run = store.create_run("t", "key", {}, seed=0)
    store.add_candidates(run.id, [new("a", 1.0), new("b", None)])
    store.add_candidates(run.id, [new("c", 3.0)])
    assert [c.n for c in store.history(run.id)] == [1, 2, 3]
    assert store.get_run(run.id).evaluations == 3


def test_same_content_cannot_be_stored_twice_in_a_run(store):
    run = store.create_run("t", "key", {}, seed=0)
    store.add_candidates(run.id, [new("a", 1.0)])
    with pytest.raises(IntegrityError):
        store.add_candidates(run.id, [new("a", 2.0)])
    assert store.count(run.id) == 1


def test_same_content_may_appear_in_two_runs(store):
    first = store.create_run("t", "k1", {}, seed=0)
    second = store.create_run("t", "k2", {}, seed=0)
    store.add_candidates(first.id, [new("a", 1.0)])
    store.add_candidates(second.id, [new("a", 1.0)])
    assert store.count(first.id) == store.count(second.id) == 1


def test_top_and_best_rank_valid_candidates_by_fitness(store):
    run = store.create_run("t", "key", {}, seed=0)
    store.add_candidates(run.id, [new("a", 1.0), new("b", None), new("c", 3.0), new("d", 2.0)])
    assert [c.content for c in store.top(run.id, 2)] == ["c", "d"]
    assert store.best(run.id).content == "c"
    assert store.get_run(run.id).best_fitness == 3.0


def test_top_by_island(store):
    run = store.create_run("t", "key", {}, seed=0)
    store.add_candidates(run.id, [new("a", 1.0, island=0), new("b", 5.0, island=1)])
    assert [c.content for c in store.top(run.id, 5, island=0)] == ["a"]


def test_artifacts_are_kept_apart_and_returned(store):
    run = store.create_run("t", "key", {}, seed=0)
    store.add_candidates(run.id, [new("a", 1.0, artifacts={"radii": [0.1, 0.2]})])
    assert store.artifacts(run.id, candidate_hash("text", "a")) == {"radii": [0.1, 0.2]}


def test_engine_state_is_written_with_the_candidates(store):
    run = store.create_run("t", "key", {}, seed=0)
    store.add_candidates(
        run.id, [new("a", 1.0)], engine_state={"generation": 7}, elapsed_seconds=2.5
    )
    stored = store.get_run(run.id)
    assert stored.engine_state == {"generation": 7}
    assert stored.elapsed_seconds == 2.5


def test_unfinished_run_is_found_for_resume_finished_is_not(store):
    run = store.create_run("t", "key", {}, seed=0)
    assert store.resumable_run("key").id == run.id
    store.set_status(run.id, "finished")
    assert store.resumable_run("key") is None


def test_run_found_by_unique_prefix_and_unknown_run_is_clear(store):
    run = store.create_run("t", "key", {}, seed=0)
    assert store.get_run(run.id[:6]).id == run.id
    with pytest.raises(RunNotFound, match="no run 'zzz'"):
        store.get_run("zzz")


def test_store_survives_reopening(tmp_path):
    first = Store.at_home(tmp_path)
    run = first.create_run("t", "key", {}, seed=0)
    first.add_candidates(run.id, [new("a", 1.0)])
    first.close()
    again = Store.at_home(tmp_path)
    assert [c.content for c in again.history(run.id)] == ["a"]
