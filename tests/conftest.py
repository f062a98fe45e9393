"""Suite-wide fixtures: an isolated discovery home for every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Never touch the user's ~/.discovery: each test gets its own home folder."""
    home = tmp_path / "discovery-home"
    monkeypatch.setenv("DISCOVERY_HOME", str(home))
    return home
