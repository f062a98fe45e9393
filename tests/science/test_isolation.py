"""`confine_sandbox` reports each protection, and degrades (not fails) where one is missing."""

from __future__ import annotations

import json
import os

from science import Limits
from science.sandbox import isolation, landlock
from science.sandbox.read_view import sandbox_read_view


def confine_in_child(tmp_path, without_landlock: bool) -> dict[str, str]:
    """Run `confine_sandbox` in a forked child and return its report."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:  # the child must never return into pytest
            os.close(read_fd)
            if without_landlock:
                landlock.abi_version = lambda: 0  # as on a kernel without Landlock
            state = isolation.confine_sandbox(
                tmp_path, Limits(memory_mb=1024), sandbox_read_view(None)
            )
            os.write(write_fd, json.dumps(state).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def test_every_protection_is_on_here(tmp_path):
    state = confine_in_child(tmp_path, without_landlock=False)
    if landlock.abi_version() >= 1:
        assert state["landlock"] == "on"
    assert state["capabilities dropped"] == "on"
    assert state["unix sockets denied"] == "on"
    assert "landlock reads" not in state  # reads are confined
    if os.geteuid() == 0:
        assert state["network namespace"] == "on"


def test_missing_landlock_is_reported_and_the_rest_still_applies(tmp_path):
    state = confine_in_child(tmp_path, without_landlock=True)
    assert "Landlock is not available" in state["landlock"]
    assert "writes outside the sandbox are not blocked" in state["landlock"]
    assert state["capabilities dropped"] == "on"


def test_cpu_limit_defaults_to_the_timeout():
    assert isolation.cpu_seconds(Limits(timeout_seconds=7.2)) == 9
    assert isolation.cpu_seconds(Limits(timeout_seconds=60, cpu_seconds=2)) == 2
