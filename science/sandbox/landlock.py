"""Landlock (Linux >= 5.13) through ctypes: confine filesystem writes and TCP of this process.

Landlock is an unprivileged, stackable Linux security module: a process builds a ruleset
("these access rights are handled; these are allowed beneath these folders") and applies it
to itself and to every process it forks, for good. Rulesets only ever narrow: a child may add
its own, stricter layer. See the kernel's Documentation/userspace-api/landlock.rst.

Here a ruleset handles every filesystem right: writes are allowed beneath the given folders
only, and reads and execution (when a read view is given) beneath the folders and files of
that view only; every TCP bind and connect is denied (ABI >= 4), and signals and abstract
Unix sockets are scoped to the sandbox (ABI >= 6), so a confined process cannot kill or talk
to processes outside its own domain.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from science.errors import IsolationUnavailable

SYS_CREATE_RULESET = 444  # the same number on every architecture (new syscall table)
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

WRITE_RIGHTS_ABI1 = (
    WRITE_FILE
    | REMOVE_DIR
    | REMOVE_FILE
    | MAKE_CHAR
    | MAKE_DIR
    | MAKE_REG
    | MAKE_SOCK
    | MAKE_FIFO
    | MAKE_BLOCK
    | MAKE_SYM
)
FILE_RIGHTS = WRITE_FILE | TRUNCATE  # the write rights that apply to a single file
READ_RIGHTS = EXECUTE | READ_FILE | READ_DIR
READ_FILE_RIGHTS = EXECUTE | READ_FILE  # the read rights that apply to a single file


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_LIBC = ctypes.CDLL(None, use_errno=True)
_LIBC.syscall.restype = ctypes.c_long
_LIBC.prctl.restype = ctypes.c_int


def _syscall(number: int, *args: object) -> int:
    result = _LIBC.syscall(ctypes.c_long(number), *args)
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


@functools.cache
def abi_version() -> int:
    """The Landlock ABI this kernel offers; 0 when Landlock is missing or disabled."""
    try:
        return _syscall(
            SYS_CREATE_RULESET, ctypes.c_void_p(None), ctypes.c_size_t(0), ctypes.c_uint32(1)
        )
    except OSError:
        return 0


def write_rights(abi: int) -> int:
    """Every filesystem write right known to Landlock ABI `abi`."""
    rights = WRITE_RIGHTS_ABI1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


def _ruleset(abi: int, reads: bool) -> tuple[_RulesetAttr, int]:
    attr = _RulesetAttr(write_rights(abi) | (READ_RIGHTS if reads else 0), 0, 0)
    size = 8
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    return attr, size


def _allow(ruleset_fd: int, path: Path, rights: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        rule = _PathBeneathAttr(rights, fd)
        _syscall(
            SYS_ADD_RULE,
            ctypes.c_int(ruleset_fd),
            ctypes.c_int(RULE_PATH_BENEATH),
            ctypes.byref(rule),
            ctypes.c_uint32(0),
        )
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ReadView:
    """What a confined process may read and execute: these folders (and all beneath them)
    and these single files; everything else on the filesystem is invisible to it."""

    folders: tuple[Path, ...] = ()
    files: tuple[Path, ...] = ()
    listable: tuple[Path, ...] = ()  # folders whose entries may be listed, not read


def restrict(
    folders: Sequence[Path], files: Sequence[Path] = (), reads: ReadView | None = None
) -> int:
    """Confine this process (and its future children) for good; returns the ABI used.

    Afterwards it may write, create, remove and rename only beneath `folders`, write (not
    create or remove) the existing `files` (such as /dev/null), open no TCP connection and
    bind no TCP port (ABI >= 4), and signal or reach through abstract Unix sockets no process
    outside its domain (ABI >= 6). With `reads`, it may also read and execute only what that
    view names (and beneath `folders`). Raises `IsolationUnavailable` where Landlock is missing.
    """
    abi = abi_version()
    if abi < 1:
        raise IsolationUnavailable(
            "Landlock is not available on this kernel (needs Linux >= 5.13 with "
            "'landlock' in the lsm= boot list); writes outside the sandbox are not blocked"
        )
    attr, size = _ruleset(abi, reads is not None)
    ruleset_fd = _syscall(
        SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
    )
    try:
        for folder in folders:
            _allow(ruleset_fd, folder, attr.handled_access_fs)
        for path in files:
            _allow(ruleset_fd, path, (FILE_RIGHTS | READ_FILE_RIGHTS) & attr.handled_access_fs)
        if reads is not None:
            _allow_reads(ruleset_fd, reads)
        if _LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(errno)}")
        _syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset_fd), ctypes.c_uint32(0))
    finally:
        os.close(ruleset_fd)
    return abi


def _allow_reads(ruleset_fd: int, view: ReadView) -> None:
    """Add the read rules of `view`; paths that vanished or cannot be opened are skipped."""
    rules = [(path, READ_RIGHTS) for path in view.folders]
    rules += [(path, READ_FILE_RIGHTS) for path in view.files]
    rules += [(path, READ_DIR) for path in view.listable]
    for path, rights in rules:
        with contextlib.suppress(OSError):
            _allow(ruleset_fd, path, rights)
