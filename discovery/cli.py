"""The `discover` command line: run tasks and look at their results.

Each command parses its options, calls one library function and prints. Our own errors
become one clear line on stderr and a non-zero exit (2 for a bad task file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from discovery.commands.daemon import app as daemon_app
from discovery.commands.dock import app as dock_app
from discovery.commands.lessons import app as lessons_app
from discovery.commands.molopt import app as molopt_app
from discovery.commands.options import DbOption, HomeOption, JsonOption, open_home_store
from discovery.errors import DiscoveryError, TaskSpecError
from discovery.jobs import resolve_run
from discovery.learning_curve import curve_lines, learning_curve
from discovery.progress import ProgressBar
from discovery.report import (
    BEST_FILENAMES,
    best_value,
    objective_of,
    proposer_figures,
    write_history_csv,
    write_history_jsonl,
)
from discovery.runner import RunResult, run_task, stop_on_sigterm
from discovery.spec import load_task
from evolve import EvolveError
from memory import StoreError
from science import ScienceError

app = typer.Typer(
    name="discover",
    help="Self-evolving scientific discovery: propose -> verify -> remember.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(daemon_app)
app.add_typer(dock_app, name="dock")
app.add_typer(molopt_app, name="molopt")
app.add_typer(lessons_app, name="lessons")


@app.command()
def run(
    task: Annotated[Path, typer.Argument(help="Task YAML (or a folder holding task.yaml)")],
    evaluations: Annotated[int | None, typer.Option(help="Override budget.evaluations")] = None,
    seconds: Annotated[float | None, typer.Option(help="Override budget.wall_seconds")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (runs are deterministic given it)")] = 0,
    out: Annotated[Path | None, typer.Option(help="Results folder [HOME/results/RUN]")] = None,
    resume: Annotated[str | None, typer.Option(help="Continue this run id")] = None,
    fresh: Annotated[bool, typer.Option(help="Start a new run even if one can be resumed")] = False,
    ray_address: Annotated[
        str | None,
        typer.Option(help="Evaluate as Ray tasks: 'auto', 'host:port', or 'local' to start one"),
    ] = None,
    home: HomeOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run one task in the foreground until its budget is spent (Ctrl-C stops cleanly).

    The same command resumes an unfinished run, and shows a finished one."""
    stop_on_sigterm()  # `kill` stops cleanly too, reported as terminated
    spec = load_task(task)
    store, folder = open_home_store(home, db)
    bar = ProgressBar(enabled=sys.stderr.isatty() or not json_output)
    try:
        result = run_task(
            spec,
            store,
            folder / "results",
            evaluations=evaluations,
            seconds=seconds,
            seed=seed,
            out=out,
            resume=resume,
            fresh=fresh,
            ray_address=ray_address,
            on_progress=bar,
            on_start=bar.start,
        )
    finally:
        bar.close()
    print_result(result, spec.objective.metric, json_output)
    if result.status == "failed":
        raise typer.Exit(1)


def print_result(result: RunResult, metric: str, json_output: bool) -> None:
    """The end of `discover run`: one JSON line, or status, best value and results folder."""
    if json_output:
        print(json.dumps(result.to_json()))
        return
    print(
        f"run {result.run_id}: {result.status} ({result.message}), {result.evaluations} evaluations"
    )
    if result.best_metrics is not None:
        print(f"best {metric} = {result.best_metrics.get(metric)!r}")
    if "pmo" in result.extra:
        pmo = result.extra["pmo"]
        print(
            f"PMO AUC top-10 = {pmo['auc_top10']:.4f} over a 10,000-call budget "
            f"({pmo['calls']} calls made; top-1 {pmo['top1']:.4f}, top-10 {pmo['top10']:.4f})"
        )
    print(f"results in {result.results}")


