"""A live progress bar for a run: evaluations against the budget, time left, best so far
(and the same as periodic log lines for daemon jobs, `ProgressLog`).

A run stops at whichever limit of its budget comes first, so the bar names both and its
estimate of the time left is the smaller of the two: the time the remaining evaluations
take at the current rate, and the wall-clock time left. A resumed run starts the bar at
the evaluations already done.
"""

from __future__ import annotations

import logging
import sys
import time

from tqdm import tqdm

from evolve import Budget, Evolution, Progress

BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} evals [{elapsed}{postfix}]"
COUNTER_FORMAT = "{n_fmt} evals [{elapsed}{postfix}]"
log = logging.getLogger(__name__)


def limits_text(budget: Budget) -> str:
    """The budget in words: 'stops at 2000 evals or 300 s'."""
    parts = []
    if budget.evaluations is not None:
        parts.append(f"{budget.evaluations} evals")
    if budget.wall_seconds is not None:
        parts.append(f"{budget.wall_seconds:g} s")
    return "stops at " + " or ".join(parts) if parts else "no limit"


def seconds_left(budget: Budget, progress: Progress, rate: float | None) -> float | None:
    """Estimated seconds until the budget's first limit: evaluations left at `rate`
    (evaluations per second) or wall-clock time left, whichever is smaller."""
    estimates = []
    left = budget.evaluations_left(progress.evaluations)
    if left is not None and rate:
        estimates.append(left / rate)
    if budget.wall_seconds is not None:
        estimates.append(max(0.0, budget.wall_seconds - progress.elapsed_seconds))
    return min(estimates) if estimates else None


class ProgressBar:
    """tqdm bar on stderr fed by the engine's `Progress` snapshots.

    Give `start` as `run_task`'s `on_start` hook (it learns the budget and the evaluations
    already done) and the bar itself as `on_progress`.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.bar: tqdm | None = None
        self.budget = Budget()
        self.initial = 0
        self.started = time.monotonic()

    def start(self, evolution: Evolution) -> None:
        """Open the bar for this run's budget, at the evaluations already done."""
        self.budget = evolution.budget
        self.initial = evolution.evaluations
        self.started = time.monotonic()
        total = self.budget.evaluations
        self.bar = tqdm(
            total=total,
            initial=evolution.evaluations,
            unit="eval",
            file=sys.stderr,
            disable=not self.enabled,
            dynamic_ncols=True,
            bar_format=BAR_FORMAT if total is not None else COUNTER_FORMAT,
        )
        self.bar.set_postfix_str(limits_text(self.budget))

    def __call__(self, progress: Progress) -> None:
        if self.bar is None or not self.enabled:
            return
        self.bar.update(progress.evaluations - self.bar.n)
        done_here = progress.evaluations - self.initial
        session = time.monotonic() - self.started
        rate = done_here / session if done_here > 0 and session > 0 else None
        left = seconds_left(self.budget, progress, rate)
        left_text = f"~{tqdm.format_interval(left)} left " if left is not None else ""
        best = "-" if progress.best_value is None else f"{progress.best_value:.6g}"
        self.bar.set_postfix_str(
            f"{left_text}({limits_text(self.budget)}), best={best}, "
            f"invalid={progress.invalid}, gen={progress.generation}"
        )

    def close(self) -> None:
        """Finish the bar line."""
        if self.bar is not None:
            self.bar.close()


class ProgressLog:
    """Progress as log lines, for a daemon job's log file (`discover logs JOB`), where a bar's
    carriage returns would pile up: the first generation, then at most one line every
    `every_seconds`, each with the budget and the best so far."""

    def __init__(self, every_seconds: float = 30.0) -> None:
        self.every_seconds = every_seconds
        self.budget = Budget()
        self.last: float | None = None

    def start(self, evolution: Evolution) -> None:
        """Learn the run's budget (`run_task`'s `on_start` hook)."""
        self.budget = evolution.budget

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.every_seconds:
            return
        self.last = now
        total = f"/{self.budget.evaluations}" if self.budget.evaluations is not None else ""
        best = "-" if progress.best_value is None else f"{progress.best_value:.6g}"
        log.info(
            "progress: %d%s evaluations (%d invalid), best %s, generation %d, %.0f s (%s)",
            progress.evaluations,
            total,
            progress.invalid,
            best,
            progress.generation,
            progress.elapsed_seconds,
            limits_text(self.budget),
        )
