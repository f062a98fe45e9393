"""`discover molopt edit` and its training commands: the graph-edit policy of `molopt.edit`.

    discover molopt edit --smiles "CCOc1ccccc1" --task "increase QED"
    discover molopt edit --csv rows.csv --out answered.csv [--verify 5]
    discover molopt edit-data --out-dir DATA          # enumerate + label training molecules
    discover molopt edit-train --variant sft --data-dir DATA --out-dir RUN

Registered into the `molopt` group by `register`.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from discovery.home import data_folder

DEFAULT_DATA = Path("~/.cache/discovery/edit/data")


def _fail(command: str, error: Exception) -> None:
    print(f"discover molopt {command}: {error}", file=sys.stderr)
    raise typer.Exit(1) from error


def edit_command(
    smiles: Annotated[str | None, typer.Option(help="Source molecule (SMILES)")] = None,
    task: Annotated[
        str | None, typer.Option(help='Task: "increase QED", "add hydroxyl", or TOMG wording')
    ] = None,
    csv: Annotated[Path | None, typer.Option(help="CSV with columns smiles,task")] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the answered CSV")] = None,
    verify: Annotated[
        int, typer.Option(help="Check the policy's top K edits with RDKit, return the best")
    ] = 0,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Edit-policy checkpoint (default: the shipped one)")
    ] = None,
) -> None:
    """Edit a molecule (or every row of a CSV) as a task asks, with the graph-edit policy."""
    from molopt.edit.answer import SHIPPED_CHECKPOINT, EditPolicy
    from molopt.edit.table import answer_rows, describe_rows, edit_csv
    from molopt.errors import MoloptError

    single = smiles is not None or task is not None
    if single == (csv is not None) or (single and None in (smiles, task)) or bool(csv) != bool(out):
        _fail("edit", ValueError("give --smiles and --task, or --csv and --out"))
    try:
        policy = EditPolicy.load(checkpoint or SHIPPED_CHECKPOINT)
        if csv is not None:
            rows = edit_csv(csv, out, policy, verify)
            failed = sum(1 for row in rows if row["error"])
            print(f"{len(rows)} rows written to {out} ({failed} with an error)")
            return
        row = describe_rows(answer_rows([{"smiles": smiles, "task": task}], policy, verify))[0]
    except MoloptError as error:
        _fail("edit", error)
    if row["error"]:
        _fail("edit", ValueError(row["error"]))
    print(row["answer"])
    checked = {"true": ", verified", "false": ", none of the top K verified", "": ""}
    print(f"{row['measure']}: {row['before']} -> {row['after']}{checked[row['verified']]}")


def edit_data_command(
    out_dir: Annotated[Path, typer.Option(help="Folder of the sample shards")] = DEFAULT_DATA,
    zinc: Annotated[int, typer.Option(help="ZINC molecules to label")] = 700,
    openmolins: Annotated[int, typer.Option(help="OpenMolIns pairs to check")] = 900,
) -> None:
    """Enumerate, featurize and RDKit-label the edit policy's training molecules (resumes)."""
    from molopt.edit.dataset import build_shards
    from molopt.errors import MoloptError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        shards = build_shards(data_folder(), out_dir.expanduser(), zinc, openmolins)
    except (MoloptError, OSError) as error:
        _fail("edit-data", error)
    print(f"{len(shards)} shards in {out_dir}")


def edit_train_command(
    variant: Annotated[str, typer.Option(help="sft, grpo or repo")],
    out_dir: Annotated[Path, typer.Option(help="Run folder (last.pt, best.pt)")],
    data_dir: Annotated[Path, typer.Option(help="Shards of edit-data")] = DEFAULT_DATA,
    steps: Annotated[int, typer.Option(help="Total optimizer steps")] = 1500,
    init_from: Annotated[Path | None, typer.Option(help="Start from this checkpoint")] = None,
    max_minutes: Annotated[float | None, typer.Option(help="Stop after this long")] = None,
    valid_every_nth: Annotated[
        int, typer.Option(help="Every n-th sample without a reference edit validates")
    ] = 10,
) -> None:
    """Train the edit policy by SFT, GRPO or RePO (resumes from out_dir/last.pt)."""
    from molopt.edit.train import TrainSettings, train
    from molopt.errors import MoloptError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        settings = TrainSettings(
            variant=variant,
            data_dir=data_dir.expanduser(),
            out_dir=out_dir.expanduser(),
            steps=steps,
            init_from=init_from,
            max_minutes=max_minutes,
            valid_every_nth=valid_every_nth,
        )
        state = train(settings)
    except MoloptError as error:
        _fail("edit-train", error)
    print(json.dumps({k: state[k] for k in ("step", "best", "cpu_seconds")}))


def register(app: typer.Typer) -> None:
    """Add ``edit``, ``edit-data`` and ``edit-train`` to the `discover molopt` group."""
    app.command("edit")(edit_command)
    app.command("edit-data")(edit_data_command)
    app.command("edit-train")(edit_train_command)
