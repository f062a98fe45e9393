"""Schema migrations: new, pre-migration and too-new databases; concurrent first opens."""

import multiprocessing
import threading
import tomllib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from memory import Store, StoreError
from memory.schema import MIGRATIONS, head_revision
from memory.store import sqlite_url
from memory.tables import Base
from tests.fixtures.postgres import fresh_database


def url_for(backend: str, request, tmp_path) -> str:
    if backend == "sqlite":
        return sqlite_url(tmp_path / "store.db")
    return fresh_database(request.getfixturevalue("postgres_url"))


def revision_of(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        revisions = list(rows)
    engine.dispose()
    return revisions


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_build_exactly_the_declared_tables(backend, request, tmp_path):
    url = url_for(backend, request, tmp_path)
    Store(url).close()
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
    assert revision_of(url) == [head_revision()]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_pre_migration_database_is_stamped_and_keeps_its_runs(backend, request, tmp_path):
    url = url_for(backend, request, tmp_path)
    engine = create_engine(url)
    Base.metadata.create_all(engine)  # how stores were created before migrations
    engine.dispose()
    old = Store(url)
    run = old.create_run("task", "key", {"a": 1}, seed=3)
    old.close()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()

    store = Store(url)
    assert store.get_run(run.id).spec == {"a": 1}
    store.close()
    assert revision_of(url) == [head_revision()]


def test_a_pre_migration_database_without_the_jobs_table_gets_it(tmp_path):
    url = sqlite_url(tmp_path / "store.db")
    engine = create_engine(url)
    Base.metadata.create_all(
        engine, tables=[t for t in Base.metadata.sorted_tables if t.name != "jobs"]
    )
    engine.dispose()
    Store(url).close()
    engine = create_engine(url)
    assert inspect(engine).has_table("jobs")
    engine.dispose()
    assert revision_of(url) == [head_revision()]


def test_a_database_from_a_newer_discovery_is_refused_untouched(tmp_path):
    url = sqlite_url(tmp_path / "store.db")
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer discovery"):
        Store(url)
    assert revision_of(url) == ["f00d"]


def _open(url: str) -> None:
    Store(url).close()


def test_processes_opening_a_new_sqlite_store_at_once_all_succeed(tmp_path):
    url = sqlite_url(tmp_path / "store.db")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_open, args=(url,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert revision_of(url) == [head_revision()]


def test_connections_opening_a_new_postgres_store_at_once_all_succeed(postgres_url):
    url = fresh_database(postgres_url)
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            Store(url).close()
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert revision_of(url) == [head_revision()]


def test_migrations_are_package_data():
    """A non-editable install ships every migration file (package-data in pyproject.toml)."""
    root = Path(__file__).resolve().parents[2]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["memory"]
    files = [p for p in MIGRATIONS.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert len(files) >= 3
    for path in files:
        relative = path.relative_to(root / "memory")
        assert any(relative.match(pattern) for pattern in globs), relative
