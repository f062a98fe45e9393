"""No import circle inside our packages: module A imports B (at the top, in a function, or
only for type checking) and B, through any chain, imports A. A circle means two modules
that cannot be understood, tested or moved apart; it is broken by moving the shared piece
into a module of its own, as `discovery.api_config`, `evolve.prior` and `science.verdict` do.
Read from the source with `ast` (nothing is imported), so the test takes well under a second.
"""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("memory", "science", "evolve", "molopt", "docking", "discovery")


def module_files(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name -> file, for every module of `packages` (a package is its
    ``__init__``)."""
    found = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def owner(name: str, files: dict[str, Path]) -> str | None:
    """The module of ours that the dotted `name` lies in (its longest known prefix)."""
    while name and name not in files:
        name = name.rpartition(".")[0]
    return name or None


def imported_modules(module: str, files: dict[str, Path]) -> set[str]:
    """The modules of ours that `module` imports anywhere in its file; ``from a import b``
    imports submodule ``a.b`` when there is one, else module ``a``."""
    path = files[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            names += [
                f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names
            ]
    return {found for found in (owner(n, files) for n in names) if found and found != module}


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports."""
    files = module_files(root, packages)
    return {module: imported_modules(module, files) for module in files}


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    """One import circle of `graph` (its first module repeated at the end), or []."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_our_packages_have_no_import_cycle():
    circle = cycle_in(import_graph(ROOT))
    assert not circle, "import circle: " + " -> ".join(circle)


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ({"a.py": "from pkg import b", "b.py": "from pkg.a import x"}, True),
        ({"a.py": "from . import b", "b.py": "def f():\n    from .a import x"}, True),
        (
            {
                "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B",
                "b.py": "import pkg.a",
            },
            True,
        ),
        ({"a.py": "from pkg import b", "b.py": "import os"}, False),
        ({"__init__.py": "from pkg.a import x", "a.py": "from pkg import b", "b.py": ""}, False),
        ({"__init__.py": "from pkg.a import x", "a.py": "from pkg import y"}, True),
    ],
)
def test_the_checker_finds_circles_in_every_import_form(tmp_path, sources, expected):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in sources.items():
        (package / name).write_text(text)
    assert bool(cycle_in(import_graph(tmp_path, ("pkg",)))) is expected
