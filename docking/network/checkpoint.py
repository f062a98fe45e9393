"""Save and load docking model checkpoints (weights + the configuration that built them)."""

from __future__ import annotations

import pickle
from dataclasses import asdict
from pathlib import Path

import torch

from docking.errors import CheckpointError
from docking.network.model import FlexibleDocker, ModelConfig

CHECKPOINT_FORMAT = "discovery-docking/1"
DEFAULT_CHECKPOINT_NAME = "small_cpu.pt"


def write_state(path: Path, format_name: str, model: torch.nn.Module, **extra) -> None:
    """Write `model`'s weights, its configuration and `extra` under `format_name`, atomically
    (a half-written checkpoint is never left behind)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "format": format_name,
        "model_config": asdict(model.config),
        "state_dict": model.state_dict(),
        **extra,
    }
    temporary = path.with_suffix(".tmp")
    torch.save(state, temporary)
    temporary.replace(path)


def read_state(path: Path, format_name: str) -> dict:
    """The raw dictionary of a checkpoint written by `write_state` (tensors and plain data
    only: never unpickled), checked for `format_name`."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as error:
        raise CheckpointError(f"{path}: cannot read checkpoint ({error})") from error
    if not isinstance(state, dict) or state.get("format") != format_name:
        raise CheckpointError(f"{path}: not a {format_name} checkpoint")
    return state


def save_checkpoint(path: Path, model: FlexibleDocker, **extra) -> None:
    """Write weights, model configuration and `extra` (epoch, history, optimizer...)."""
    write_state(path, CHECKPOINT_FORMAT, model, **extra)


def read_checkpoint(path: Path) -> dict:
    """The raw checkpoint dictionary, checked for our format."""
    return read_state(path, CHECKPOINT_FORMAT)


def load_model(path: Path, device: str | torch.device = "cpu") -> FlexibleDocker:
    """A `FlexibleDocker` with the checkpoint's weights, in eval mode on `device`."""
    state = read_checkpoint(path)
    model = FlexibleDocker(ModelConfig(**state["model_config"]))
    try:
        model.load_state_dict(state["state_dict"])
    except RuntimeError as error:
        raise CheckpointError(f"{path}: weights do not fit the model ({error})") from error
    return model.to(device).eval()


def default_checkpoint() -> Path:
    """The checkpoint shipped inside the package (small CPU model; see its model card)."""
    return Path(__file__).resolve().parents[1] / "checkpoints" / DEFAULT_CHECKPOINT_NAME
