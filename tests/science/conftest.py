"""Fixtures of the sandbox tests: evaluator files written on the fly and a shared pool."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from science import EvaluatorRef, Job, Limits, SandboxPool

FAST = {"timeout_seconds": 5.0, "memory_mb": 1024}


@pytest.fixture(scope="module")
def pool():
    """Two sandbox workers shared by a test module (each test's evaluator gets its zygote)."""
    with SandboxPool(2) as shared:
        yield shared


@pytest.fixture
def make_job(tmp_path: Path) -> Callable[..., Job]:
    """Write `source` as an evaluator file (one per distinct source) and return a job for it."""
    files: dict[str, Path] = {}

    def build(source: str, candidate: object = 1.0, **limits: float) -> Job:
        if source not in files:
            files[source] = tmp_path / f"evaluator_{len(files) + 1}.py"
            files[source].write_text(textwrap.dedent(source))
        path = files[source]
        ref = EvaluatorRef(target=str(path), function="evaluate", is_file=True)
        return Job(ref, candidate, "text", {}, Limits(**{**FAST, **limits}))

    return build
