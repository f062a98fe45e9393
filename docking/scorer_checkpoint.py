"""Save and load pose-scorer checkpoints (weights + the sizes that built them)."""

from __future__ import annotations

import pickle
from dataclasses import asdict
from pathlib import Path

import torch

from docking.errors import CheckpointError
from docking.pose_scorer import PoseScorer, ScorerConfig

SCORER_FORMAT = "discovery-pose-scorer/1"
DEFAULT_SCORER_NAME = "pose_scorer.pt"


def save(path: Path, model: PoseScorer, **extra) -> None:
    """Write weights, sizes and `extra` (optimizer, training state, data seen) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "format": SCORER_FORMAT,
        "model_config": asdict(model.config),
        "state_dict": model.state_dict(),
        **extra,
    }
    temporary = path.with_suffix(".tmp")
    torch.save(state, temporary)
    temporary.replace(path)


def load_scorer(path: Path) -> PoseScorer:
    """A `PoseScorer` with the checkpoint's weights, in eval mode."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as error:
        raise CheckpointError(f"{path}: cannot read the pose scorer ({error})") from error
    if not isinstance(state, dict) or state.get("format") != SCORER_FORMAT:
        raise CheckpointError(f"{path}: not a {SCORER_FORMAT} checkpoint")
    model = PoseScorer(ScorerConfig(**state["model_config"]))
    try:
        model.load_state_dict(state["state_dict"])
    except RuntimeError as error:
        raise CheckpointError(f"{path}: weights do not fit the scorer ({error})") from error
    return model.eval()


def default_scorer() -> Path:
    """The pose scorer shipped inside the package (see its model card)."""
    return Path(__file__).resolve().parent / "checkpoints" / DEFAULT_SCORER_NAME
