"""Command-line options shared by every `discover` subcommand, and the store they name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from discovery.home import home_folder, open_store
from memory import Store

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Home folder of the store and results (env DISCOVERY_HOME, default ~/.discovery)",
    ),
]
DbOption = Annotated[
    str | None, typer.Option("--db", help="SQLAlchemy URL of the store (default: SQLite in home)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object as the last line")]


def open_home_store(home: Path | None, db: str | None) -> tuple[Store, Path]:
    """The store named by `--home`/`--db`, and the home folder."""
    folder = home_folder(home)
    return open_store(folder, db), folder
