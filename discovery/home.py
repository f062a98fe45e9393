"""Where runs live: the discovery home folder and the store URL."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from memory import Store

HOME_ENV = "DISCOVERY_HOME"
DATA_ENV = "DISCOVERY_DATA"
RAY_ENV = "DISCOVERY_RAY_ADDRESS"
DEFAULT_HOME = Path("~/.discovery")
# Alembic says "Context impl SQLiteImpl." at INFO on every open: noise in job logs. Our own
# `memory.schema` line still says when a store's schema was upgraded.
QUIET_LOGGERS = ("alembic",)


def home_folder(home: Path | str | None = None) -> Path:
    """`--home`, else $DISCOVERY_HOME, else ~/.discovery."""
    chosen = home or os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Path(chosen).expanduser().resolve()


def open_store(home: Path, db_url: str | None = None) -> Store:
    """The store at `db_url`, else the SQLite file in the home folder (Alembic kept quiet)."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return Store(db_url) if db_url else Store.at_home(home)


def data_folder() -> Path:
    """The staged shared data: $DISCOVERY_DATA, else ../shared/data beside the repository."""
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"
