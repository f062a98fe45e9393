"""What a sandboxed evaluator can read: its packages and its task folder, not the machine.

The probes of an attacker: read another process's command line (the daemon's token, a
database URL), read the store's SQLite file or lock its `-shm` file, read a home folder, talk
to a database over its Unix socket. Each must fail inside the sandbox while the evaluator's
own imports and task files still work."""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from science.sandbox import landlock
from science.sandbox.read_view import sandbox_read_view

needs_landlock = pytest.mark.skipif(landlock.abi_version() < 1, reason="no Landlock here")

READER = """
import os

def evaluate(candidate):
    try:
        with open(candidate, "rb") as handle:
            handle.read(16)
    except OSError as error:
        return {"score": 0.0, "feedback": type(error).__name__}
    return {"score": 1.0, "feedback": "read"}
"""


def read_verdict(pool, make_job, path: str):
    [verdict] = pool.evaluate([make_job(READER, path)])
    assert verdict.valid, verdict.error
    return verdict


@needs_landlock
def test_another_processs_command_line_is_unreadable(pool, make_job):
    verdict = read_verdict(pool, make_job, f"/proc/{os.getpid()}/cmdline")
    assert verdict.feedback == "PermissionError"


@needs_landlock
def test_files_outside_the_task_folder_are_unreadable(pool, make_job, tmp_path_factory):
    secret = tmp_path_factory.mktemp("home") / "id_rsa"
    secret.write_text("-----BEGIN KEY-----")
    assert read_verdict(pool, make_job, str(secret)).feedback == "PermissionError"
    assert read_verdict(pool, make_job, "/etc/shadow").feedback == "PermissionError"


@needs_landlock
def test_the_task_folder_and_the_interpreter_stay_readable(pool, make_job, tmp_path):
    data = tmp_path / "data.txt"  # beside the evaluator files of `make_job`
    data.write_text("task data")
    assert read_verdict(pool, make_job, str(data)).feedback == "read"
    assert read_verdict(pool, make_job, sys.executable).feedback == "read"


@needs_landlock
def test_the_store_can_be_neither_read_nor_locked(pool, make_job, tmp_path_factory):
    store = tmp_path_factory.mktemp("store") / "store.db"
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x)")
        db.execute("INSERT INTO t VALUES (1)")
    source = f"""
import fcntl, sqlite3

def evaluate(candidate):
    outcomes = []
    try:
        sqlite3.connect({str(store)!r}).execute("SELECT * FROM t").fetchall()
        outcomes.append("read")
    except sqlite3.Error as error:
        outcomes.append("refused")
    try:
        with open({str(store) + "-shm"!r}, "rb") as handle:
            fcntl.lockf(handle, fcntl.LOCK_SH)
        outcomes.append("locked")
    except OSError:
        outcomes.append("refused")
    return {{"score": 1.0, "feedback": ",".join(outcomes)}}
"""
    [verdict] = pool.evaluate([make_job(source)])
    assert verdict.feedback == "refused,refused"


def test_a_pathname_unix_socket_cannot_be_reached(pool, make_job, tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "db.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    os.chmod(path.parent, 0o755)
    source = f"""
import socket

def evaluate(candidate):
    try:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect({str(path)!r})
    except OSError as error:
        return {{"score": 0.0, "feedback": type(error).__name__}}
    return {{"score": 1.0, "feedback": "connected"}}
"""
    try:
        [verdict] = pool.evaluate([make_job(source)])
    finally:
        server.close()
    assert verdict.feedback == "PermissionError"
    assert not accepted


def test_source_folders_on_the_path_are_exposed_package_by_package(tmp_path, monkeypatch):
    """A repository on sys.path (an editable install) shows its packages, not its other files."""
    repo = tmp_path / "repo"
    (repo / "mypackage").mkdir(parents=True)
    (repo / "mypackage" / "__init__.py").write_text("")
    (repo / "module.py").write_text("")
    (repo / ".discovery").mkdir()
    (repo / "notes").mkdir()
    monkeypatch.setattr(sys, "path", [str(repo), *sys.path])
    view = sandbox_read_view(None)
    assert repo / "mypackage" in view.folders
    assert repo / "module.py" in view.files
    assert repo in view.listable and repo not in view.folders
    everything = {*view.folders, *view.files}
    assert not any(p in everything for p in (repo / ".discovery", repo / "notes"))
    assert not any(Path.home() == p for p in everything)