@app.command()
def history(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="Run or job id (or unique prefix)")],
    format: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """Export every evaluation of a run, in order."""
    store, _ = open_home_store(home, db)
    run = resolve_run(store, run_id)
    if format == "csv":
        write_history_csv(list(store.history(run.id)), sys.stdout)  # two passes: columns first
    elif format == "jsonl":
        write_history_jsonl(store.history(run.id), sys.stdout)  # streamed
    else:
        raise typer.BadParameter("--format must be csv or jsonl")


@app.command()
def best(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="Run or job id (or unique prefix)")],
    home: HomeOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Print the best candidate of a run and its metrics."""
    store, _ = open_home_store(home, db)
    run = resolve_run(store, run_id)
    found = store.best(run.id)
    if json_output:
        body = (
            None
            if found is None
            else {"metrics": found.metrics, "candidate": found.content, "n": found.n}
        )
        # keys beyond run and best only when the run has them: the old shape stays as it was
        extra = {"proposer": proposer_figures(run), "learning_curve": learning_curve(run)}
        extra = {key: value for key, value in extra.items() if value}
        print(json.dumps({"run": run.id, "best": body, **extra}))
        return
    for line in model_lines(proposer_figures(run)):
        print(line)
    if found is None:
        print(f"run {run.id} has no valid candidate yet")
        return
    print(f"# run {run.id}, evaluation {found.n}, {BEST_FILENAMES[found.representation]}")
    for name, value in sorted(found.metrics.items()):
        print(f"# {name} = {value!r}")
    for line in curve_lines(learning_curve(run)):
        print(line)
    print(found.content)


def model_lines(figures: dict) -> list[str]:
    """Comment lines on the models of an ensemble and the novelty check, for `best`."""
    lines = [
        f"# model {name}: picks {m['picks']}, answered {m['calls']}, reward {m['reward']:.4g}, "
        f"cost ${m['cost_usd']:.4f}, {m['seconds']:.1f} s, value {m['value']:.3f}"
        for name, m in figures.get("models", {}).items()
    ]
    if "novelty_check" in figures:
        check = figures["novelty_check"]
        lines.append(f"# novelty check: {check['rejected']} of {check['asked']} children rejected")
    return lines


@app.command()
def runs(home: HomeOption = None, db: DbOption = None, json_output: JsonOption = False) -> None:
    """List runs, newest first."""
    store, _ = open_home_store(home, db)
    records = store.list_runs()
    if json_output:
        rows = [
            {
                "run": r.id,
                "task": r.task_name,
                "status": r.status,
                "evaluations": r.evaluations,
                "best_fitness": r.best_fitness,
                "best": best_value(r),
                "metric": objective_of(r).metric,
                "created": r.created_at.isoformat(),
            }
            for r in records
        ]
        print(json.dumps(rows))
        return
    print(f"{'run':<14}{'task':<28}{'status':<10}{'evals':>8}  {'best':<24}created")
    for r in records:
        value = best_value(r)
        best = "-" if value is None else f"{objective_of(r).metric[:10]}={value:.6g}"
        print(
            f"{r.id:<14}{r.task_name[:27]:<28}{r.status:<10}{r.evaluations:>8}  {best:<24}"
            f"{r.created_at:%Y-%m-%d %H:%M}"
        )


def fail(message: str, exit_code: int, json_output: bool) -> NoReturn:
    """Report one of our errors: a line on stderr (and, with --json, a JSON line on stdout)."""
    print(f"discover: {message}", file=sys.stderr)
    if json_output:
        print(json.dumps({"status": "error", "error": message, "exit_code": exit_code}))
    sys.exit(exit_code)


def main() -> None:
    """Console entry point: our errors become one line on stderr and a non-zero exit."""
    json_output = "--json" in sys.argv[1:]
    try:
        app()
    except TaskSpecError as error:
        fail(f"task error: {error}", 2, json_output)
    except (DiscoveryError, EvolveError, StoreError, ScienceError) as error:
        fail(str(error), 1, json_output)


if __name__ == "__main__":
    main()
