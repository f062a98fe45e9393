"""Training configuration of the RePO trainers, read from YAML (molopt/configs/repo_*.yaml).

One dataclass for all four variants of the paper's table:

- ``method: sft`` — supervised fine-tuning on reference answers;
- ``method: grpo``, ``reference_weight: 0`` — GRPO (from scratch, or from SFT with ``init_from``);
- ``method: grpo``, ``reference_weight: β > 0`` — RePO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from molopt.repo.edits import OPT_TASKS
from molopt.repo.errors import RepoConfigError
from molopt.repo.model import ModelConfig
from science.training import config as training_config

METHODS = ("sft", "grpo")
PRESETS = resources.files("molopt") / "configs"  # shipped as package data, editable or not


@dataclass
class RepoConfig:
    """Everything one training run needs."""

    method: str = "sft"
    reference_weight: float = 0.0  # β of RePO; 0 is GRPO
    init_from: Path | None = None  # start from this checkpoint (GRPO from SFT)
    out_dir: Path = Path("repo-run")
    data_dir: Path | None = None  # staged molopt data; the CLI fills in the default
    train: list[str] = field(default_factory=lambda: ["openmolins_small"])  # names or CSV paths
    tasks: list[str] = field(default_factory=lambda: list(OPT_TASKS))
    zinc_pairs_pool: int = 0  # mine pairs among this many non-test ZINC molecules (0: off)
    zinc_min_similarity: float = 0.4
    limit_train: int | None = None
    model: ModelConfig = field(default_factory=ModelConfig)
    steps: int = 100
    batch_size: int = 32
    group_size: int = 4  # GRPO samples per prompt
    learning_rate: float = 1e-3
    max_new_tokens: int = 96
    temperature: float = 1.0
    checkpoint_every: int = 50
    max_minutes: float = 10.0
    seed: int = 0
    threads: int = 1
    device: str = "auto"  # auto: cuda when present

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise RepoConfigError(f"method '{self.method}' unknown; choose one of {METHODS}")
        if self.method == "sft" and self.reference_weight:
            raise RepoConfigError("reference_weight is a GRPO/RePO setting; set method: grpo")

    @property
    def variant(self) -> str:
        """The row name in the paper's table: SFT, GRPO, GRPO from SFT, or RePO."""
        if self.method == "sft":
            return "SFT"
        if self.reference_weight > 0:
            return "RePO"
        return "GRPO from SFT" if self.init_from else "GRPO"


def preset_names() -> list[str]:
    """Names of the configurations shipped with the package (``repo_sft_cpu``, ...)."""
    return training_config.preset_names(PRESETS)


def _beside(config: Path, source: str) -> str:
    """A relative CSV path of `train:` resolved against the config's folder (names such as
    `openmolins_small` stay names), so a preset loads from any working folder."""
    if not source.endswith(".csv") or Path(source).expanduser().is_absolute():
        return source
    return str(config.parent / source)


def _train_beside_file(data: dict[str, Any], path: Path) -> dict[str, Any]:
    if isinstance(data.get("train"), list):  # CSV paths in the file are relative to the file
        data["train"] = [_beside(path, str(source)) for source in data["train"]]
    return data


def load_config(path: str | Path, **overrides) -> RepoConfig:
    """Read a YAML configuration: a path, or a preset name (`PRESETS`, found from any folder
    and from a non-editable install); `overrides` that are not None replace its keys."""
    return training_config.load_config(
        RepoConfig, path, RepoConfigError, PRESETS, overrides, prepare=_train_beside_file
    )
