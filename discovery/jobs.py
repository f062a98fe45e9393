"""Jobs: tasks submitted to the daemon's queue, and the verbs that act on them.

`submit_job` validates the task (`load_task`) before anything is queued, so a malformed
submission is rejected with the task error and leaves no trace. A job owns one run from the
moment it is queued; `resolve_run` lets a job id stand wherever a run id does. The verbs
(`cancel_job`, `pause_job`, `resume_job`) only write the store: a running job gets a
request that the daemon carries out by stopping its process.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from discovery.errors import JobStateError
from discovery.spec import TaskSpec, load_task, stored_task
from memory import RunRecord, Store
from memory.jobs import FINAL_STATES, JobQueue, JobRecord

JOB_PREFIX = "job-"
LOGS_FOLDER = "logs"


def job_log_path(home: Path, job_id: str) -> Path:
    """Where a job's process writes its output: HOME/logs/JOB.log."""
    return home / LOGS_FOLDER / f"{job_id}.log"


def submit_job(
    store: Store,
    task_path: Path | str,
    *,
    priority: int = 0,
    name: str | None = None,
    seed: int = 0,
    evaluations: int | None = None,
    seconds: float | None = None,
) -> JobRecord:
    """Validate the task YAML at `task_path` and queue it; raises `TaskSpecError` if bad.

    `evaluations` and `seconds` override the YAML's budget for this job (checked against
    the same limits), so a short job needs no edited copy of the YAML.
    """
    spec = with_budget(load_task(task_path), evaluations, seconds)
    return queue_spec(store, spec, priority=priority, name=name, seed=seed)


def queue_spec(
    store: Store, spec: TaskSpec, *, priority: int = 0, name: str | None = None, seed: int = 0
) -> JobRecord:
    """Queue an already validated task as a new job bound to a run of its own."""
    run_fields = {
        "task_name": spec.name,
        "key": uuid.uuid4().hex,  # a job's run is its own: never resumed by `discover run`
        "spec": spec.model_dump(mode="json"),
        "seed": seed,
    }
    return JobQueue(store).submit(name or spec.name, str(spec.folder), run_fields, priority)


def with_budget(spec: TaskSpec, evaluations: int | None, seconds: float | None) -> TaskSpec:
    """The spec with its budget overridden where given (the job stores this spec)."""
    if evaluations is None and seconds is None:
        return spec
    budget = spec.budget_config(evaluations, seconds)
    chosen = spec.budget.model_copy(
        update={"evaluations": budget.evaluations, "wall_seconds": budget.wall_seconds}
    )
    return spec.model_copy(update={"budget": chosen})


def job_spec(store: Store, job: JobRecord) -> TaskSpec:
    """The task as validated at submission, with paths resolved against its folder."""
    return stored_task(store.get_run(job.run_id), job.folder)


def resolve_run(store: Store, ident: str) -> RunRecord:
    """The run named by a run id, a job id, or a unique prefix of either."""
    if ident.startswith(JOB_PREFIX):
        return store.get_run(JobQueue(store).get(ident).run_id)
    return store.get_run(ident)


def job_status(store: Store, job: JobRecord) -> dict[str, Any]:
    """The `discover status --json` shape: job, state, run, evaluations, best and more."""
    run = store.get_run(job.run_id)
    found = store.best(run.id)
    best = None
    if found is not None:
        best = {"metrics": found.metrics, "candidate": found.content, "n": found.n}
    spec = stored_task(run, job.folder)
    return {
        "job": job.id,
        "name": job.name,
        "state": job.state,
        "run": run.id,
        "evaluations": run.evaluations,
        "budget": spec.budget.evaluations,
        "best": best,
        "metric": spec.objective.metric,
        "priority": job.priority,
        "message": job.message or run.message,
        "attempts": job.attempts,
        "request": job.request,
        "created": job.created_at.isoformat(),
    }


def cancel_job(store: Store, ident: str) -> JobRecord:
    """Cancel a job: at once if it waits, else ask the daemon to stop its process."""
    queue = JobQueue(store)
    job = queue.get(ident)
    if queue.transition(job.id, ("queued", "paused"), state="cancelled", request=None):
        return queue.get(job.id)
    if queue.transition(job.id, ("running",), request="cancel"):
        return queue.get(job.id)
    raise JobStateError(f"job {job.id} is {queue.get(job.id).state}: nothing to cancel")


def pause_job(store: Store, ident: str) -> JobRecord:
    """Pause a job: a queued one waits until resumed; a running one is stopped, then waits."""
    queue = JobQueue(store)
    job = queue.get(ident)
    if queue.transition(job.id, ("queued",), state="paused"):
        return queue.get(job.id)
    if queue.transition(job.id, ("running",), request="pause"):
        return queue.get(job.id)
    state = queue.get(job.id).state
    raise JobStateError(f"job {job.id} is {state}: only queued or running jobs can be paused")


def resume_job(store: Store, ident: str) -> JobRecord:
    """Queue a paused job again (or withdraw a pause not yet carried out)."""
    queue = JobQueue(store)
    job = queue.get(ident)
    if queue.transition(job.id, ("paused",), state="queued"):
        return queue.get(job.id)
    current = queue.get(job.id)
    if current.state == "running" and current.request == "pause":
        queue.transition(job.id, ("running",), request=None)
        return queue.get(job.id)
    hint = " (see `discover run --resume RUN` to extend a finished run)"
    raise JobStateError(
        f"job {job.id} is {current.state}: only paused jobs can be resumed"
        + (hint if current.state in FINAL_STATES else "")
    )
