"""The results folder of a run: best candidate, full history (CSV, JSONL), curve plot, report."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from discovery.errors import ResultsWriteError
from discovery.spec import stored_task
from evolve import Objective
from memory import CandidateRecord, RunRecord, Store

BEST_FILENAMES = {
    "program": "best.py",
    "vector": "best.json",
    "smiles": "best.smi",
    "text": "best.txt",
}
DRAWING_FILENAME = "best.svg"  # the task's `render` of the best candidate, when it has one
BASE_COLUMNS = ["n", "candidate", "valid", "error"]
PMO_TASK_PREFIX = "pmo-"  # the PMO benchmark tasks of tasks/pmo/
LOG_SCALE_DECADES = 1.0  # a curve whose best values span this many decades gets a log axis


def objective_of(run: RunRecord) -> Objective:
    """The objective a run's stored spec names."""
    return stored_task(run).problem().objective


def best_value(run: RunRecord) -> float | None:
    """The run's best objective value (its stored best fitness, in the metric's own sign)."""
    return None if run.best_fitness is None else objective_of(run).value(run.best_fitness)


def proposer_figures(run: RunRecord) -> dict[str, Any]:
    """What a model-backed proposer recorded in the run's state: per-model `models` (picks,
    calls, reward, cost_usd, seconds, value) of an ensemble, `usage` (tokens, dollars,
    failures) and `novelty_check` counts; {} for a proposer that records none of them."""
    state = (run.engine_state or {}).get("proposer") or {}
    return {key: state[key] for key in ("models", "usage", "novelty_check") if key in state}


def is_pmo_run(run: RunRecord) -> bool:
    """Whether the run is of a PMO benchmark task, whose figure is AUC top-10."""
    return run.task_name.startswith(PMO_TASK_PREFIX)


def pmo_figures(run: RunRecord, records: Iterable[CandidateRecord]) -> dict[str, float] | None:
    """PMO's AUC top-10, top-1, top-10 and calls for a PMO run (None for any other task)."""
    if not is_pmo_run(run):
        return None
    from molopt.pmo import call_scores, pmo_result

    return pmo_result(call_scores(records, objective_of(run).metric)).to_json()


def history_rows(records: Iterable[CandidateRecord]) -> Iterator[dict[str, Any]]:
    """One flat row per evaluation: n, candidate, valid, error, then the metrics."""
    for record in records:
        row = {
            "n": record.n,
            "candidate": record.content,
            "valid": record.valid,
            "error": record.error,
        }
        row.update(record.metrics)
        row.update(
            {
                "hash": record.hash,
                "parents": record.parents,
                "proposer": record.proposer,
                "island": record.island,
                "feedback": record.feedback,
                "seconds": record.eval_seconds,
                "stage": record.stage,
                "inner_calls": record.inner_calls,
            }
        )
        yield row


def metric_names(records: Iterable[CandidateRecord]) -> list[str]:
    """Every metric name any of the candidates returned, sorted."""
    names: set[str] = set()
    for record in records:
        names.update(record.metrics)
    return sorted(names)


def write_history_csv(records: Sequence[CandidateRecord], stream: TextIO) -> None:
    """Export a history as CSV: n, candidate, valid, error, one column per metric, the
    evaluator calls an in-sandbox refinement spent on each candidate (`inner_calls`) and, when
    a cascade stopped any, the stage that stopped it."""
    columns = BASE_COLUMNS + metric_names(records) + ["inner_calls"]
    if any(record.stage is not None for record in records):
        columns.append("stage")
    writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in history_rows(records):
        writer.writerow(row)


def write_history_jsonl(records: Iterable[CandidateRecord], stream: TextIO) -> None:
    """Export a history as JSON lines (every field of every evaluation)."""
    for row in history_rows(records):
        stream.write(json.dumps(row) + "\n")


def best_curve(run: RunRecord, records: Iterable[CandidateRecord]) -> tuple[list[int], list[float]]:
    """Best objective value so far after each evaluation (of `run`'s history) that improved it."""
    metric = objective_of(run).metric
    maximize = objective_of(run).direction == "maximize"
    xs, ys = [], []
    best = None
    for record in records:
        value = record.metrics.get(metric) if record.valid else None
        if value is None:
            continue
        if best is None or (value > best if maximize else value < best):
            best = value
            xs.append(record.n)
            ys.append(value)
    return xs, ys


def curve_scale(values: Sequence[float]) -> tuple[str, dict[str, float]]:
    """Matplotlib y scale for best values: linear, unless they keep one sign and span at
    least `LOG_SCALE_DECADES` decades, where late progress would be a flat line (then log,
    or symlog for negative values, e.g. a negated distance)."""
    sizes = [abs(v) for v in values]
    same_sign = all(v > 0 for v in values) or all(v < 0 for v in values)
    if not values or not same_sign or math.log10(max(sizes) / min(sizes)) < LOG_SCALE_DECADES:
        return "linear", {}
    if values[0] > 0:
        return "log", {}
    return "symlog", {"linthresh": min(sizes)}


