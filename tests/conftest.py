"""Suite-wide fixtures: an isolated discovery home for every test."""

from __future__ import annotations

import pytest

from tests.fixtures.postgres import postgres_server


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Never touch the user's ~/.discovery: each test gets its own home folder."""
    home = tmp_path / "discovery-home"
    monkeypatch.setenv("DISCOVERY_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def postgres_url():
    """URL of a private PostgreSQL server for this test session (skips when unavailable)."""
    try:
        with postgres_server() as url:
            yield url
    except RuntimeError as error:
        pytest.skip(f"PostgreSQL unavailable: {error}")
