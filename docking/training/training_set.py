"""What a training run trains on, and the record of it that every checkpoint keeps.

A run's training complexes come from up to three kinds of source (`docking.training.data`): the
PDBbind-subset `train` ids (crystal; ``crystal_train``), `train_extra` archives
(``extra_sources``) and generated pose folders such as Vina poses (``pose_folders``). The
two-stage scheme the docking issue asks for is two runs: pretraining on pose folders only
(``crystal_train: false``), then fine-tuning on crystal complexes from the pretrained
weights (``init_checkpoint``). `data_seen` says, per source, how many complexes a run used,
and nests the record of the checkpoint it started from, so the last checkpoint of a chain
tells everything its weights have seen.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from docking.errors import DockingConfigError
from docking.network.checkpoint import read_checkpoint
from docking.network.featurize import ComplexData
from docking.network.model import FlexibleDocker
from docking.training import pose_folder
from docking.training.data import load_extra, load_pose_folder, load_subset


class Sources(Protocol):
    """The fields of a training config that say what to train on (`docking.training.train.TrainConfig`
    has them; named here so that this module needs nothing of the trainer)."""

    data_folder: Path | None
    seed: int
    crystal_train: bool
    extra_sources: list[str]
    extra_limit: int | None
    pose_folders: list[Path]
    pose_limit: int | None
    init_checkpoint: Path | None


@dataclass(frozen=True)
class TrainingSet:
    """The training complexes, the names of those from `train_extra`, and `data_seen`."""

    complexes: list[ComplexData]
    extra_names: list[str]
    seen: dict


def _pose_record(folder: Path, complexes: list[ComplexData]) -> dict:
    index = pose_folder.index_path(folder).read_bytes()
    targets = Counter(c.name.split("/")[1] for c in complexes)
    return {
        "kind": "generated poses (docking.training.vina_poses: Vina top pose in a DOCKSTRING target)",
        "complexes": len(complexes),
        "targets": dict(sorted(targets.items())),
        "folder": str(folder),
        "settings": pose_folder.read_settings(folder),
        "index_sha256": hashlib.sha256(index).hexdigest(),
    }


def assemble(config: Sources, train_ids: tuple[str, ...], cache: Path) -> TrainingSet:
    """Load every source `config` names; refuse a run with nothing to train on."""
    complexes: list[ComplexData] = []
    seen: dict = {}
    if config.crystal_train:
        complexes += load_subset(config.data_folder, train_ids, cache, seed=config.seed)
        seen["pdbbind_subset_train"] = {"kind": "crystal", "complexes": len(train_ids)}
    extra_names = []
    for source in config.extra_sources:
        found = load_extra(config.data_folder, source, cache, config.seed, config.extra_limit)
        complexes += found
        extra_names += [c.name for c in found]
        seen[f"train_extra/{source}"] = {"kind": "train_extra archive", "complexes": len(found)}
    for folder in config.pose_folders:
        found = load_pose_folder(folder, config.data_folder, cache, config.seed, config.pose_limit)
        complexes += found
        seen[f"poses/{Path(folder).name}"] = _pose_record(Path(folder).expanduser(), found)
    if not complexes:
        raise DockingConfigError(
            "nothing to train on: crystal_train is false and no extra_sources or pose_folders "
            "are given"
        )
    if config.init_checkpoint is not None:
        seen["init_checkpoint"] = provenance(config.init_checkpoint)
    return TrainingSet(complexes, extra_names, seen)


def provenance(path: Path) -> dict:
    """Where a starting checkpoint came from: its path, epoch and its own `data_seen`."""
    state = read_checkpoint(path)
    return {"path": str(path), "epoch": state.get("epoch"), "data_seen": state.get("data_seen")}


def initialize(model: FlexibleDocker, path: Path) -> None:
    """Load pretrained weights into `model`; the model sections must agree."""
    state = read_checkpoint(path)
    if state["model_config"] != asdict(model.config):
        raise DockingConfigError(
            f"init_checkpoint {path} was built with model {state['model_config']}, but this "
            f"config asks for {asdict(model.config)}: copy the pretraining run's `model:` section"
        )
    model.load_state_dict(state["state_dict"])
