"""Fixtures for docking tests: small complexes cut from the shared PDBbind subset (train ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "docking"


@pytest.fixture
def data_dir() -> Path:
    """Folder of the docking fixture files."""
    return DATA
