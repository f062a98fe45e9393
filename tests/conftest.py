"""Suite-wide fixtures: an isolated discovery home for every test, one BLAS/torch thread."""

from __future__ import annotations

import os

# One math-library thread per process: the suite runs many processes on 2 cores, where
# oversubscribed OpenBLAS/torch threads made SLSQP and the small GPTs several times slower.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import pytest  # noqa: E402

from tests.fixtures.postgres import postgres_server  # noqa: E402


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
