"""The pretraining configuration (a YAML file; see `molopt/policy/configs/`)."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from molopt.policy.errors import PretrainConfigError
from molopt.policy.model import ModelSize
from science.training import config as training_config

log = logging.getLogger(__name__)

MOSES = "moses"
PRESETS = resources.files("molopt") / "policy" / "configs"  # package data: any folder


@dataclass(frozen=True)
class Source:
    """One SMILES file: a path under the data folder (or `moses`), an optional random cap."""

    path: str
    limit: int | None = None
    optional: bool = False


@dataclass(frozen=True)
class PretrainConfig:
    """Everything a pretraining run needs besides the data folder."""

    out_dir: str
    sources: tuple[Source, ...]
    model: ModelSize = field(default_factory=ModelSize)
    device: str = "cpu"
    threads: int = 2
    seed: int = 0
    steps: int = 2500
    max_minutes: float = 15.0
    batch_size: int = 128
    learning_rate: float = 1e-3
    warmup_steps: int = 100
    weight_decay: float = 0.01
    valid_size: int = 2000
    eval_every: int = 250
    sample_check: int = 1000
    # Start from this checkpoint folder's weights and vocabulary instead of a fresh network.
    init_from: str | None = None
    # Share of each batch written as a randomized SMILES (Arus-Pous et al. 2019), not canonical.
    randomized_share: float = 0.0
    # Save weights, optimizer and data position this often (minutes; 0: only at the end).
    checkpoint_minutes: float = 5.0


def load_config(path: str | Path, **overrides) -> PretrainConfig:
    """Read and check a pretraining config: a YAML path or a preset name (`PRESETS`:
    ``cpu_small``, ``gpu``); `overrides` that are not None replace its keys."""
    config = training_config.load_config(
        PretrainConfig, path, PretrainConfigError, PRESETS, overrides
    )
    if not config.sources:
        raise PretrainConfigError(f"{path}: `sources` (SMILES files to train on) is required")
    if not 0.0 <= config.randomized_share <= 1.0:
        raise PretrainConfigError(
            f"{path}: `randomized_share` is a share of each batch, in [0, 1]; "
            f"got {config.randomized_share}"
        )
    return config


def moses_train_path() -> Path | None:
    """The MOSES train split bundled with the `molsets` package, if it is installed."""
    spec = importlib.util.find_spec(MOSES)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "dataset" / "data" / "train.csv.gz"
    return path if path.is_file() else None


def resolve_sources(config: PretrainConfig, data_folder: Path) -> list[tuple[Path, int | None]]:
    """Paths and caps of the sources; a missing optional source is skipped with a warning."""
    resolved = []
    for source in config.sources:
        path = moses_train_path() if source.path == MOSES else Path(data_folder) / source.path
        if path is None or not path.is_file():
            if not source.optional:
                raise PretrainConfigError(
                    f"pretraining source '{source.path}' not found under {data_folder}"
                )
            log.warning("optional pretraining source '%s' not available: skipped", source.path)
            continue
        resolved.append((path, source.limit))
    return resolved
