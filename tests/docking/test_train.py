"""Training: config parsing, losses that fall, checkpoints and resume on a mini data folder,
pretraining on generated poses then fine-tuning, and the record of what each run saw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch_geometric.data import Batch

from docking.errors import DockingConfigError
from docking.network.checkpoint import load_model, read_checkpoint
from docking.network.losses import LossWeights, docking_losses
from docking.network.model import FlexibleDocker, ModelConfig
from docking.training.train import TrainConfig, load_train_config, train
from docking.training.training_set import initialize

TINY = ModelConfig(hidden=16, pocket_layers=1, docking_layers=1, rounds=1, pocket_residues=16)


def test_config_rejects_unknown_keys(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text("epochs: 2\nlearning_rat: 0.1\n")
    with pytest.raises(DockingConfigError, match="learning_rat"):
        load_train_config(path)


def test_config_reads_nested_model_section(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text("epochs: 2\nout_dir: runs/x\nmodel: {hidden: 32, rounds: 4}\n")
    config = load_train_config(path)
    assert config.epochs == 2 and config.model.hidden == 32 and config.model.rounds == 4
    assert config.model.pocket_residues == ModelConfig().pocket_residues


def test_a_few_steps_reduce_the_loss_on_one_complex(complex_6ce6):
    torch.manual_seed(0)
    model = FlexibleDocker(TINY)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    batch = Batch.from_data_list([complex_6ce6])
    centre = batch["ligand"].pos_true.mean(0, keepdim=True)
    totals = []
    for _ in range(20):
        terms = docking_losses(model(batch, pocket_center=centre), batch, LossWeights())
        optimizer.zero_grad()
        terms["total"].backward()
        optimizer.step()
        totals.append(float(terms["total"].detach()))
    assert set(terms) >= {"ligand", "pocket_class", "pocket_ca", "distance", "chirality"}
    assert totals[-1] < 0.85 * totals[0]


def test_training_writes_checkpoints_and_resumes(mini_data_folder, tmp_path):
    config = TrainConfig(
        out_dir=tmp_path / "run",
        data_folder=mini_data_folder,
        cache_dir=tmp_path / "cache",
        model=TINY,
        epochs=1,
        batch_size=1,
        extra_sources=["small_example_sets"],
    )
    first = train(config)
    assert len(first["history"]) == 1
    config.epochs = 2
    second = train(config)
    assert [h["epoch"] for h in second["history"]] == [1, 2]
    state = read_checkpoint(tmp_path / "run" / "last.pt")
    assert state["train_ids"] == ["6ce6"] and state["validation_ids"] == ["5i7x"]
    assert state["extra_train_complexes"] == ["x/6ce6"]
    assert isinstance(load_model(tmp_path / "run" / "best.pt"), FlexibleDocker)


def test_pretraining_on_poses_then_fine_tuning_records_what_each_saw(
    mini_data_folder, data_dir, tmp_path
):
    common = {"data_folder": mini_data_folder, "cache_dir": tmp_path / "cache", "model": TINY}
    pretrain = TrainConfig(
        out_dir=tmp_path / "pre",
        crystal_train=False,
        pose_folders=[data_dir / "vina_poses"],
        epochs=1,
        **common,
    )
    train(pretrain)
    seen = read_checkpoint(tmp_path / "pre" / "best.pt")["data_seen"]
    assert list(seen) == ["poses/vina_poses"]
    assert seen["poses/vina_poses"]["complexes"] == 2
    assert seen["poses/vina_poses"]["targets"] == {"ABL1": 2}
    assert seen["poses/vina_poses"]["settings"]["exhaustiveness"] == 1
    finetune = TrainConfig(
        out_dir=tmp_path / "fine", init_checkpoint=tmp_path / "pre" / "best.pt", epochs=1, **common
    )
    train(finetune)
    state = read_checkpoint(tmp_path / "fine" / "best.pt")
    assert state["train_ids"] == ["6ce6"]
    assert state["data_seen"]["pdbbind_subset_train"]["complexes"] == 1
    assert state["data_seen"]["init_checkpoint"]["data_seen"] == seen  # the chain is kept
    written = json.loads((tmp_path / "fine" / "data_seen.json").read_text())
    assert written == state["data_seen"]


def test_init_checkpoint_loads_weights_of_the_same_model_only(tiny_checkpoint):
    model = FlexibleDocker(ModelConfig(hidden=16, pocket_layers=1, docking_layers=1, rounds=1))
    initialize(model, tiny_checkpoint)
    saved = read_checkpoint(tiny_checkpoint)["state_dict"]
    assert all(torch.equal(saved[k], v) for k, v in model.state_dict().items())
    with pytest.raises(DockingConfigError, match="copy the pretraining run's `model:` section"):
        initialize(FlexibleDocker(TINY), tiny_checkpoint)


def test_a_run_with_nothing_to_train_on_is_refused(mini_data_folder, tmp_path):
    config = TrainConfig(
        out_dir=tmp_path / "run", data_folder=mini_data_folder, crystal_train=False, model=TINY
    )
    with pytest.raises(DockingConfigError, match="nothing to train on"):
        train(config)


def test_config_reads_pose_folders_and_init_checkpoint(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text("crystal_train: false\npose_folders: [~/poses]\ninit_checkpoint: ~/a.pt\n")
    config = load_train_config(path)
    assert config.pose_folders == [Path("~/poses").expanduser()]
    assert config.init_checkpoint == Path("~/a.pt").expanduser()
    assert not config.crystal_train


def test_gpu_pretrain_and_finetune_presets_chain():
    configs = Path(__file__).resolve().parents[2] / "docking" / "configs"
    pretrain = load_train_config(configs / "gpu_pretrain.yaml")
    finetune = load_train_config(configs / "gpu_finetune.yaml")
    assert not pretrain.crystal_train and pretrain.pose_folders
    assert finetune.crystal_train and finetune.init_checkpoint == pretrain.out_dir / "best.pt"
    assert finetune.model == pretrain.model  # initialize() refuses another model


def test_presets_load_by_name_from_any_folder(tmp_path, monkeypatch):
    configs = Path(__file__).resolve().parents[2] / "docking" / "configs"
    monkeypatch.chdir(tmp_path)  # not the repository: the presets come from the package
    assert load_train_config("small_cpu") == load_train_config(configs / "small_cpu.yaml")
    assert load_train_config("gpu_finetune", epochs=3).epochs == 3
    with pytest.raises(DockingConfigError, match="small_cpu"):  # the error lists the presets
        load_train_config("tiny_gpu")
