"""Landlock through ctypes, tried directly in forked children (no pool in between)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from science.sandbox import landlock

pytestmark = pytest.mark.skipif(landlock.abi_version() < 1, reason="no Landlock here")


def in_confined_child(allowed: Path, action) -> int:
    """Fork, confine writes to `allowed`, run `action`; its exit code: 0 done, 13 denied."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            landlock.restrict([allowed], [Path(os.devnull)])
            action()
        except PermissionError:
            code = 13
        except BaseException:  # noqa: BLE001 - the child must exit, whatever happened
            code = 1
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_writes_beneath_the_allowed_folder_succeed(tmp_path):
    inside = tmp_path / "inside"
    inside.mkdir()
    assert in_confined_child(inside, lambda: (inside / "a" / "b").mkdir(parents=True)) == 0
    assert (inside / "a" / "b").is_dir()


def test_writes_elsewhere_are_denied_but_reads_are_not(tmp_path):
    inside, outside = tmp_path / "inside", tmp_path / "outside.txt"
    inside.mkdir()
    outside.write_text("original")
    assert in_confined_child(inside, lambda: outside.write_text("changed")) == 13
    assert in_confined_child(inside, lambda: outside.unlink()) == 13
    assert in_confined_child(inside, outside.read_text) == 0
    assert outside.read_text() == "original"


def test_dev_null_stays_writable(tmp_path):
    assert in_confined_child(tmp_path, lambda: Path(os.devnull).write_text("x")) == 0


@pytest.mark.skipif(landlock.abi_version() < 4, reason="Landlock ABI < 4 has no TCP rules")
def test_tcp_bind_is_denied(tmp_path):
    def bind() -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))

    assert in_confined_child(tmp_path, bind) == 13


def test_write_rights_grow_with_the_abi():
    assert landlock.write_rights(1) & landlock.REFER == 0
    assert landlock.write_rights(2) & landlock.REFER
    assert landlock.write_rights(3) & landlock.TRUNCATE
