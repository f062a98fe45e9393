"""Save a benchmark's figures: one JSON file per bench, one labelled record per measurement."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def machine() -> str:
    """What the figures were measured on (architecture, OS, release)."""
    return f"{platform.machine()}, {platform.system()} {platform.release()}"


def now() -> str:
    """UTC timestamp for a record."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def save_record(name: str, label: str, record: dict[str, Any]) -> Path:
    """Store `record` under `label` in bench/results/<name>.json, keeping other labels."""
    path = RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved[label] = record
    path.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"saved to {path.relative_to(ROOT)} as '{label}'")  # noqa: T201 - bench output
    return path
