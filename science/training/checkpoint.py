"""Checkpoints of every trainer: written atomically, read back as tensors and plain data only
(`torch.load(weights_only=True)`: a checkpoint from elsewhere can never run code)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import torch


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Save `state` at `path` through a temporary file, so a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    torch.save(state, temporary)
    temporary.replace(path)


def read_state(path: Path, error: type[Exception], format_name: str | None = None) -> dict:
    """The dictionary saved at `path`, on the CPU, never unpickled; `error` if the file is
    missing, unreadable, not a dictionary, or (with `format_name`) of another format."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as problem:
        raise error(f"{path}: cannot read checkpoint ({problem})") from problem
    if not isinstance(state, dict):
        raise error(f"{path}: not a checkpoint (a {type(state).__name__}, not a dictionary)")
    if format_name is not None and state.get("format") != format_name:
        raise error(f"{path}: not a {format_name} checkpoint")
    return state
