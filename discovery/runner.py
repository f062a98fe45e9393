"""Run a task in the foreground: the library function behind `discover run`.

The same task YAML with the same seed resumes its unfinished run from the store (nothing
lost, nothing evaluated twice); once that run has finished, the same command shows its
result, or continues it if the budget has since grown. `fresh=True` starts a new run;
`resume=RUN_ID` continues a given run, finished or not (with a larger budget, say).
A run that ends without a single valid candidate has failed, with the first error shown.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discovery.home import RAY_ENV
from discovery.render import try_render
from discovery.report import is_pmo_run, pmo_figures, write_results
from discovery.spec import TaskSpec
from evolve import Budget, Evolution, Progress
from evolve.lessons import LessonMemory, LessonScope, writer_of
from evolve.lessons_embedding import shipped_embedding
from evolve.proposers import make_proposer
from memory import RunRecord, Store
from science import VerifierPool, make_pool

RESUME_HINT = "run the same command to resume"


class Terminated(KeyboardInterrupt):
    """A stop signal (SIGTERM) arrived: the run stops as on Ctrl-C, and says which signal."""


def stop_on_sigterm() -> None:
    """Make SIGTERM stop a foreground run cleanly, reported as such (not as Ctrl-C)."""

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, handler)


@dataclass(frozen=True)
class RunResult:
    """What a run left: ids, status, budget use, the best candidate and the results folder."""

    run_id: str
    status: str
    message: str
    evaluations: int
    best_metrics: dict[str, float] | None
    best_candidate: str | None
    results: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stable `--json` shape: run, status, evaluations, best {metrics, candidate},
        results, message, and `pmo` {auc_top10, top1, top10, calls} for a PMO task."""
        best = None
        if self.best_metrics is not None:
            best = {"metrics": self.best_metrics, "candidate": self.best_candidate}
        return {
            "run": self.run_id,
            "status": self.status,
            "evaluations": self.evaluations,
            "best": best,
            "results": str(self.results),
            "message": self.message,
        } | self.extra


def choose_run(store: Store, spec: TaskSpec, seed: int, resume: str | None, fresh: bool) -> str:
    """The run id to work on: the one asked for, else this task's unfinished run, else its
    finished one (shown or continued), else a new one."""
    if resume:
        return store.get_run(resume).id
    key = spec.key(seed)
    if not fresh:
        found = store.resumable_run(key) or finished_run(store, key)
        if found is not None:
            return found.id
    spec_json = spec.model_dump(mode="json")
    return store.create_run(spec.name, key, spec_json, seed).id


def finished_run(store: Store, key: str) -> RunRecord | None:
    """The newest finished run of this task and seed (`key`), if any."""
    done = [r for r in store.list_runs() if r.key == key and r.status == "finished"]
    return max(done, key=lambda r: r.created_at, default=None)


def is_spent(run: RunRecord, budget: Budget) -> bool:
    """Whether `run` has nothing left to do under `budget`."""
    return budget.exhausted(run.evaluations, run.elapsed_seconds)


def first_failure(store: Store, run_id: str) -> str:
    """The error (or feedback) of the run's first invalid candidate."""
    for record in store.history(run_id):
        if not record.valid and (record.error or record.feedback):
            return (record.error or record.feedback).strip().splitlines()[-1]
    return "no candidate was evaluated"


def failed_if_nothing_valid(
    store: Store, run_id: str, status: str, message: str
) -> tuple[str, str]:
    """A run that finished without one valid candidate failed: say so, with the first error."""
    if status != "finished" or store.best(run_id) is not None:
        return status, message
    count = store.get_run(run_id).evaluations
    return "failed", (
        f"no valid candidate in {count} evaluations; the first error: {first_failure(store, run_id)}"
    )


def stop_message(stop: KeyboardInterrupt) -> str:
    """How a stop by signal is reported."""
    if isinstance(stop, Terminated):
        return f"terminated ({stop.args[0] if stop.args else 'SIGTERM'}); {RESUME_HINT}"
    return f"interrupted (Ctrl-C); {RESUME_HINT}"


