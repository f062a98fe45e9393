"""The data that crosses the sandbox boundary on the way in: what to evaluate and under
which limits (the verdict that comes back is `science.verdict.Verdict`).

Everything here is plain data (JSON-friendly) so that it can be sent to a worker process or a
Ray task unchanged.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from science.errors import EvaluatorNotFound

if TYPE_CHECKING:
    from science.refine import Refinement


@dataclass(frozen=True)
class EvaluatorRef:
    """Where the user's `evaluate` function lives.

    `target` is an absolute path to a ``.py`` file when `is_file`, else a dotted module name.
    """

    target: str
    function: str
    is_file: bool

    @classmethod
    def parse(cls, text: str, base_dir: Path) -> EvaluatorRef:
        """Parse ``"file.py:function"`` (relative to `base_dir`) or ``"package.module:function"``."""
        if ":" not in text:
            raise EvaluatorNotFound(
                f"evaluator '{text}' must be 'file.py:function' or 'package.module:function'"
            )
        target, function = text.rsplit(":", 1)
        if not function.isidentifier():
            raise EvaluatorNotFound(f"evaluator '{text}': '{function}' is not a function name")
        if target.endswith(".py") or "/" in target:
            path = (base_dir / target).resolve()
            if not path.is_file():
                raise EvaluatorNotFound(f"evaluator file not found: {path} (from '{text}')")
            return cls(target=str(path), function=function, is_file=True)
        try:
            found = importlib.util.find_spec(target)
        except ImportError:
            found = None
        if found is None:
            raise EvaluatorNotFound(
                f"evaluator module '{target}' cannot be imported (from '{text}')"
            )
        return cls(target=target, function=function, is_file=False)

    def __str__(self) -> str:
        return f"{self.target}:{self.function}"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one evaluation (docs/sandbox.md says how each is enforced).

    `memory_mb=None` means no memory limit; `cpu_seconds=None` means the wall-clock timeout.
    `max_processes` counts the processes and threads a candidate may start.
    """

    timeout_seconds: float = 60.0
    memory_mb: int | None = 2048
    cpu_seconds: float | None = None
    output_mb: int = 64
    max_processes: int = 64


@dataclass(frozen=True)
class CascadeStage:
    """A cheap check run before the main evaluator (OpenEvolve's cascade evaluation): the
    candidate goes on only if the stage's `metric` is at least `minimum` (or at most
    `maximum`)."""

    evaluator: EvaluatorRef
    metric: str
    minimum: float | None = None
    maximum: float | None = None

    def passes(self, value: float) -> bool:
        """Whether `value` clears the stage's threshold."""
        if self.minimum is not None and value < self.minimum:
            return False
        return self.maximum is None or value <= self.maximum

    def threshold(self) -> str:
        """The threshold in words, for error messages."""
        if self.minimum is not None:
            return f"the minimum is {self.minimum:g}"
        return f"the maximum is {self.maximum:g}"


@dataclass(frozen=True)
class Job:
    """One evaluation: call `evaluator(candidate, **params)` under `limits`.

    `candidate` is the JSON value handed to the evaluator, except for programs
    (`representation == "program"`), where it is the source text that the sandbox writes
    to a file and whose path is handed over instead. `refine` (a
    `science.refine.Refinement`) turns the job into a local optimization of a vector; `draw`
    makes `evaluator` the task's render function, whose SVG comes back as an artifact
    (`science.render`).
    """

    evaluator: EvaluatorRef
    candidate: Any
    representation: str
    params: dict[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    cascade: tuple[CascadeStage, ...] = ()
    refine: Refinement | None = None
    draw: bool = False
