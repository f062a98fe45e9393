"""Training: config parsing, losses that fall, checkpoints and resume on a mini data folder."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import Batch

from docking.checkpoint import load_model, read_checkpoint
from docking.errors import DockingConfigError
from docking.losses import LossWeights, docking_losses
from docking.model import FlexibleDocker, ModelConfig
from docking.train import TrainConfig, load_train_config, train

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
