"""The RePO training loop on the tiny CPU config: SFT learns, runs resume, RL variants run."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discovery.cli import app
from molopt.repo.config import load_config, preset_names
from molopt.repo.errors import RepoConfigError
from molopt.repo.model import read_checkpoint
from molopt.repo.train import train

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "molopt" / "configs" / "repo_tiny.yaml"
ROWS = str(ROOT / "molopt" / "configs" / "openmolins_tiny.csv")


def tiny(out_dir: Path, **overrides):
    return load_config(TINY, out_dir=str(out_dir), train=[ROWS], **overrides)


def test_tiny_sft_run_lowers_the_loss(tmp_path):
    history = train(tiny(tmp_path, steps=12))["history"]
    first = sum(h["loss"] for h in history[:3]) / 3
    last = sum(h["loss"] for h in history[-3:]) / 3
    assert last < first - 0.2


def test_resume_continues_the_step_count_and_matches_an_uninterrupted_run(tmp_path):
    whole = train(tiny(tmp_path / "whole", steps=6))["history"]
    train(tiny(tmp_path / "split", steps=3))
    assert read_checkpoint(tmp_path / "split" / "last.pt")["step"] == 3
    resumed = train(tiny(tmp_path / "split", steps=6))["history"]
    assert [h["step"] for h in resumed] == [1, 2, 3, 4, 5, 6]
    assert [h["loss"] for h in resumed] == pytest.approx([h["loss"] for h in whole], rel=1e-4)


@pytest.mark.parametrize("beta", [0.0, 0.5])
def test_grpo_and_repo_from_sft_run_and_log_rewards(tmp_path, beta):
    train(tiny(tmp_path / "sft", steps=2))
    config = tiny(
        tmp_path / "rl",
        method="grpo",
        reference_weight=beta,
        init_from=str(tmp_path / "sft" / "last.pt"),
        steps=2,
        batch_size=4,
    )
    report = train(config)
    assert report["variant"] == ("RePO" if beta else "GRPO from SFT")
    assert [h["step"] for h in report["history"]] == [1, 2]
    assert all(0.0 <= h["reward"] <= 2.0 and "valid" in h for h in report["history"])


def test_config_rejects_unknown_keys_and_methods(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("method: sft\nlearning_rat: 0.1\n")
    with pytest.raises(RepoConfigError, match="learning_rat"):
        load_config(bad)
    with pytest.raises(RepoConfigError, match="method"):
        load_config(TINY, method="ppo")


def test_presets_load_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the repository: the presets come from the package
    names = preset_names()
    assert {"repo_tiny", "repo_sft_cpu", "repo_cpu", "repo_grpo_gpu"} <= set(names)
    for name in names:
        assert load_config(name).out_dir is not None
    assert load_config("repo_cpu.yaml").variant == "RePO"
    assert load_config("repo_grpo_from_sft_cpu").variant == "GRPO from SFT"
    with pytest.raises(RepoConfigError, match="repo_sft_cpu"):  # the error lists the presets
        load_config("repo_nope")
    with pytest.raises(RepoConfigError, match="no such file"):  # a missing path is not a name
        load_config(tmp_path / "elsewhere" / "repo_cpu.yaml")


def test_presets_are_package_data():
    """A non-editable install ships exactly the files package-data names."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["molopt"]
    for preset in (ROOT / "molopt" / "configs").glob("*.yaml"):
        relative = preset.relative_to(ROOT / "molopt")
        assert any(relative.match(pattern) for pattern in globs), relative


def test_cli_train_writes_a_checkpoint(tmp_path, monkeypatch):
    config = tmp_path / "tiny.yaml"
    config.write_text(TINY.read_text().replace("[openmolins_tiny.csv]", f"[{ROWS}]"))
    monkeypatch.setenv("DISCOVERY_DATA", str(tmp_path / "no-data"))
    result = CliRunner().invoke(
        app,
        [
            "molopt",
            "train",
            "--config",
            str(config),
            "--out-dir",
            str(tmp_path / "run"),
            "--steps",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert read_checkpoint(tmp_path / "run" / "last.pt")["step"] == 2


STAGED = ROOT.parent / "shared" / "data" / "molopt"


@pytest.mark.skipif(not STAGED.is_dir(), reason="staged molopt data not present")
def test_cli_eval_scores_a_checkpoint_on_tomg_and_hgraph(tmp_path, monkeypatch):
    train(tiny(tmp_path / "run", steps=1))
    monkeypatch.setenv("DISCOVERY_DATA", str(STAGED.parent))
    out = tmp_path / "eval.json"
    args = ["molopt", "eval", "--checkpoint", str(tmp_path / "run" / "last.pt"), "--tasks", "QED"]
    args += ["--limit", "4", "--hgraph", "logp04", "--hgraph-limit", "2", "--samples", "2"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    assert scores["QED"]["n"] == 4 and 0.0 <= scores["QED"]["success_rate"] <= 1.0
    assert scores["hgraph_logp04"]["n"] == 2 and scores["hgraph_logp04"]["improvement_mean"] >= 0
