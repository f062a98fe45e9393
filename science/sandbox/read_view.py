"""What a sandboxed process may read: the interpreter, its packages, the task, nothing else.

A candidate or a third-party verifier that can read the machine can read secrets: the store
(other runs' candidates), `/proc/<pid>/cmdline` of the daemon, home folders with keys. The
read view is the allow-list that `science.sandbox.landlock` enforces (docs/sandbox.md): the Python
installation and every folder it imports from, the system's shared libraries and data under
`/usr`, a few harmless files of `/etc`, `/proc` and `/sys` that libraries read at import, the
evaluator's own folder, and the sandbox's scratch folder. Not `/home`, `/root`, `/tmp`, `/run`,
`/var`, not other processes' `/proc` entries.

Source folders on `sys.path` that are not part of an installation (an editable install's
repository, the working directory) are exposed package by package: their Python packages and
modules can be read, their other files (a `.discovery/` store, `.git`, notes) cannot.
"""

from __future__ import annotations

import site
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

from science.evaluation import EvaluatorRef
from science.sandbox.landlock import ReadView

SYSTEM_FOLDERS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
ETC_FOLDERS = ("/etc/ld.so.conf.d", "/etc/fonts", "/etc/alternatives", "/etc/ssl/certs")
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/hosts",
    "/etc/gai.conf",
    "/etc/mime.types",
    "/etc/os-release",
)
KERNEL_FILES = (
    "/proc/cpuinfo",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/filesystems",
    "/proc/sys/kernel/cap_last_cap",
    "/proc/sys/vm/overcommit_memory",
)
KERNEL_FOLDERS = ("/sys/devices/system/cpu", "/sys/devices/system/node")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/full")
MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pth")


def installation_folders() -> list[Path]:
    """The Python installation: prefixes, the standard library and site-packages folders."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(value for value in sysconfig.get_paths().values() if value)
    paths.update(site.getsitepackages())
    if site.ENABLE_USER_SITE and site.USER_SITE:
        paths.add(site.USER_SITE)
    return [Path(p) for p in paths]


def _inside(path: Path, folders: Iterable[Path]) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)


def _source_folder(folder: Path) -> tuple[list[Path], list[Path]]:
    """Packages (folders with `__init__.py`) and module files directly inside `folder`."""
    packages, modules = [], []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return [], []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and (entry / "__init__.py").is_file():
            packages.append(entry)
        elif entry.is_file() and entry.suffix in MODULE_SUFFIXES:
            modules.append(entry)
    return packages, modules


def sandbox_read_view(ref: EvaluatorRef | None, extra: Iterable[Path] = ()) -> ReadView:
    """The read view of a sandbox running the evaluator `ref` (plus the `extra` folders)."""
    installed = [p.resolve() for p in installation_folders() if p.exists()]
    folders = set(installed) | {Path(p) for p in SYSTEM_FOLDERS + ETC_FOLDERS + KERNEL_FOLDERS}
    files = {Path(p) for p in ETC_FILES + KERNEL_FILES + DEVICES}
    listable: set[Path] = set()
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        if not path.is_dir() or _inside(path, installed):
            continue
        packages, modules = _source_folder(path)
        listable.add(path)
        folders.update(packages)
        files.update(modules)
    if ref is not None and ref.is_file:
        evaluator = Path(ref.target).resolve()
        broad = evaluator.parent in (Path("/"), Path.home().resolve())
        (files if broad else folders).add(evaluator if broad else evaluator.parent)
    folders.update(Path(p).resolve() for p in extra)
    existing = sorted(p for p in folders if p.exists())
    return ReadView(
        folders=tuple(existing),
        files=tuple(sorted(p for p in files if p.exists())),
        listable=tuple(sorted(listable)),
    )
