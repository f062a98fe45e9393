"""Save and load docking model checkpoints (weights + the configuration that built them)."""

from __future__ import annotations

import pickle
from dataclasses import asdict
from pathlib import Path

import torch

from docking.errors import CheckpointError
from docking.model import FlexibleDocker, ModelConfig

CHECKPOINT_FORMAT = "discovery-docking/1"
DEFAULT_CHECKPOINT_NAME = "small_cpu.pt"


def save_checkpoint(path: Path, model: FlexibleDocker, **extra) -> None:
    """Write weights, model configuration and `extra` (epoch, history, optimizer...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "format": CHECKPOINT_FORMAT,
        "model_config": asdict(model.config),
        "state_dict": model.state_dict(),
        **extra,
    }
    temporary = path.with_suffix(".tmp")
    torch.save(state, temporary)
    temporary.replace(path)  # never leave a half-written checkpoint


def read_checkpoint(path: Path) -> dict:
    """The raw checkpoint dictionary, checked for our format."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as error:
        raise CheckpointError(f"{path}: cannot read checkpoint ({error})") from error
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path}: not a {CHECKPOINT_FORMAT} docking checkpoint")
    return state


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
    return Path(__file__).resolve().parent / "checkpoints" / DEFAULT_CHECKPOINT_NAME
