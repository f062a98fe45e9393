"""The daemon's HTTP API (FastAPI): the job verbs of the CLI, plus a small dashboard.

Routes (JSON unless said): ``GET /api/jobs``, ``POST /api/jobs`` {task, priority, name,
seed} -> {"job": ID}, ``GET /api/jobs/{job}`` (the `discover status --json` shape),
``POST /api/jobs/{job}/cancel|pause|resume``, ``GET /api/jobs/{job}/best``,
``GET /api/jobs/{job}/curve``, ``GET /api/jobs/{job}/learning`` (the test-time RL
curve, `discovery.learning_curve`), ``GET /api/jobs/{job}/logs?offset=N``,
``GET /api/jobs/{job}/top?k=5`` (the k best candidates) and ``GET /api/jobs/{job}/lineage``
(the best candidate's chain of parents), both with each candidate's pre-rendered, escaped
HTML (`discovery.depict`; the task's own drawing when it has a `render` function,
`discovery.render`), and ``GET /`` (an HTML page).

Trust: a submitted task path is read on the daemon's machine, only under the configured
task roots and with the sandbox on (`discovery.remote_tasks`); its errors never echo the
file. Every request's Host must name the bound address and every POST must be JSON with an
Authorization or ``X-Discovery-Client`` header (`discovery.api_guard`). When a token is
set, every ``/api`` request needs ``Authorization: Bearer TOKEN``; `ApiServer` refuses to
bind a non-loopback address without one.
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from discovery.api_config import HttpConfig
from discovery.api_guard import allowed_hosts, guard_requests, is_loopback
from discovery.dashboard import DASHBOARD_HTML
from discovery.depict import depict
from discovery.errors import DaemonError, JobStateError, TaskSpecError
from discovery.jobs import (
    cancel_job,
    job_log_path,
    job_spec,
    job_status,
    pause_job,
    queue_spec,
    resume_job,
)
from discovery.learning_curve import learning_curve
from discovery.lineage import lineage
from discovery.remote_tasks import RemoteTaskRefused, admit_remote_task, public_task_error
from discovery.render import Drawings
from discovery.report import best_curve, objective_of, proposer_figures
from discovery.spec import TaskSpec
from memory import CandidateRecord, Store
from memory.errors import JobNotFound
from memory.jobs import JobQueue, JobRecord

log = logging.getLogger(__name__)

LOG_CHUNK_BYTES = 64 * 1024
MAX_TOP = 50
DRAWN_PER_VIEW = 5  # each drawing runs the task's render in a sandbox (kept afterwards)
VERBS = {"cancel": cancel_job, "pause": pause_job, "resume": resume_job}


class Submission(BaseModel):
    """Body of ``POST /api/jobs``: a task YAML path under the daemon's task roots."""

    task: str
    priority: int = 0
    name: str | None = None
    seed: int = Field(default=0, ge=0)


def _authorizer(token: str | None) -> Any:
    def check(authorization: str | None = Header(default=None)) -> None:
        if token is None:
            return
        if authorization is None or not secrets.compare_digest(authorization, f"Bearer {token}"):
            raise HTTPException(401, "missing or wrong token: send 'Authorization: Bearer TOKEN'")

    return check


def candidate_view(record: CandidateRecord, drawing: str | None = None) -> dict[str, Any]:
    """A candidate for the page: identity, metrics and its HTML fragment (escaped; the task's
    own `drawing` as an image when given)."""
    return {
        "n": record.n,
        "hash": record.hash,
        "representation": record.representation,
        "proposer": record.proposer,
        "metrics": record.metrics,
        "parents": record.parents,
        "html": depict(record.representation, record.content, drawing),
    }


def drawable_spec(store: Store, job: JobRecord) -> TaskSpec | None:
    """The job's task when it has a `render` function (None otherwise, or if it no longer
    loads: the page then shows candidates as text)."""
    try:
        spec = job_spec(store, job)
    except TaskSpecError:
        return None
    return spec if spec.render is not None else None


