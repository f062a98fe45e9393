"""`repo_tiny` trains from any working folder: its rows ship beside it as package data."""

import tomllib
from pathlib import Path

from typer.testing import CliRunner

from discovery.cli import app
from molopt.repo.config import load_config, preset_names
from molopt.repo.model import read_checkpoint

ROOT = Path(__file__).resolve().parents[2]


def test_repo_tiny_trains_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the repository
    monkeypatch.setenv("DISCOVERY_DATA", str(tmp_path / "no-data"))
    arguments = ["molopt", "train", "--config", "repo_tiny", "--out-dir", "run", "--steps", "2"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert read_checkpoint(tmp_path / "run" / "last.pt")["step"] == 2


def test_every_training_file_a_preset_names_exists_and_is_package_data():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["molopt"]
    for name in preset_names():
        for source in load_config(name).train:
            if source.endswith(".csv"):
                path = Path(source)
                assert path.is_file(), (name, source)
                relative = path.resolve().relative_to(ROOT / "molopt")
                assert any(relative.match(pattern) for pattern in globs), relative


def test_a_csv_path_given_on_the_command_line_stays_as_given(tmp_path):
    config = load_config("repo_tiny", train=["rows.csv"])
    assert config.train == ["rows.csv"]
