"""Length-prefixed pickle messages between `SandboxPool` and its worker processes."""

from __future__ import annotations

import pickle
import struct
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