def _job_routes(store: Store, home: Path, roots: tuple[Path, ...]) -> APIRouter:
    router = APIRouter()
    queue = JobQueue(store)
    drawings = Drawings()

    def views(job: JobRecord, candidates: list[CandidateRecord]) -> list[dict[str, Any]]:
        """Candidate views, the first `DRAWN_PER_VIEW` drawn by the task when it can draw."""
        spec = drawable_spec(store, job)
        return [
            candidate_view(
                candidate,
                drawings.svg(job.run_id, spec, candidate.content)
                if spec is not None and index < DRAWN_PER_VIEW
                else None,
            )
            for index, candidate in enumerate(candidates)
        ]

    def found(job: str) -> Any:
        try:
            return queue.get(job)
        except JobNotFound as error:
            raise HTTPException(404, str(error)) from None

    @router.get("/jobs")
    def list_jobs() -> list[dict[str, Any]]:
        return [job_status(store, job) for job in queue.list_jobs()]

    @router.post("/jobs", status_code=201)
    def submit(body: Submission) -> dict[str, str]:
        try:
            spec = admit_remote_task(body.task, roots)
        except RemoteTaskRefused as error:
            raise HTTPException(403, str(error)) from None
        except TaskSpecError as error:
            detail = f"task error: {public_task_error(str(error), body.task)}"
            raise HTTPException(400, detail) from None
        job = queue_spec(store, spec, priority=body.priority, name=body.name, seed=body.seed)
        return {"job": job.id}

    @router.get("/jobs/{job}")
    def status(job: str) -> dict[str, Any]:
        return job_status(store, found(job))

    @router.post("/jobs/{job}/{verb}")
    def act(job: str, verb: str) -> dict[str, Any]:
        if verb not in VERBS:
            raise HTTPException(404, f"unknown verb '{verb}'; use one of {', '.join(VERBS)}")
        try:
            return job_status(store, VERBS[verb](store, found(job).id))
        except JobStateError as error:
            raise HTTPException(409, str(error)) from None

    @router.get("/jobs/{job}/best")
    def best(job: str) -> dict[str, Any]:
        record = found(job)
        return {"job": record.id, "run": record.run_id, "best": job_status(store, record)["best"]}

    @router.get("/jobs/{job}/curve")
    def curve(job: str) -> dict[str, Any]:
        record = found(job)
        run = store.get_run(record.run_id)
        xs, ys = best_curve(run, store.history(record.run_id))
        objective = objective_of(run)
        return {
            "job": record.id,
            "curve": [list(point) for point in zip(xs, ys, strict=True)],
            "evaluations": run.evaluations,
            "metric": objective.metric,
            "direction": objective.direction,
        }

    @router.get("/jobs/{job}/learning")
    def learning(job: str) -> dict[str, Any]:
        record = found(job)
        run = store.get_run(record.run_id) if record.run_id else None
        return {"job": record.id, "curve": learning_curve(run)}

    @router.get("/jobs/{job}/top")
    def top(job: str, k: int = Query(default=5, ge=1, le=MAX_TOP)) -> dict[str, Any]:
        record = found(job)
        best = store.top(record.run_id, k)
        return {"job": record.id, "top": views(record, list(best))}

    @router.get("/jobs/{job}/lineage")
    def ancestry(job: str) -> dict[str, Any]:
        record = found(job)
        best = store.best(record.run_id)
        chain = lineage(store, record.run_id, best) if best is not None else []
        return {"job": record.id, "lineage": views(record, list(chain))}

    @router.get("/jobs/{job}/models")
    def models(job: str) -> dict[str, Any]:
        record = found(job)
        figures = proposer_figures(store.get_run(record.run_id))
        return {"job": record.id, **figures}

    @router.get("/jobs/{job}/logs")
    def logs(job: str, offset: int = 0) -> dict[str, Any]:
        path = job_log_path(home, found(job).id)
        if not path.is_file():
            return {"text": "", "offset": 0}
        with path.open("rb") as handle:
            handle.seek(max(0, offset))
            data = handle.read(LOG_CHUNK_BYTES)
        return {"text": data.decode(errors="replace"), "offset": max(0, offset) + len(data)}

    return router


def create_app(store: Store, home: Path, config: HttpConfig) -> FastAPI:
    """The FastAPI application over a store and home folder (tests use it directly).

    `config` gives the token, the task roots, and the bound host and port that every
    request's Host header must name.
    """
    app = FastAPI(title="discovery daemon", docs_url="/api/docs", openapi_url="/api/openapi.json")
    guard_requests(app, allowed_hosts(config.host, config.port))
    app.include_router(
        _job_routes(store, home, config.task_roots),
        prefix="/api",
        dependencies=[Depends(_authorizer(config.token))],
    )

    @app.get("/", response_class=HTMLResponse)
    def dashboard() -> str:
        return DASHBOARD_HTML

    return app


class ApiServer:
    """uvicorn serving `create_app` from a background thread of the daemon."""

    def __init__(self, store: Store, home: Path, config: HttpConfig) -> None:
        if not is_loopback(config.host) and not config.token:
            raise DaemonError(
                f"refusing to serve the API on {config.host} without a token; "
                "pass --token (or DISCOVERY_TOKEN) or bind 127.0.0.1"
            )
        self.socket = socket.create_server((config.host, config.port), reuse_port=False)
        host, port = self.socket.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        app = create_app(store, home, replace(config, port=port))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self) -> None:
        """Serve in the background."""
        self.thread.start()
        log.info("HTTP API on %s", self.url)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.socket.close()
