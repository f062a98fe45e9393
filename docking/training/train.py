"""Train the docking model on PDBbind-subset train ids (plus any chosen `train_extra`
sources and generated pose folders; `docking.training.training_set`), validate on the subset's val
ids, checkpoint. Pretraining on Vina poses then fine-tuning on crystal complexes is two runs:
``crystal_train: false`` with ``pose_folders``, then ``init_checkpoint`` (the first run's
``best.pt``) with crystal data.

The loop: shuffle the training complexes (seeded), perturb the input Cα (a stand-in for
apo structures when only holo ones exist) and the pocket centre used for cropping
(FABFlex feeds the true pocket with noise during training), minimise `docking_losses`,
then validate with the *predicted* pocket and save ``last.pt`` (resumable: weights,
optimizer, epoch, history) and ``best.pt`` (lowest mean validation ligand RMSD); both keep ``data_seen`` (sources and counts, and the
starting checkpoint's own record), also written to ``out_dir/data_seen.json``.
Training stops at `epochs` or after `max_minutes`, whichever comes first.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import torch
from torch_geometric.data import HeteroData
from torch_geometric.loader import DataLoader
from tqdm import tqdm

from docking.errors import DockingConfigError
from docking.network.checkpoint import read_checkpoint, save_checkpoint
from docking.network.featurize import ComplexData
from docking.network.geometry import graph_rmsd
from docking.network.losses import LossWeights, docking_losses, pocket_centres
from docking.network.model import FlexibleDocker, ModelConfig
from docking.training.data import SUBSET_INDEX, load_subset, read_subset_ids
from docking.training.training_set import assemble, initialize
from science.training.config import load_config

log = logging.getLogger(__name__)

PRESETS = resources.files("docking") / "configs"  # package data: found from any folder


@dataclass
class TrainConfig:
    """Everything one training run needs; built from YAML by `load_train_config`."""

    out_dir: Path = Path("docking-run")
    data_folder: Path | None = None  # the staged shared data; the CLI fills it in
    cache_dir: Path = Path("~/.cache/discovery/docking")
    model: ModelConfig = field(default_factory=ModelConfig)
    weights: LossWeights = field(default_factory=LossWeights)
    epochs: int = 100
    max_minutes: float = 10.0
    batch_size: int = 4
    learning_rate: float = 1e-3
    seed: int = 0
    threads: int = 1
    center_noise_angstrom: float = 2.0
    apo_noise_angstrom: float = 0.5
    limit_train: int | None = None  # use only the first N training ids (smoke tests)
    extra_sources: list[str] = field(
        default_factory=list
    )  # names in docking.training.data.EXTRA_SOURCES
    extra_limit: int | None = None  # at most this many rows per extra source
    crystal_train: bool = True  # train on the PDBbind-subset train ids (false: pretraining)
    pose_folders: list[Path] = field(default_factory=list)  # docking.training.vina_poses folders
    pose_limit: int | None = None  # at most this many poses per folder
    init_checkpoint: Path | None = None  # start from these weights (fine-tuning)
    device: str = "cpu"


def load_train_config(path: str | Path, **overrides) -> TrainConfig:
    """Read a training config: a YAML path or a preset name (`PRESETS`: ``small_cpu``,
    ``gpu``...); `overrides` that are not None replace its keys (`science.training.config`)."""
    return load_config(TrainConfig, path, DockingConfigError, PRESETS, overrides)


def perturb(batch: HeteroData, config: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    """Noise the input Cα in place; return noisy pocket centres (B, 3) for cropping."""
    residues = batch["residue"]
    noise = torch.randn(residues.pos.shape, generator=generator) * config.apo_noise_angstrom
    residues.pos = residues.pos_true + noise.to(residues.pos)
    centres = pocket_centres(batch)
    shift = torch.randn(centres.shape, generator=generator) * config.center_noise_angstrom
    return centres + shift.to(centres)


@torch.no_grad()
def validate(model: FlexibleDocker, complexes: list[ComplexData], device: str) -> dict:
    """Ligand RMSD (mean, median, share under 2 Å) and pocket-centre error with the
    predicted pocket, and the ligand RMSD when the true pocket centre is given."""
    model.eval()
    rmsds, given, centre_errors = [], [], []
    for batch in DataLoader(complexes, batch_size=4):
        batch = batch.to(device)
        ligand, truth = batch["ligand"], pocket_centres(batch)
        output = model(batch)
        count = output.pocket_center.shape[0]
        rmsds.append(graph_rmsd(output.ligand_pos, ligand.pos_true, ligand.batch, count))
        centre_errors.append((output.pocket_center - truth).norm(dim=-1))
        pose = model(batch, pocket_center=truth).ligand_pos
        given.append(graph_rmsd(pose, ligand.pos_true, ligand.batch, count))
    rmsd, centre, rmsd_given = torch.cat(rmsds), torch.cat(centre_errors), torch.cat(given)
    return {
        "ligand_rmsd_mean": float(rmsd.mean()),
        "ligand_rmsd_median": float(rmsd.median()),
        "ligand_rmsd_below_2A": float((rmsd < 2.0).float().mean()),
        "pocket_center_error_median": float(centre.median()),
        "ligand_rmsd_median_true_pocket": float(rmsd_given.median()),
        "ligand_rmsd_below_2A_true_pocket": float((rmsd_given < 2.0).float().mean()),
    }


def train_epoch(
    model: FlexibleDocker,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    config: TrainConfig,
    generator: torch.Generator,
    deadline: float,
) -> dict:
    """One pass over the training complexes (stops early at `deadline`); mean losses."""
    model.train()
    sums: dict[str, float] = {}
    steps = 0
    for batch in tqdm(loader, desc="train", leave=False):
        if time.monotonic() > deadline:
            break
        batch = batch.to(config.device)
        centre = perturb(batch, config, generator)
        terms = docking_losses(model(batch, pocket_center=centre), batch, config.weights)
        optimizer.zero_grad()
        terms["total"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        for name, value in terms.items():
            sums[name] = sums.get(name, 0.0) + float(value.detach())
        steps += 1
    return {name: total / max(steps, 1) for name, total in sums.items()}


def train(config: TrainConfig, resume: bool = True) -> dict:
    """Train per `config`; resume from ``out_dir/last.pt`` when present. Returns history."""
    if config.data_folder is None:
        raise DockingConfigError("TrainConfig.data_folder is not set; point it at shared/data")
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    cache = config.cache_dir.expanduser()
    ids = read_subset_ids(config.data_folder / SUBSET_INDEX)
    train_ids = ids.train[: config.limit_train] if config.limit_train else ids.train
    training = assemble(config, train_ids, cache)
    validation_set = load_subset(config.data_folder, ids.validation, cache, seed=config.seed)
    model = FlexibleDocker(config.model).to(config.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    history, start_epoch, best = [], 0, float("inf")
    last = config.out_dir / "last.pt"
    if resume and last.exists():
        state = read_checkpoint(last)
        model.load_state_dict(state["state_dict"])
        optimizer.load_state_dict(state["optimizer"])
        history, start_epoch, best = state["history"], state["epoch"], state["best_rmsd"]
        log.info("resumed from %s at epoch %d", last, start_epoch)
    elif config.init_checkpoint is not None:
        initialize(model, config.init_checkpoint)
        log.info("weights initialized from %s", config.init_checkpoint)
    _write_data_seen(config.out_dir, training.seen)
    generator = torch.Generator().manual_seed(config.seed + start_epoch)
    loader = DataLoader(
        training.complexes, batch_size=config.batch_size, shuffle=True, generator=generator
    )
    deadline = time.monotonic() + 60 * config.max_minutes
    for epoch in tqdm(range(start_epoch, config.epochs), desc="epochs"):
        if time.monotonic() > deadline:
            log.info("time budget of %.1f minutes spent at epoch %d", config.max_minutes, epoch)
            break
        losses = train_epoch(model, loader, optimizer, config, generator, deadline)
        metrics = validate(model, validation_set, config.device)
        history.append({"epoch": epoch + 1, "train": losses, "validation": metrics})
        log.info("epoch %d: loss %.3f, validation %s", epoch + 1, losses.get("total", 0), metrics)
        meta = {
            "epoch": epoch + 1,
            "history": history,
            "train_ids": list(train_ids) if config.crystal_train else [],
            "extra_train_complexes": training.extra_names,
            "data_seen": training.seen,
            "validation_ids": list(ids.validation),
            "train_config": _plain(asdict(config)),
        }
        if metrics["ligand_rmsd_mean"] < best:
            best = metrics["ligand_rmsd_mean"]
            save_checkpoint(config.out_dir / "best.pt", model, **meta)
        save_checkpoint(last, model, optimizer=optimizer.state_dict(), best_rmsd=best, **meta)
    return {"history": history, "best_validation_rmsd": best}


def _write_data_seen(out_dir: Path, seen: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "data_seen.json").write_text(json.dumps(seen, indent=2) + "\n")


def _plain(value):
    """Paths to strings, recursively, so checkpoints hold only plain data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Path) else value