def result_of(store: Store, run_id: str, folder: Path, status: str, message: str) -> RunResult:
    """The `RunResult` of a run as the store holds it (PMO figures under `extra["pmo"]`)."""
    best = store.best(run_id)
    run = store.get_run(run_id)
    pmo = pmo_figures(run, store.history(run_id)) if is_pmo_run(run) else None
    return RunResult(
        run_id=run_id,
        status=status,
        message=message,
        evaluations=run.evaluations,
        best_metrics=best.metrics if best else None,
        best_candidate=best.content if best else None,
        results=folder,
        extra={"pmo": pmo} if pmo else {},
    )


def draw_best(spec: TaskSpec, pool: VerifierPool, store: Store, run_id: str) -> str | None:
    """The task's drawing of the run's best candidate (None: no `render`, no best, or it failed;
    a failure is logged and never fails the run)."""
    best = store.best(run_id) if spec.render is not None else None
    return try_render(spec, pool, best.content) if best is not None else None


def lesson_memory(
    spec: TaskSpec, store: Store, run_id: str, proposer: object
) -> LessonMemory | None:
    """The run's lessons memory when the task asks for one (`lessons:`), else None."""
    config = spec.lessons_config()
    if config is None:
        return None
    scope = LessonScope(spec.lesson_domain, spec.name, run_id, spec.representation)
    return LessonMemory(store, scope, shipped_embedding(), config, writer_of(proposer))


def run_task(
    spec: TaskSpec,
    store: Store,
    results_root: Path,
    *,
    evaluations: int | None = None,
    seconds: float | None = None,
    seed: int = 0,
    out: Path | None = None,
    resume: str | None = None,
    fresh: bool = False,
    ray_address: str | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_start: Callable[[Evolution], None] | None = None,
) -> RunResult:
    """Run (or resume) `spec` until its budget is spent, a stop is asked, or Ctrl-C.

    With `ray_address` ("auto", "host:port" or "local"; default: env DISCOVERY_RAY_ADDRESS)
    evaluations run as Ray tasks.
    """
    ray_address = ray_address or os.environ.get(RAY_ENV)
    run_id = choose_run(store, spec, seed, resume, fresh)
    run = store.get_run(run_id)
    folder = out or results_root / run_id
    budget = spec.budget_config(evaluations, seconds)
    if run.status == "finished" and not resume and is_spent(run, budget):
        if not folder.is_dir():
            write_results(store, run_id, folder)
        message = (
            f"done earlier: {run.message or 'budget spent'}; shown again, nothing evaluated. "
            "--fresh starts a new run; a larger --evaluations or --seconds continues this one"
        )
        return result_of(store, run_id, folder, "finished", message)
    evaluation = spec.evaluation_setup()
    problem = spec.problem()
    proposer = make_proposer(problem, spec.proposer.kind, **spec.proposer.options)
    store.set_status(run_id, "running")
    status, message = "failed", ""
    pool = make_pool(
        spec.evaluation.sandbox, spec.evaluation.workers, ray_address, spec.evaluation.num_gpus
    )
    with pool:
        evolution = Evolution(
            problem,
            evaluation,
            proposer,
            pool,
            store,
            run_id,
            config=spec.engine_config(),
            budget=budget,
            seed=run.seed,
            seeds=spec.seed_candidates(),
            on_progress=on_progress,
            lessons=lesson_memory(spec, store, run_id, proposer),
        )
        if on_start is not None:
            on_start(evolution)
        try:
            outcome = evolution.run()
            status, message = failed_if_nothing_valid(
                store, run_id, outcome.status, outcome.message
            )
        except KeyboardInterrupt as stop:
            status, message = "stopped", stop_message(stop)
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            raise
        finally:
            # No state save here: the loop stores it with every generation, and the state
            # of a generation that Ctrl-C cut short must not be kept (resume stays exact).
            store.set_status(run_id, status, message)
            write_results(store, run_id, folder, draw_best(spec, pool, store, run_id))
    return result_of(store, run_id, folder, status, message)
