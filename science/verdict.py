"""The verdict of one evaluation, whatever happened inside the sandbox: what crosses the
sandbox boundary on the way out (plain, JSON-friendly data)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from science.structure import StructureInvalid, validate_structure
from science.verdict_gate import VerdictRejected, check_verdict, to_plain

RESERVED_KEYS = ("valid", "feedback", "artifacts", "terms", "constraints")


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
