"""Settings of the daemon's HTTP API: the daemon holds them (`DaemonConfig.http`) and the
API server (`discovery.api`) reads them, so neither module imports the other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HttpConfig:
    """Where the HTTP API listens, its token, and the folders tasks may be submitted from.

    A token is required for any non-loopback address. `task_roots`: a task path in a
    request must lie under one of them (`discovery.remote_tasks`); none means none may.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    task_roots: tuple[Path, ...] = ()
