"""Load a built-in task's evaluator module by folder name (each task folder is self-contained)."""

import importlib.util
from pathlib import Path

import pytest

TASKS = Path(__file__).resolve().parents[2] / "tasks"


def load_task_module(folder: str, filename: str = "evaluator.py"):
    """Import `tasks/<folder>/<filename>` under a unique module name."""
    path = TASKS / folder / filename
    spec = importlib.util.spec_from_file_location(f"task_{folder}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def task_folder():
    """The folder holding the built-in tasks."""
    return TASKS
