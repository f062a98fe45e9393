"""The evolution loop on small real tasks: improvement, determinism, resume, failures."""

import pytest

from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import SPHERE_EVALUATOR, VECTOR_EVOLUTION_ONLY, write_task
from evolve import SeedFailed
from memory import Store

FAST = {"evaluation": {"sandbox": False}}


def history(store: Store, run_id: str):
    return list(store.history(run_id))


def run(tmp_path, task_path, **options):
    store = Store.at_home(tmp_path / "home")
    result = run_task(load_task(task_path), store, tmp_path / "results", **options)
    return store, result


def test_run_reaches_the_optimum_of_a_sphere_in_48_evaluations(tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 48}, **FAST)
    store, result = run(tmp_path, task)
    scores = [c.metrics["score"] for c in history(store, result.run_id) if c.valid]
    assert result.status == "finished"
    assert result.evaluations == 48
    assert max(scores) > -1e-10  # the optimum is 0; refinements of random starts reach it


def test_run_improves_on_a_sphere_by_evolution_alone(tmp_path):
    task = write_task(
        tmp_path / "task", budget={"evaluations": 200}, proposer=VECTOR_EVOLUTION_ONLY, **FAST
    )
    store, result = run(tmp_path, task)
    records = history(store, result.run_id)
    scores = [c.metrics["score"] for c in records if c.valid]
    assert result.status == "finished"
    assert result.evaluations == 200
    assert -max(scores) < -max(scores[:8]) / 10  # the distance to the optimum shrinks tenfold
    assert all(c.inner_calls == 0 for c in records)  # no refinement ran


def test_history_is_contiguous_and_unique(tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 60}, **FAST)
    store, result = run(tmp_path, task)
    records = history(store, result.run_id)
    assert [c.n for c in records] == list(range(1, 61))
    assert len({c.hash for c in records}) == 60


def test_same_seed_gives_the_same_history(tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 50}, **FAST)
    store, first = run(tmp_path, task, seed=5)
    _, second = run(tmp_path, task, seed=5, fresh=True)
    assert first.run_id != second.run_id
    assert [c.hash for c in history(store, first.run_id)] == [
        c.hash for c in history(store, second.run_id)
    ]


def test_different_seeds_explore_differently(tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 20}, **FAST)
    store, first = run(tmp_path, task, seed=1)
    _, second = run(tmp_path, task, seed=2)
    assert history(store, first.run_id)[0].hash != history(store, second.run_id)[0].hash


def test_a_larger_budget_resumes_the_same_run_without_repeats(tmp_path):
    task = write_task(tmp_path / "task", budget={"evaluations": 30}, **FAST)
    store, first = run(tmp_path, task)
    _, second = run(tmp_path, task, resume=first.run_id, evaluations=70)
    records = history(store, first.run_id)
    assert second.run_id == first.run_id
    assert [c.n for c in records] == list(range(1, 71))
    assert len({c.hash for c in records}) == 70


def test_raising_evaluator_marks_candidates_invalid_and_the_run_goes_on(tmp_path):
    source = """
    def evaluate(candidate):
        if candidate[0] > 0.5:
            raise ValueError("first coordinate too large")
        return {"score": -sum(candidate)}
    """
    # without refinements proposals go where CMA-ES samples, so they meet the bad region
    task = write_task(
        tmp_path / "task",
        source=source,
        objective={"metric": "score"},
        proposer=VECTOR_EVOLUTION_ONLY,
    )
    store, result = run(tmp_path, task)
    records = history(store, result.run_id)
    invalid = [c for c in records if not c.valid]
    assert result.evaluations == 40
    assert invalid and all("first coordinate too large" in c.error for c in invalid)
    assert any(c.valid for c in records)


def test_missing_objective_metric_is_a_clear_error(tmp_path):
    source = "def evaluate(candidate):\n    return {'other': 1.0}\n"
    task = write_task(tmp_path / "task", source=source, seed=[0.1, 0.2, 0.3, 0.4], **FAST)
    with pytest.raises(SeedFailed, match="'score' is not returned.*it returned: other"):
        run(tmp_path, task)


def test_a_verdict_without_the_objective_is_invalid_not_a_crash(tmp_path):
    source = """
    def evaluate(candidate):
        return {"score": 1.0} if candidate[0] < 0.5 else {"other": 1.0}
    """
    # without refinements proposals go where CMA-ES samples, so they meet the bad region
    task = write_task(
        tmp_path / "task",
        source=source,
        objective={"metric": "score"},
        proposer=VECTOR_EVOLUTION_ONLY,
    )
    store, result = run(tmp_path, task)
    records = history(store, result.run_id)
    missing = [c for c in records if "objective metric 'score' is not returned" in c.error]
    assert result.evaluations == 40
    assert missing and not any(c.valid for c in missing)
    assert any(c.valid for c in records)


