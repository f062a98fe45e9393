"""`discover daemon` and the job verbs: submit, jobs, status, logs, cancel, pause, resume.

Each verb parses, calls one function of `discovery.jobs` (or the `Daemon`), and prints;
with `--json` it prints one JSON object (a list for `jobs`). `discover resume JOB` queues a
paused job again; it is not `discover run --resume RUN`, which extends a run in the
foreground.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from discovery.api_config import HttpConfig
from discovery.commands.options import DbOption, HomeOption, JsonOption, open_home_store
from discovery.daemon import Daemon, DaemonConfig
from discovery.errors import DaemonError
from discovery.home import RAY_ENV
from discovery.jobs import (
    cancel_job,
    job_log_path,
    job_status,
    pause_job,
    resume_job,
    submit_job,
)
from discovery.launcher import DB_ENV, TOKEN_ENV
from discovery.remote_tasks import default_task_roots
from memory.jobs import JobQueue

FOLLOW_POLL_SECONDS = 0.5
LIVE_STATES = ("queued", "running")

app = typer.Typer()

JobArgument = Annotated[str, typer.Argument(metavar="JOB", help="Job id (or unique prefix)")]


def read_secret_file(path: Path) -> str:
    """The stripped text of a file only its owner may read; `DaemonError` otherwise."""
    try:
        mode = path.stat().st_mode
        text = path.read_text().strip()
    except OSError as error:
        raise DaemonError(f"cannot read secret file {path}: {error.strerror}") from None
    if mode & 0o077:
        raise DaemonError(
            f"secret file {path} is readable by others (mode {mode & 0o777:o}); chmod 600 it"
        )
    return text


def secret_setting(path: Path | None, variable: str) -> str | None:
    """A secret from its file when given, else from the environment variable, else None."""
    if path is not None:
        return read_secret_file(path)
    return os.environ.get(variable) or None


@app.command()
def daemon(
    max_jobs: Annotated[
        int | None, typer.Option(help="Jobs running at once (default: cores / cpus-per-job)")
    ] = None,
    cpus_per_job: Annotated[int, typer.Option(help="Concurrent evaluations per job")] = 1,
    max_attempts: Annotated[
        int, typer.Option(help="Start a job this often before a dying process fails it")
    ] = DaemonConfig.max_attempts,
    host: Annotated[str, typer.Option(help="Address of the HTTP API")] = HttpConfig.host,
    port: Annotated[int, typer.Option(help="Port of the HTTP API (0: any free port)")] = (
        HttpConfig.port
    ),
    http: Annotated[bool, typer.Option(help="Serve the HTTP API")] = True,
    ray_address: Annotated[
        str | None,
        typer.Option(help=f"Run every job's evaluations on this Ray cluster (env {RAY_ENV})"),
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option(
            help=f"File (mode 0600) holding the API token, required off loopback (or env {TOKEN_ENV})"
        ),
    ] = None,
    task_root: Annotated[
        list[Path] | None,
        typer.Option(
            help="Folder whose task YAMLs may be submitted over HTTP; repeatable "
            "(default: HOME/tasks and the built-in task library)"
        ),
    ] = None,
    home: HomeOption = None,
    db: DbOption = None,
    db_file: Annotated[
        Path | None,
        typer.Option(
            help=f"File (mode 0600) holding the store URL, instead of --db (or env {DB_ENV})"
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Serve the job queue in the foreground until SIGTERM or Ctrl-C (running jobs drain).

    Secrets (the API token, a store URL with a password) come from a 0600 file or the
    environment, never the command line, which every local process can read.
    """
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    if ray_address:
        os.environ[RAY_ENV] = ray_address  # job processes inherit it; see discovery.runner
    db_url = db or secret_setting(db_file, DB_ENV)
    store, folder = open_home_store(home, db_url)
    web = None
    if http:
        roots = tuple(root.expanduser().resolve() for root in task_root or ())
        token = secret_setting(token_file, TOKEN_ENV)
        web = HttpConfig(host, port, token, roots or default_task_roots(folder))
    config = DaemonConfig(
        home=folder,
        db_url=store.url,
        cpus_per_job=cpus_per_job,
        max_jobs=max_jobs,
        max_attempts=max_attempts,
        http=web,
    )

    def ready(info: dict[str, Any]) -> None:
        text = json.dumps(info) if json_output else f"daemon {info['pid']} ready; API {info['url']}"
        print(text, flush=True)

    Daemon(config).serve(on_ready=ready)


