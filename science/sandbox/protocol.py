"""Length-prefixed messages: pickles between `SandboxPool` and its workers (trusted, streams),
raw frames on file descriptors between a worker and its zygote (replies are JSON: untrusted)."""

from __future__ import annotations

import os
import pickle
import select
import struct
import time
from typing import BinaryIO

HEADER = struct.Struct("!Q")


def read_message(stream: BinaryIO) -> object | None:
    """Read one message; None at end of stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return pickle.loads(stream.read(size))


def write_message(stream: BinaryIO, message: object) -> None:
    """Write one message and flush."""
    data = pickle.dumps(message)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def write_frame(fd: int, data: bytes) -> None:
    """Write one length-prefixed frame of raw bytes to a file descriptor."""
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    chunks, left = [], size
    while left:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError(f"no complete message within the deadline ({left} bytes left)")
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None, max_bytes: int = 1 << 30) -> bytes | None:
    """Read one frame; None at end of stream; `TimeoutError` past `deadline` (monotonic clock).

    A frame larger than `max_bytes` raises `ValueError` (the sender is not to be trusted).
    """
    header = _read_exactly(fd, HEADER.size, deadline)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > max_bytes:
        raise ValueError(f"message of {size} bytes exceeds the limit of {max_bytes}")
    return _read_exactly(fd, size, deadline) if size else b""