def test_seed_that_fails_verification_is_a_clear_error(tmp_path):
    source = "def evaluate(candidate):\n    raise RuntimeError('bad seed')\n"
    task = write_task(tmp_path / "task", source=source, seed=[0.1, 0.2, 0.3, 0.4], **FAST)
    with pytest.raises(SeedFailed, match="bad seed"):
        run(tmp_path, task)


def test_map_elites_cells_are_recorded(tmp_path):
    engine = {
        "islands": 2,
        "batch_size": 4,
        "map_elites": {"metrics": ["distance"], "ranges": {"distance": [0, 1]}, "bins": 4},
    }
    task = write_task(tmp_path / "task", engine=engine, **FAST)
    store, result = run(tmp_path, task)
    cells = {c.cell for c in history(store, result.run_id) if c.valid}
    assert cells and all(c is not None and 0 <= int(c) < 4 for c in cells)


class CrashingPool:
    """An in-process pool that dies in the middle of its `crash_at`-th batch: SystemExit
    stands for kill -9 (nothing runs after it), KeyboardInterrupt for Ctrl-C."""

    def __init__(self, crash_at: int, error: type[BaseException] = SystemExit) -> None:
        from science import InProcessPool

        self.inner = InProcessPool()
        self.calls = 0
        self.crash_at = crash_at
        self.error = error

    def evaluate(self, jobs):
        self.calls += 1
        if self.calls == self.crash_at:
            raise self.error("stopped mid-generation")
        return self.inner.evaluate(jobs)

    def close(self):
        self.inner.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


POLISHING_SPHERE = """
def evaluate(candidate, target=0.3):
    polished = [x + 0.5 * (target - x) for x in candidate]
    distance = sum((x - target) ** 2 for x in polished)
    return {"score": -distance, "artifacts": {"polished": polished}}
"""


@pytest.mark.parametrize(
    ("crash_at", "source"),
    [(3, SPHERE_EVALUATOR), (8, SPHERE_EVALUATOR), (12, SPHERE_EVALUATOR), (8, POLISHING_SPHERE)],
    ids=["early", "middle", "late", "lamarckian"],
)
def test_a_run_killed_mid_generation_resumes_exactly_as_if_never_killed(tmp_path, crash_at, source):
    from evolve import Evolution
    from evolve.proposers import make_proposer

    task = write_task(
        tmp_path / "task",
        source=source,
        budget={"evaluations": 80},
        engine={"islands": 3, "batch_size": 4, "migration_interval": 2},
        **FAST,
    )
    spec = load_task(task)
    store = Store.at_home(tmp_path / "home")

    def evolution(run_id, pool):
        problem = spec.problem()
        return Evolution(
            problem,
            spec.evaluation_setup(),
            make_proposer(problem),
            pool,
            store,
            run_id,
            config=spec.engine_config(),
            budget=spec.budget_config(),
            seed=4,
        )

    whole = store.create_run("sphere", "a", {}, 4).id
    evolution(whole, CrashingPool(crash_at=10**9)).run()
    killed = store.create_run("sphere", "b", {}, 4).id
    with pytest.raises(SystemExit):
        evolution(killed, CrashingPool(crash_at)).run()
    evolution(killed, CrashingPool(crash_at=10**9)).run()
    assert [c.hash for c in history(store, killed)] == [c.hash for c in history(store, whole)]


def test_ctrl_c_mid_generation_then_resume_matches_an_uninterrupted_run(tmp_path, monkeypatch):
    """The half-done generation Ctrl-C interrupts must leave no trace in the stored state."""
    import discovery.runner

    task = write_task(tmp_path / "task", budget={"evaluations": 60}, **FAST)
    _, whole = run(tmp_path / "a", task, seed=2)
    store_a = Store.at_home(tmp_path / "a" / "home")

    interrupting = CrashingPool(crash_at=5, error=KeyboardInterrupt)
    monkeypatch.setattr(discovery.runner, "make_pool", lambda *args: interrupting)
    store, stopped = run(tmp_path / "b", task, seed=2)
    assert stopped.status == "stopped"
    monkeypatch.undo()
    _, resumed = run(tmp_path / "b", task, seed=2)
    assert resumed.run_id == stopped.run_id
    assert [c.hash for c in history(store, resumed.run_id)] == [
        c.hash for c in history(store_a, whole.run_id)
    ]
