"""The docking defaults are written once: the command line and the option dataclasses agree,
and reading them imports no torch (every `discover` command starts fast)."""

import inspect
import subprocess
import sys

from discovery.commands.dock import dock, make_poses_command
from docking.inference.hybrid import HybridOptions
from docking.inference.infer import DockingOptions
from docking.training.vina_poses import PoseSettings


def cli_defaults(command) -> dict:
    return {name: p.default for name, p in inspect.signature(command).parameters.items()}


def test_dock_command_defaults_are_the_library_defaults():
    cli, options, hybrid = cli_defaults(dock), DockingOptions(), HybridOptions()
    for name in ("device", "pose", "seed", "samples", "batch_size", "workers", "posebusters"):
        assert cli[name] == getattr(options, name), name
    assert cli["exhaustiveness"] == hybrid.exhaustiveness
    assert tuple(int(s) for s in cli["vina_seeds"].split(",")) == hybrid.seeds


def test_make_poses_command_defaults_are_the_library_defaults():
    cli, settings = cli_defaults(make_poses_command), PoseSettings()
    assert (cli["exhaustiveness"], cli["seed"]) == (settings.exhaustiveness, settings.seed)


def test_the_dock_command_module_imports_no_torch():
    code = "import sys, discovery.commands.dock; print('torch' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
