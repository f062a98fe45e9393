"""The test-time RL learning curve of a run: mean reward, beta and entropy per policy update.

A proposer that learns at test time (`evolve.ttt`: the SMILES and edit policies with `ttt`,
`local_lm`) keeps its curve in its JSON state, which the engine stores with the run
(`engine_state["proposer"]["curve"]`), so the curve of a finished, running or killed run is
read from the store alone. `discover best` prints it (every point in ``--json``; a few evenly
spaced rows as text) and the dashboard draws it (``GET /api/jobs/{job}/learning``).
"""

from __future__ import annotations

import math
from typing import Any

from memory import RunRecord

FIELDS = ("mean_reward", "beta", "entropy")
TEXT_ROWS = 10  # points `discover best` prints as text (the first, the last, evenly between)


def learning_curve(run: RunRecord | None) -> list[dict[str, float]]:
    """The run's learning curve, one point per update with `step` and `FIELDS` (numbers
    only); [] for a run whose proposer does not learn or has not updated yet."""
    state = (run.engine_state or {}) if run is not None else {}
    proposer = state.get("proposer")
    curve = proposer.get("curve") if isinstance(proposer, dict) else None
    if not isinstance(curve, list):
        return []
    points = []
    for number, point in enumerate(curve, start=1):
        if not isinstance(point, dict):
            continue
        row = {"step": int(point.get("step", number))}
        row.update({name: _number(point.get(name)) for name in FIELDS})
        points.append(row)
    return points


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def shown_rows(points: list[dict[str, float]], rows: int = TEXT_ROWS) -> list[dict[str, float]]:
    """At most `rows` points: the first, the last and evenly spaced ones between."""
    if len(points) <= rows:
        return points
    picks = sorted({round(i * (len(points) - 1) / (rows - 1)) for i in range(rows)})
    return [points[i] for i in picks]


def curve_lines(points: list[dict[str, float]]) -> list[str]:
    """The curve as ``#`` comment lines (so the candidate stays the only plain line)."""
    if not points:
        return []
    shown = shown_rows(points)
    lines = [
        f"# test-time RL: {len(points)} policy updates"
        + (f" (showing {len(shown)}; --json has all)" if len(shown) < len(points) else ""),
        "# " + "  ".join(f"{name:>11}" for name in ("step", *FIELDS)),
    ]
    for point in shown:
        values = [f"{point['step']:>11d}"]
        values += [
            f"{point[name]:>11.4g}" if point[name] is not None else f"{'-':>11}" for name in FIELDS
        ]
        lines.append("# " + "  ".join(values))
    return lines