def plot_curve(run: RunRecord, records: Iterable[CandidateRecord], path: Path) -> None:
    """PNG of the best score against the number of evaluations (to the last evaluation)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs, ys = best_curve(run, records)
    figure, axis = plt.subplots(figsize=(6, 4), dpi=120)
    if xs:
        axis.step(xs + [run.evaluations], ys + [ys[-1]], where="post")
    scale, options = curve_scale(ys)
    axis.set_yscale(scale, **options)
    axis.set_xlabel("evaluations")
    axis.set_ylabel(f"best {objective_of(run).metric}")
    axis.set_title(f"{run.task_name} (run {run.id})")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def write_results(store: Store, run_id: str, folder: Path, drawing: str | None = None) -> Path:
    """Write the whole results folder for a run and return it (with `drawing`, the task's
    SVG of the best candidate, as ``best.svg``).

    Any OSError (ENOSPC on a full disk, EACCES, ...) becomes a `ResultsWriteError` naming
    the folder; the run's history stays in the store, so the files can be written again
    later (`discover history RUN` exports it meanwhile).
    """
    try:
        return _write_results(store, run_id, folder, drawing)
    except OSError as error:
        raise ResultsWriteError(
            f"cannot write the results of run {run_id} to {folder}: "
            f"{error.strerror or error}; free space there (or fix its permissions): "
            "the run's history is safe in the store"
        ) from error


def _write_results(store: Store, run_id: str, folder: Path, drawing: str | None) -> Path:
    run = store.get_run(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    best = store.best(run_id)
    if best is not None:
        (folder / BEST_FILENAMES[best.representation]).write_text(best.content)
        (folder / "best_metrics.json").write_text(json.dumps(best.metrics, indent=2))
    (folder / DRAWING_FILENAME).unlink(missing_ok=True)  # never a drawing of an older best
    if drawing is not None and best is not None:
        (folder / DRAWING_FILENAME).write_text(drawing)
    records = list(store.history(run_id))  # read once for all the files below
    with open(folder / "history.csv", "w", newline="") as stream:
        write_history_csv(records, stream)
    with open(folder / "history.jsonl", "w") as stream:
        write_history_jsonl(records, stream)
    plot_curve(run, records, folder / "curve.png")
    pmo = pmo_figures(run, records)
    drawn = (folder / DRAWING_FILENAME).exists()
    (folder / "report.md").write_text(markdown_report(store, run, best, pmo, records, drawn))
    return folder


def _stopped(records: Sequence[CandidateRecord]) -> str:
    """How many full evaluations the cascade saved, when it saved any."""
    stopped = sum(record.stage is not None for record in records)
    return f"; {stopped} stopped by the cascade: full evaluations saved" if stopped else ""


def markdown_report(
    store: Store,
    run: RunRecord,
    best: CandidateRecord | None,
    pmo: dict[str, float] | None = None,
    records: Sequence[CandidateRecord] = (),
    drawn: bool = False,
) -> str:
    """A short human summary of the run (with its PMO figures for a PMO task, and the task's
    drawing of the best candidate when `drawn`)."""
    invalid = store.count(run.id, valid=False)
    objective = objective_of(run)
    lines = [
        f"# {run.task_name}: run {run.id}",
        "",
        f"- status: {run.status}{f' ({run.message})' if run.message else ''}",
        f"- evaluations: {run.evaluations} ({invalid} invalid{_stopped(records)})",
        f"- running time: {run.elapsed_seconds:.1f} s",
        f"- objective: {objective.direction} `{objective.metric}`",
        f"- seed: {run.seed}",
        "",
    ]
    if best is None:
        lines.append("No valid candidate yet.")
    else:
        lines += [f"## Best (evaluation {best.n})", "", "| metric | value |", "|---|---|"]
        lines += [f"| {name} | {value:.10g} |" for name, value in sorted(best.metrics.items())]
        if best.feedback:
            lines += ["", f"Feedback: {best.feedback}"]
        lines += ["", f"Candidate file: `{BEST_FILENAMES[best.representation]}`"]
        if drawn:
            lines += ["", f"![the best candidate, drawn by the task]({DRAWING_FILENAME})"]
    if pmo is not None:
        lines += [
            "",
            "## PMO figures (10,000-call budget)",
            "",
            "A run shorter than 10,000 calls has its last top-10 mean carried to the budget, as",
            "PMO does; compare AUC top-10 only between runs of the full 10,000 calls.",
            "",
            "| figure | value |",
            "|---|---|",
        ]
        lines += [f"| {name} | {value:.4g} |" for name, value in pmo.items()]
    lines += ["", "![best score vs evaluations](curve.png)", ""]
    return "\n".join(lines)
