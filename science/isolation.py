"""Isolation of an evaluation child beyond POSIX resource limits.

Called in the forked child, after `chdir` into its temporary folder and before the
evaluator is imported.
"""

from __future__ import annotations

import resource
from pathlib import Path

from science.evaluation import Limits


def isolate(workdir: Path, limits: Limits) -> None:
    """Confine the current process; see docs/sandbox.md for what is promised."""
    del workdir
    soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
    cap = (
        limits.max_processes if hard == resource.RLIM_INFINITY else min(limits.max_processes, hard)
    )
    resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))
