"""Bring a store's database schema to the version this code expects (Alembic migrations).

Every `Store` calls `upgrade_schema` when it opens a database: a new database gets every
migration, one created before migrations existed (by `create_all`) is stamped with the
first revision, whose schema it holds, and then upgraded. Processes that open the same
database at once (a daemon and its job processes) take a lock first: a PostgreSQL advisory
lock, or a lock file beside a SQLite file. A database that is already at the head costs one
query. A database newer than this code is refused, not touched.

To change a table: edit `memory/tables.py` and add the next file in
`memory/migrations/versions/` (``tests/memory/test_schema.py`` fails until the migrations
build exactly the tables the code declares).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from memory.errors import StoreError
from memory.tables import Base

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LEGACY_REVISION = "0001"  # the schema `create_all` built before migrations existed
PG_LOCK_KEY = 0x6D656D6F7279  # "memory": the advisory lock id of schema upgrades


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest migration this code ships."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise StoreError(
            f"no migrations found in {MIGRATIONS}: this discovery install lacks the "
            "memory/migrations package data; reinstall it (pip install -e . from a checkout)"
        )
    return head


@cache
def known_revisions() -> frozenset[str]:
    """Every revision this code ships."""
    return frozenset(s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions())


def current_revision(connection: Connection) -> str | None:
    """The revision a database is stamped with (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


@contextlib.contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.schema-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _upgrade_lock(engine: Engine, connection: Connection) -> Iterator[None]:
    """Only one process migrates a database at a time."""
    if engine.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
            connection.commit()
    elif engine.dialect.name == "sqlite":
        with _sqlite_file_lock(engine):
            yield
    else:
        yield


def _check_known(revision: str | None, url: str) -> None:
    if revision is not None and revision not in known_revisions():
        raise StoreError(
            f"store '{url}' has schema revision {revision!r}, which this version of discovery "
            f"does not know (its newest is {head_revision()!r}): it was written by a newer "
            "discovery; upgrade discovery to open it"
        )


def _migrate(connection: Connection, url: str) -> None:
    revision = current_revision(connection)
    _check_known(revision, url)
    if revision is None and inspect(connection).has_table("runs"):
        # Created by `create_all` before migrations: complete it as `create_all` did, then
        # record that it holds the first revision's schema.
        Base.metadata.create_all(connection)
        connection.commit()
        command.stamp(_config(connection), LEGACY_REVISION)
        connection.commit()
        log.info("store %s: stamped pre-migration schema as revision %s", url, LEGACY_REVISION)
    if current_revision(connection) != head_revision():
        command.upgrade(_config(connection), "head")
        connection.commit()
        log.info("store %s: schema upgraded to revision %s", url, head_revision())


def upgrade_schema(engine: Engine) -> None:
    """Bring the database behind `engine` to the head revision (see the module docstring)."""
    url = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
            if revision == head_revision():
                return
            _check_known(revision, url)
            with _upgrade_lock(engine, connection):
                _migrate(connection, url)
    except StoreError:
        raise
    except Exception as error:  # noqa: BLE001 - any driver or migration error reaches the user
        raise StoreError(
            f"cannot bring store '{url}' to schema {head_revision()}: {error}"
        ) from error
