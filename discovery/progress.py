"""A live progress bar for a run: evaluations, rate, best so far, invalid count."""

from __future__ import annotations

import sys

from tqdm import tqdm

from evolve import Progress


class ProgressBar:
    """tqdm bar on stderr fed by the engine's `Progress` snapshots."""

    def __init__(self, total: int | None, initial: int = 0, enabled: bool = True) -> None:
        self.bar = tqdm(
            total=total,
            initial=initial,
            unit="eval",
            file=sys.stderr,
            disable=not enabled,
            dynamic_ncols=True,
        )

    def __call__(self, progress: Progress) -> None:
        self.bar.update(progress.evaluations - self.bar.n)
        best = "-" if progress.best_value is None else f"{progress.best_value:.6g}"
        self.bar.set_postfix(best=best, invalid=progress.invalid, gen=progress.generation)

    def close(self) -> None:
        """Finish the bar line."""
        self.bar.close()