@app.command()
def submit(
    task: Annotated[str, typer.Argument(help="Task YAML (or a folder holding task.yaml)")],
    priority: Annotated[int, typer.Option(help="Higher runs first")] = 0,
    name: Annotated[str | None, typer.Option(help="Job name [the task's name]")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the job's run")] = 0,
    evaluations: Annotated[
        int | None, typer.Option(help="Override the task's budget.evaluations")
    ] = None,
    seconds: Annotated[
        float | None, typer.Option(help="Override the task's budget.wall_seconds")
    ] = None,
    home: HomeOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Validate a task and queue it for the daemon; prints the job id."""
    store, _ = open_home_store(home, db)
    job = submit_job(
        store,
        task,
        priority=priority,
        name=name,
        seed=seed,
        evaluations=evaluations,
        seconds=seconds,
    )
    print(json.dumps({"job": job.id}) if json_output else job.id)


@app.command()
def jobs(home: HomeOption = None, db: DbOption = None, json_output: JsonOption = False) -> None:
    """List jobs, oldest first, with state and progress."""
    store, _ = open_home_store(home, db)
    rows = [job_status(store, job) for job in JobQueue(store).list_jobs()]
    if json_output:
        print(json.dumps(rows))
        return
    print(f"{'job':<14}{'name':<28}{'state':<11}{'evals':>12}{'best':>14}  run")
    for row in rows:
        evals = f"{row['evaluations']}/{row['budget'] or '-'}"
        best = row["best"]["metrics"].get(row["metric"]) if row["best"] else None
        shown = f"{best:.6g}" if isinstance(best, int | float) else "-"
        print(
            f"{row['job']:<14}{row['name'][:27]:<28}{row['state']:<11}{evals:>12}{shown:>14}"
            f"  {row['run']}"
        )


def _print_status(row: dict[str, Any], json_output: bool) -> None:
    if json_output:
        print(json.dumps(row))
        return
    print(f"job {row['job']} ({row['name']}): {row['state']}, run {row['run']}")
    print(f"evaluations {row['evaluations']}/{row['budget'] or '-'}")
    if row["best"] is not None:
        print(f"best {row['metric']} = {row['best']['metrics'].get(row['metric'])!r}")
    if row["message"]:
        print(row["message"])


@app.command()
def status(
    job: JobArgument, home: HomeOption = None, db: DbOption = None, json_output: JsonOption = False
) -> None:
    """Show a job's state, run, evaluations and best candidate."""
    store, _ = open_home_store(home, db)
    _print_status(job_status(store, JobQueue(store).get(job)), json_output)


@app.command()
def cancel(
    job: JobArgument, home: HomeOption = None, db: DbOption = None, json_output: JsonOption = False
) -> None:
    """Cancel a job (a running one stops after its current generation)."""
    store, _ = open_home_store(home, db)
    _print_status(job_status(store, cancel_job(store, job)), json_output)


@app.command()
def pause(
    job: JobArgument, home: HomeOption = None, db: DbOption = None, json_output: JsonOption = False
) -> None:
    """Pause a job until `discover resume JOB` (a running one stops after its generation)."""
    store, _ = open_home_store(home, db)
    _print_status(job_status(store, pause_job(store, job)), json_output)


@app.command()
def resume(
    job: JobArgument, home: HomeOption = None, db: DbOption = None, json_output: JsonOption = False
) -> None:
    """Queue a paused job again (distinct from `discover run --resume RUN`)."""
    store, _ = open_home_store(home, db)
    _print_status(job_status(store, resume_job(store, job)), json_output)


def _read_from(path: Path, offset: int) -> bytes:
    if not path.is_file():
        return b""
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read()


@app.command()
def logs(
    job: JobArgument,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing until it ends")] = (
        False
    ),
    home: HomeOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Print a job's log (its process output, every attempt); --follow until it stops."""
    store, folder = open_home_store(home, db)
    queue = JobQueue(store)
    record = queue.get(job)
    path = job_log_path(folder, record.id)
    offset = 0
    chunks = []
    while True:
        data = _read_from(path, offset)
        offset += len(data)
        text = data.decode(errors="replace")
        if json_output:
            chunks.append(text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        if not follow or (queue.get(record.id).state not in LIVE_STATES and not data):
            break
        time.sleep(FOLLOW_POLL_SECONDS)
    if json_output:
        print(json.dumps({"job": record.id, "log": "".join(chunks)}))
