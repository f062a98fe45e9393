"""Save and load pose-scorer checkpoints (weights + the sizes that built them)."""

from __future__ import annotations

from pathlib import Path

from docking.errors import CheckpointError
from docking.network.checkpoint import write_model
from docking.network.pose_scorer import PoseScorer, ScorerConfig
from science.training.checkpoint import read_state

SCORER_FORMAT = "discovery-pose-scorer/1"
DEFAULT_SCORER_NAME = "pose_scorer.pt"


def save(path: Path, model: PoseScorer, **extra) -> None:
    """Write weights, sizes and `extra` (optimizer, training state, data seen) atomically."""
    write_model(path, SCORER_FORMAT, model, **extra)


def load_scorer(path: Path) -> PoseScorer:
    """A `PoseScorer` with the checkpoint's weights, in eval mode."""
    state = read_state(path, CheckpointError, SCORER_FORMAT)
    model = PoseScorer(ScorerConfig(**state["model_config"]))
    try:
        model.load_state_dict(state["state_dict"])
    except RuntimeError as error:
        raise CheckpointError(f"{path}: weights do not fit the scorer ({error})") from error
    return model.eval()


def default_scorer() -> Path:
    """The pose scorer shipped inside the package (see its model card)."""
    return Path(__file__).resolve().parents[1] / "checkpoints" / DEFAULT_SCORER_NAME
