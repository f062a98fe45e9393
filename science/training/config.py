"""Training configurations: a YAML file (or a preset shipped inside the package) read into the
trainer's dataclass, with command-line overrides, in one way for every trainer.

Nested dataclass fields (`model:`, `weights:`), lists or tuples of dataclasses (`sources:`)
and `Path` fields are built from their type hints; an unknown key anywhere is an error that
lists the known ones. Each trainer passes its own error class, so its users keep catching
what they caught before.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml

Config = TypeVar("Config")
PRESET_SUFFIX = ".yaml"


def preset_names(presets: Traversable) -> list[str]:
    """Names of the presets in a package-data folder (``small_cpu``, ``repo_sft_cpu``...)."""
    return sorted(
        p.name.removesuffix(PRESET_SUFFIX)
        for p in presets.iterdir()
        if p.name.endswith(PRESET_SUFFIX)
    )


def resolve_config(name: str | Path, presets: Traversable, error: type[Exception]) -> Path:
    """`name` itself when it is a file, else the preset of that name in `presets` (found
    with `importlib.resources`, so it works from any folder and from a non-editable
    install); a path to a missing file is not mistaken for a preset name."""
    path = Path(name).expanduser()
    if path.is_file():
        return path
    preset = presets / f"{path.name.removesuffix(PRESET_SUFFIX)}{PRESET_SUFFIX}"
    if path.parent == Path(".") and preset.is_file():
        return Path(str(preset))
    raise error(
        f"config '{name}': no such file and no shipped preset of that name; "
        f"give a YAML path or one of {preset_names(presets)}"
    )


def read_yaml(path: Path, error: type[Exception]) -> dict[str, Any]:
    """The mapping in a YAML file (empty for an empty file); `error` names the file."""
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as problem:
        raise error(f"{path}: cannot read config ({problem})") from problem
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    return data


def build(cls: type[Config], data: Mapping[str, Any], where: str, error: type[Exception]) -> Config:
    """A `cls` dataclass from `data`, nested dataclasses and paths built from the type hints;
    an unknown key or a bad value is an `error` saying where."""
    if not isinstance(data, Mapping):
        raise error(f"{where}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise error(f"{where}: unknown keys {unknown}; known: {sorted(known)}")
    values = {
        key: _value(hints[key], value, f"{where}: {key}", error) for key, value in data.items()
    }
    try:
        return cls(**values)
    except TypeError as problem:
        raise error(f"{where}: {problem}") from problem


def load_config(
    cls: type[Config],
    path: str | Path,
    error: type[Exception],
    presets: Traversable | None = None,
    overrides: Mapping[str, Any] | None = None,
    prepare: Callable[[dict[str, Any], Path], dict[str, Any]] | None = None,
) -> Config:
    """Read a trainer's YAML config (a path, or a preset name when `presets` is given) into
    `cls`; `overrides` that are not None (the command line's) replace the file's keys.
    `prepare(data, path)` adjusts what the file says first (e.g. paths relative to it)."""
    path = resolve_config(path, presets, error) if presets is not None else Path(path)
    data = read_yaml(path, error)
    data = prepare(data, path) if prepare is not None else data
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return build(cls, data, str(path), error)


def _value(hint: Any, value: Any, where: str, error: type[Exception]) -> Any:
    if value is None:
        return None
    kind = _without_none(hint)
    if dataclasses.is_dataclass(kind):
        return build(kind, value, where, error)
    if kind is Path:
        return Path(value).expanduser()
    origin = typing.get_origin(kind)
    if origin in (list, tuple) and isinstance(value, list | tuple):
        item = typing.get_args(kind)[0]
        return origin(_value(item, v, f"{where}[{i}]", error) for i, v in enumerate(value))
    return value


def _without_none(hint: Any) -> Any:
    """`X` for `X | None`; the hint itself otherwise."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else hint
    return hint
