"""Where a pretraining run stands, saved every few minutes so that a stopped run resumes.

`resume.pt` in the run's `out_dir` holds the weights, the AdamW state, the step, the data
position (epoch and offset in that epoch's shuffled order), tokens and seconds so far and the
loss history: plain tensors, numbers, lists and dicts, so it loads with
``torch.load(weights_only=True)`` (no unpickling of code). A run finds the file and goes on
from it; the config's data-shaping fields are fingerprinted into it, and a file written under
other ones is refused rather than silently mixed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from molopt.policy.config import PretrainConfig
from molopt.policy.errors import CheckpointError

RESUME_FILE = "resume.pt"
# Config fields that decide the data, the network or the update: a resumed run must share them.
FINGERPRINTED = (
    "sources",
    "model",
    "seed",
    "batch_size",
    "valid_size",
    "init_from",
    "randomized_share",
)


@dataclass
class TrainingState:
    """Counters of a run: steps done, data position, tokens and seconds, loss history."""

    step: int = 0
    epoch: int = 0
    position: int = 0
    tokens: int = 0
    seconds: float = 0.0
    train_loss: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)


def fingerprint(config: PretrainConfig) -> str:
    """JSON of the fields a resumed run may not change."""
    values = asdict(config)
    return json.dumps({name: values[name] for name in FINGERPRINTED}, sort_keys=True)


def save_state(
    folder: Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    state: TrainingState,
    config: PretrainConfig,
) -> Path:
    """Write `resume.pt` atomically (a temporary file, then a rename): a kill never leaves
    half a file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "state": asdict(state),
        "fingerprint": fingerprint(config),
    }
    path, partial = folder / RESUME_FILE, folder / f"{RESUME_FILE}.partial"
    torch.save(payload, partial)
    os.replace(partial, path)
    return path


def load_state(folder: Path, config: PretrainConfig) -> dict[str, Any] | None:
    """The saved payload of a run in `folder` (weights_only load), or None if it has none;
    `CheckpointError` if it was written under a config that shapes data or model otherwise."""
    path = Path(folder) / RESUME_FILE
    if not path.is_file():
        return None
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("fingerprint") != fingerprint(config):
        raise CheckpointError(
            f"{path} was written by a run with other data or model settings "
            f"({payload.get('fingerprint')}); give another out_dir or delete it to start afresh"
        )
    payload["state"] = TrainingState(**payload["state"])
    return payload
