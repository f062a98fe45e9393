"""The one gate every verdict passes on its way out of a sandbox: plain, bounded, finite data.

Whatever comes back from an evaluator's process is untrusted: a hostile candidate that shares
that process (an evaluator that imports it instead of using `science.run_candidate`) can write
any JSON it likes. Downstream code (the loop, the store, the reports) relies on a verdict
being exactly what `Verdict` says: `valid` a real bool, metrics finite floats under a name,
feedback and error short strings, artifacts a small JSON object. Anything else makes the
candidate invalid with a reason that says what was wrong; it never reaches the store as a
crash (a string metric, an integer of 10**400, NaN) or as an oversized row.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_METRICS = 256
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 8_000
MAX_ARTIFACT_BYTES = 2 * 1024 * 1024
FIELDS = {
    "valid",
    "metrics",
    "feedback",
    "error",
    "artifacts",
    "seconds",
    "isolated_calls",
    "stage",
}


class VerdictRejected(ValueError):
    """A verdict broke a rule of the gate; the message says which."""


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise VerdictRejected(f"metric '{name}' is a {type(value).__name__}, not a number")
    try:
        number = float(value)
    except OverflowError:
        raise VerdictRejected(f"metric '{name}' is an integer too large for a float") from None
    if not math.isfinite(number):
        raise VerdictRejected(f"metric '{name}' is {number}, not a finite number")
    return number


def clean_metrics(metrics: Any) -> dict[str, float]:
    """Metrics as {name: finite float}; raises `VerdictRejected` on anything else."""
    if not isinstance(metrics, dict):
        raise VerdictRejected(f"metrics must be an object, not {type(metrics).__name__}")
    if len(metrics) > MAX_METRICS:
        raise VerdictRejected(f"{len(metrics)} metrics; at most {MAX_METRICS} are kept")
    clean = {}
    for name, value in metrics.items():
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_CHARS:
            raise VerdictRejected(f"metric name {str(name)[:50]!r} is not a short string")
        clean[name] = _number(name, value)
    return clean


def clean_text(field: str, value: Any) -> str:
    """A string field, cut to `MAX_TEXT_CHARS` (the cut is said at its end)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise VerdictRejected(f"{field} must be a string, not {type(value).__name__}")
    if len(value) > MAX_TEXT_CHARS:
        return value[:MAX_TEXT_CHARS] + f" [... cut: {len(value)} characters in all]"
    return value


def clean_artifacts(artifacts: Any) -> dict[str, Any]:
    """Artifacts as a JSON object of at most `MAX_ARTIFACT_BYTES` (no NaN, no infinity)."""
    if artifacts is None:
        return {}
    if not isinstance(artifacts, dict):
        raise VerdictRejected(f"artifacts must be an object, not {type(artifacts).__name__}")
    try:
        text = json.dumps(artifacts, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise VerdictRejected(f"artifacts are not plain JSON: {error}") from None
    if len(text) > MAX_ARTIFACT_BYTES:
        raise VerdictRejected(
            f"artifacts are {len(text) / 1e6:.1f} MB as JSON; the limit is "
            f"{MAX_ARTIFACT_BYTES / 1e6:.1f} MB (keep big data in files, not in the verdict)"
        )
    return json.loads(text)


def check_verdict(data: Any) -> dict[str, Any]:
    """The verdict fields of `data` (a dict from a sandbox), validated; raises `VerdictRejected`."""
    if not isinstance(data, dict):
        raise VerdictRejected(f"a verdict must be an object, not {type(data).__name__}")
    unknown = set(data) - FIELDS
    if unknown:
        raise VerdictRejected(f"unknown verdict fields: {', '.join(sorted(map(str, unknown)))}")
    valid = data.get("valid")
    if not isinstance(valid, bool):
        raise VerdictRejected(f"'valid' must be true or false, not {valid!r:.50}")
    seconds = data.get("seconds", 0.0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
        raise VerdictRejected(f"'seconds' must be a number >= 0, not {seconds!r:.50}")
    calls = data.get("isolated_calls", 0)
    if isinstance(calls, bool) or not isinstance(calls, int) or calls < 0:
        raise VerdictRejected(f"'isolated_calls' must be a count, not {calls!r:.50}")
    stage = data.get("stage")
    if stage is not None and (isinstance(stage, bool) or not isinstance(stage, int) or stage < 0):
        raise VerdictRejected(f"'stage' must be a cascade stage index, not {stage!r:.50}")
    return {
        "stage": stage,
        "valid": valid,
        "metrics": clean_metrics(data.get("metrics", {})),
        "feedback": clean_text("feedback", data.get("feedback")),
        "error": clean_text("error", data.get("error")),
        "artifacts": clean_artifacts(data.get("artifacts")),
        "seconds": float(seconds) if math.isfinite(seconds) else 0.0,
        "isolated_calls": calls,
    }


def to_plain(value: Any, depth: int = 0) -> Any:
    """`value` with numpy scalars and arrays turned into Python numbers and lists, tuples into
    lists; anything else is returned as it is (and later refused if it is not JSON)."""
    if depth > 64:
        raise VerdictRejected("the value is nested more than 64 levels deep")
    if isinstance(value, dict):
        return {key: to_plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item, depth + 1) for item in value]
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return value.tolist()
    return value
