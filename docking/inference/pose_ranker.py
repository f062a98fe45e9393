"""A linear listwise pose ranker: few weights over complex-relative pose features.

For the poses i of one complex with features x_i (`docking.inference.pose_features`),
standardized with the training set's mean and spread, the ranker's score is s_i = w·z_i
and its belief that pose i is the complex's near-native one is the softmax over the
complex's poses, P(i) = exp(s_i) / Σ_j exp(s_j) (the ListNet top-one model, Cao et al.
2007). It is fit by `docking.training.ranker_fit` and saved as a small JSON file
(`RANKER_FORMAT`): the feature names, means, spreads and weights, so a reader sees the
whole model.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from docking.errors import CheckpointError
from docking.inference.pose_features import FEATURES

RANKER_FORMAT = "discovery-pose-ranker/1"
DEFAULT_RANKER_NAME = "pose_ranker.json"


@dataclass(frozen=True)
class PoseRanker:
    """Weights over standardized features (`features` names them, in order) and how the
    ranker was fit (`fit`: data, regularization, cross-validation figures)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    fit: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        sizes = {len(self.features), len(self.mean), len(self.scale), len(self.weights)}
        if len(sizes) != 1:
            raise CheckpointError(f"ranker fields differ in length: {sorted(sizes)}")

    def scores(self, features: np.ndarray) -> np.ndarray:
        """(n,) score of each pose from its (n, F) features; higher ranks first."""
        if features.ndim != 2 or features.shape[1] != len(self.features):
            raise ValueError(
                f"features of shape {features.shape}; the ranker needs (n, {len(self.features)})"
            )
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.weights)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n,) softmax of the scores over the complex's poses."""
        s = self.scores(features)
        e = np.exp(s - s.max())
        return e / e.sum()


def save_ranker(path: Path, ranker: PoseRanker) -> None:
    """Write the ranker as indented JSON."""
    record = {"format": RANKER_FORMAT, **asdict(ranker)}
    path.write_text(json.dumps(record, indent=1) + "\n")


def load_ranker(path: Path) -> PoseRanker:
    """The ranker in `path`, checked against this code's feature list."""
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: cannot read the pose ranker ({error})") from error
    if record.get("format") != RANKER_FORMAT:
        raise CheckpointError(f"{path}: not a pose ranker ({RANKER_FORMAT}) file")
    unknown = set(record["features"]) - set(FEATURES)
    if unknown:
        raise CheckpointError(
            f"{path}: fit on features {sorted(unknown)} this code does not compute ({FEATURES})"
        )
    return PoseRanker(
        tuple(record["features"]),
        tuple(record["mean"]),
        tuple(record["scale"]),
        tuple(record["weights"]),
        record.get("fit", {}),
    )


def default_ranker() -> Path:
    """The pose ranker shipped inside the package (see its model card)."""
    return Path(__file__).resolve().parents[1] / "checkpoints" / DEFAULT_RANKER_NAME
