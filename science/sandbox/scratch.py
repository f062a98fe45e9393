"""Names of what a sandbox worker leaves on the machine, and their removal after it dies.

Each zygote of worker `pid` gets a scratch folder ``<tmp>/discovery-sandbox-w<pid>-<n>-*``
and a pids cgroup ``discovery-sandbox/w<pid>-<n>``. A worker removes its own on the way out;
when it is killed, the pool calls `remove_leftovers` with its pid.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from science.sandbox.cgroup import PidsCgroup

SCRATCH_PREFIX = "discovery-sandbox-"


def zygote_name(worker_pid: int, number: int) -> str:
    """The name of zygote `number` of a worker (its cgroup, and its scratch folder's prefix)."""
    return f"w{worker_pid}-{number}"


def scratch_prefix(worker_pid: int, number: int) -> str:
    """The prefix of a zygote's scratch folder, for `tempfile.mkdtemp`."""
    return f"{SCRATCH_PREFIX}{zygote_name(worker_pid, number)}-"


def remove_leftovers(worker_pid: int) -> None:
    """Kill the processes and delete the folders and cgroups of a dead worker's zygotes."""
    for cgroup in PidsCgroup.existing(f"w{worker_pid}-"):
        cgroup.remove()
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}w{worker_pid}-*"):
        shutil.rmtree(folder, ignore_errors=True)
