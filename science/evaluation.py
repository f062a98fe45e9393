"""The data that crosses the sandbox boundary: what to evaluate, under which limits, and the verdict.

Everything here is plain data (JSON-friendly) so that it can be sent to a worker process or a
Ray task unchanged.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from science.errors import EvaluatorNotFound
from science.structure import StructureInvalid, validate_structure
from science.verdict_gate import VerdictRejected, check_verdict, to_plain

if TYPE_CHECKING:
    from science.refine import Refinement

RESERVED_KEYS = ("valid", "feedback", "artifacts", "terms", "constraints")


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


@dataclass
class Verdict:
    """The outcome of one evaluation, whatever happened inside the sandbox.

    `stage` is the index of the cascade stage that stopped the candidate (None: it reached
    the main evaluator). `isolated_calls` counts the candidate calls the evaluator made through
    `science.run_candidate` (a program task whose evaluator made none ran the candidate in
    its own process, where a hostile candidate can forge the verdict).
    """

    valid: bool
    metrics: dict[str, float] = field(default_factory=dict)
    feedback: str = ""
    error: str = ""
    artifacts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    isolated_calls: int = 0
    stage: int | None = None

    @classmethod
    def failure(cls, error: str, seconds: float = 0.0) -> Verdict:
        """A verdict for a candidate that could not be evaluated."""
        return cls(valid=False, error=error, seconds=seconds)

    @classmethod
    def from_result(cls, result: Any, seconds: float = 0.0) -> Verdict:
        """Turn an evaluator's return value (a dict, per the task contract) into a verdict.

        Top-level numbers are metrics, other top-level values join the artifacts; the result
        then passes the verdict gate (`science.verdict_gate`), so `"valid": "False"`, a NaN
        metric or a dict as feedback make the candidate invalid with the reason.
        """
        if not isinstance(result, dict):
            return cls.failure(
                f"evaluate() must return a dict, it returned {type(result).__name__}", seconds
            )
        try:
            result = to_plain(result)
            validate_structure(result.get("terms"), result.get("constraints"))
        except (VerdictRejected, StructureInvalid) as error:
            return cls.failure(f"evaluate() returned a bad result: {error}", seconds)
        metrics: dict[str, Any] = {}
        artifacts = result.get("artifacts")
        extra = {}
        for key, value in result.items():
            if key in RESERVED_KEYS:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                metrics[key] = value
            else:
                extra[key] = value
        if extra:
            artifacts = (
                {**extra, **artifacts} if isinstance(artifacts, dict) else artifacts or extra
            )
        data = {
            "valid": result.get("valid", True),
            "metrics": metrics,
            "feedback": result.get("feedback", ""),
            "artifacts": artifacts,
            "seconds": seconds,
        }
        return cls.from_untrusted(data, "evaluate() returned a bad result")

    @classmethod
    def from_untrusted(cls, data: Any, what: str = "rejected verdict") -> Verdict:
        """The verdict in `data` if it passes the gate, else an invalid one saying why."""
        try:
            return cls(**check_verdict(data))
        except VerdictRejected as error:
            seconds = data.get("seconds", 0.0) if isinstance(data, dict) else 0.0
            ok = isinstance(seconds, float) and math.isfinite(seconds)
            return cls.failure(f"{what}: {error}", seconds if ok else 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "valid": self.valid,
            "metrics": self.metrics,
            "feedback": self.feedback,
            "error": self.error,
            "artifacts": self.artifacts,
            "seconds": self.seconds,
            "isolated_calls": self.isolated_calls,
            "stage": self.stage,
        }
