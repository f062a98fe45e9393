"""The 58 DOCKSTRING targets: a receptor PDBQT and a search box each.

The files come with the `dockstring` package (``dockstring/resources/targets``:
``<NAME>_target.pdbqt`` and ``<NAME>_conf.txt`` holding ``center_x = ...`` and
``size_x = ...`` lines), as prepared for DOCKSTRING (García-Ortegón et al. 2022, J. Chem.
Inf. Model. 62, 3486). They are located through package metadata, never downloaded; another
folder with the same two files per target can be passed instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from science.vina.errors import UnknownTargetError

TARGET_FILE = re.compile(r"^(?P<name>\w+)_target\.pdbqt$")
BOX_LINE = re.compile(r"^\s*(?P<key>(center|size)_[xyz])\s*=\s*(?P<value>[-+0-9.eE]+)\s*$")
BOX_KEYS = ("center_x", "center_y", "center_z", "size_x", "size_y", "size_z")


@dataclass(frozen=True)
class Target:
    """A receptor to dock into: its PDBQT file and Vina's search box (Å)."""

    name: str
    receptor: Path
    center: tuple[float, float, float]
    size: tuple[float, float, float]


def default_folder() -> Path:
    """The targets folder inside the installed `dockstring` package."""
    spec = find_spec("dockstring")
    if spec is None or not spec.submodule_search_locations:
        raise UnknownTargetError(
            "the 'dockstring' package is not installed: `pip install dockstring` (it ships the "
            "receptor files), or pass targets_dir= a folder of <NAME>_target.pdbqt/_conf.txt"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "targets"


def target_names(folder: Path | None = None) -> list[str]:
    """Sorted names of the targets in `folder` (default: dockstring's 58)."""
    folder = Path(folder) if folder else default_folder()
    return sorted(m["name"] for p in folder.iterdir() if (m := TARGET_FILE.match(p.name)))


def parse_box(path: Path) -> dict[str, float]:
    """Read a Vina config file's ``center_*`` and ``size_*`` lines (other lines are ignored)."""
    box = {
        m["key"]: float(m["value"])
        for line in path.read_text().splitlines()
        if (m := BOX_LINE.match(line))
    }
    missing = [key for key in BOX_KEYS if key not in box]
    if missing:
        raise UnknownTargetError(
            f"{path}: no {', '.join(missing)} line (expected 'center_x = 1.0')"
        )
    return box


@cache
def load_target(name: str, folder: Path | None = None) -> Target:
    """The target `name` (e.g. ``"F2"``, ``"JAK2"``), from `folder` or dockstring's files."""
    folder = Path(folder) if folder else default_folder()
    receptor, config = folder / f"{name}_target.pdbqt", folder / f"{name}_conf.txt"
    if not (receptor.is_file() and config.is_file()):
        raise UnknownTargetError(
            f"no target '{name}' in {folder}; known: {', '.join(target_names(folder))}"
        )
    box = parse_box(config)
    return Target(
        name=name,
        receptor=receptor,
        center=(box["center_x"], box["center_y"], box["center_z"]),
        size=(box["size_x"], box["size_y"], box["size_z"]),
    )
