"""Save and load docking model checkpoints (weights + the configuration that built them)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from docking.errors import CheckpointError
from docking.network.model import FlexibleDocker, ModelConfig
from science.training.checkpoint import read_state, write_state

CHECKPOINT_FORMAT = "discovery-docking/1"
DEFAULT_CHECKPOINT_NAME = "small_cpu.pt"


def write_model(path: Path, format_name: str, model: torch.nn.Module, **extra) -> None:
    """Write `model`'s weights, its configuration and `extra` under `format_name`, atomically
    (`science.training.checkpoint.write_state`); read back with `read_state`."""
    state = {
        "format": format_name,
        "model_config": asdict(model.config),
        "state_dict": model.state_dict(),
        **extra,
    }
    write_state(path, state)


def save_checkpoint(path: Path, model: FlexibleDocker, **extra) -> None:
    """Write weights, model configuration and `extra` (epoch, history, optimizer...)."""
    write_model(path, CHECKPOINT_FORMAT, model, **extra)


def read_checkpoint(path: Path) -> dict:
    """The raw checkpoint dictionary, checked for our format."""
    return read_state(path, CheckpointError, CHECKPOINT_FORMAT)


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
