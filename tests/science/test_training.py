"""The one training convention: YAML configs with nested sections, overrides and presets
found as package data; checkpoints read back without unpickling."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import torch

from science.training.checkpoint import read_state, write_state
from science.training.config import load_config, preset_names


class SettingsError(Exception):
    """What the trainer under test raises."""


@dataclass(frozen=True)
class Source:
    path: str
    limit: int | None = None


@dataclass(frozen=True)
class Size:
    hidden: int = 8
    layers: int = 1


@dataclass
class Settings:
    out_dir: Path
    sources: tuple[Source, ...] = ()
    folders: list[Path] = field(default_factory=list)
    init_from: Path | None = None
    model: Size = field(default_factory=Size)
    steps: int = 10


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_nested_sections_lists_and_paths_are_built_from_the_type_hints(tmp_path):
    path = write(
        tmp_path,
        "run.yaml",
        "out_dir: ~/runs/a\nsources: [{path: a.smi, limit: 3}, {path: b.smi}]\n"
        "folders: [x, ~/y]\nmodel: {hidden: 32}\n",
    )
    settings = load_config(Settings, path, SettingsError)
    assert settings.out_dir == Path("~/runs/a").expanduser()
    assert settings.sources == (Source("a.smi", 3), Source("b.smi"))
    assert settings.folders == [Path("x"), Path("~/y").expanduser()]
    assert settings.model == Size(hidden=32) and settings.init_from is None


def test_overrides_replace_the_file_and_none_leaves_it(tmp_path):
    path = write(tmp_path, "run.yaml", "out_dir: a\nsteps: 5\n")
    settings = load_config(Settings, path, SettingsError, overrides={"steps": 7, "out_dir": None})
    assert (settings.steps, settings.out_dir) == (7, Path("a"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("out_dir: a\nstpes: 3\n", r"unknown keys \['stpes'\]"),
        ("out_dir: a\nmodel: {hiden: 3}\n", r"model: unknown keys \['hiden'\]"),
        ("out_dir: a\nsources: [{path: a, lmit: 1}]\n", r"sources\[0\]: unknown keys"),
        ("steps: 3\n", "out_dir"),
        ("- a\n- b\n", "expected a mapping"),
        ("out_dir: [a\n", "cannot read config"),
    ],
)
def test_a_bad_config_is_the_trainers_own_error_saying_where(tmp_path, text, expected):
    path = write(tmp_path, "run.yaml", text)
    with pytest.raises(SettingsError, match=expected):
        load_config(Settings, path, SettingsError)


def test_presets_are_found_by_name_from_any_folder(tmp_path, monkeypatch):
    presets = tmp_path / "package" / "configs"
    write(presets, "tiny.yaml", "out_dir: tiny-run\n")
    monkeypatch.chdir(write(tmp_path / "elsewhere", "x.txt", "").parent)
    assert preset_names(presets) == ["tiny"]
    assert load_config(Settings, "tiny", SettingsError, presets).out_dir == Path("tiny-run")
    assert load_config(Settings, "tiny.yaml", SettingsError, presets).steps == 10
    with pytest.raises(SettingsError, match=r"no such file .*\['tiny'\]"):
        load_config(Settings, "huge", SettingsError, presets)
    with pytest.raises(SettingsError, match="no such file"):  # a missing path is not a name
        load_config(Settings, tmp_path / "nowhere" / "tiny.yaml", SettingsError, presets)


def test_a_checkpoint_round_trips_and_a_pickle_is_refused(tmp_path):
    path = tmp_path / "run" / "last.pt"
    write_state(path, {"format": "toy/1", "weights": torch.ones(2), "step": 3})
    state = read_state(path, SettingsError, "toy/1")
    assert state["step"] == 3 and torch.equal(state["weights"], torch.ones(2))
    assert not path.with_suffix(".tmp").exists()
    with pytest.raises(SettingsError, match="not a other/1 checkpoint"):
        read_state(path, SettingsError, "other/1")
    hostile = tmp_path / "hostile.pt"
    torch.save({"payload": Source("a")}, hostile)  # an arbitrary object: needs unpickling
    with pytest.raises(SettingsError, match="cannot read checkpoint"):
        read_state(hostile, SettingsError)
    hostile.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(SettingsError, match="cannot read checkpoint"):
        read_state(hostile, SettingsError)
    with pytest.raises(SettingsError, match="cannot read checkpoint"):
        read_state(tmp_path / "missing.pt", SettingsError)
