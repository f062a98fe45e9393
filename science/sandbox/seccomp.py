"""A seccomp filter that takes pathname Unix sockets (and io_uring) away from a sandbox.

Landlock governs files and TCP, and the network namespace empties the network, but neither
stops `connect()` to a Unix socket that lives on the filesystem: a database on
`/run/postgresql/.s.PGSQL.5432` with local trust, or `/var/run/docker.sock`. No candidate or
verifier needs one, so `socket(AF_UNIX, ...)` fails with EACCES. `io_uring_setup` is refused
too (io_uring can open sockets without the `socket` system call), and so is every system call
made through another architecture's entry (32-bit `int 0x80`, x32), which this filter would
otherwise not see. The filter is a classic BPF program installed with prctl(PR_SET_SECCOMP);
see the kernel's Documentation/userspace-api/seccomp_filter.rst.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform

from science.errors import IsolationUnavailable

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS
JUMP_EQUAL = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
JUMP_GREATER_EQUAL = 0x35  # BPF_JMP | BPF_JGE | BPF_K
RETURN = 0x06  # BPF_RET | BPF_K
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16  # struct seccomp_data
AF_UNIX = 1
X32_BIT = 0x40000000
IO_URING_SETUP = 425  # the same number on every architecture (new syscall table)
# machine: (AUDIT_ARCH_*, socket's number)
ARCHITECTURES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}


class _Instruction(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def _program(arch: int, socket_nr: int) -> list[tuple[int, int, int, int]]:
    """The filter, instruction by instruction: (code, jump if true, jump if false, k)."""
    deny = RET_ERRNO | errno.EPERM
    return [
        (LOAD_WORD, 0, 0, OFFSET_ARCH),
        (JUMP_EQUAL, 1, 0, arch),  # a foreign architecture's entry: refuse everything
        (RETURN, 0, 0, deny),
        (LOAD_WORD, 0, 0, OFFSET_NR),
        (JUMP_GREATER_EQUAL, 0, 1, X32_BIT),  # x32 system calls
        (RETURN, 0, 0, deny),
        (JUMP_EQUAL, 0, 1, IO_URING_SETUP),
        (RETURN, 0, 0, deny),
        (JUMP_EQUAL, 0, 3, socket_nr),
        (LOAD_WORD, 0, 0, OFFSET_ARG0),  # the socket's domain
        (JUMP_EQUAL, 0, 1, AF_UNIX),
        (RETURN, 0, 0, RET_ERRNO | errno.EACCES),
        (RETURN, 0, 0, RET_ALLOW),
    ]


def deny_unix_sockets() -> None:
    """Install the filter on this process and its future children, for good."""
    machine = platform.machine()
    if machine not in ARCHITECTURES:
        raise IsolationUnavailable(f"no seccomp filter for the {machine} architecture")
    instructions = _program(*ARCHITECTURES[machine])
    array = (_Instruction * len(instructions))(*(_Instruction(*i) for i in instructions))
    program = _Program(len(instructions), array)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        reason = os.strerror(ctypes.get_errno())
        raise IsolationUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS): {reason}")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        raise IsolationUnavailable(f"seccomp filter: {os.strerror(ctypes.get_errno())}")
