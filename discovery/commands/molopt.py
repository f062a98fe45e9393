"""`discover molopt pretrain`: pretrain the SMILES policy of `molopt.policy`.

    discover molopt pretrain --config molopt/policy/configs/cpu_small.yaml

Data paths in the config are relative to the shared data folder ($DISCOVERY_DATA). The
checkpoint and `training.json` go to the config's `out_dir` (or `--out-dir`).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from discovery.commands.molopt_edit import register as register_edit_commands
from discovery.commands.molopt_repo import register as register_repo_commands
from discovery.home import data_folder

app = typer.Typer(help="Molecular optimization: the SMILES policy model.", no_args_is_help=True)


@app.command("pretrain")
def pretrain_command(
    config: Annotated[str, typer.Option(help="Pretraining config: YAML path or preset name")],
    out_dir: Annotated[Path | None, typer.Option(help="Override out_dir")] = None,
    steps: Annotated[int | None, typer.Option(help="Override steps")] = None,
    max_minutes: Annotated[float | None, typer.Option(help="Override max_minutes")] = None,
) -> None:
    """Pretrain the SMILES GPT on drug-like SMILES (test sets excluded)."""
    from molopt.errors import MoloptError
    from molopt.policy.config import load_config
    from molopt.policy.pretrain import pretrain

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    out = str(out_dir) if out_dir else None
    try:
        settings = load_config(config, out_dir=out, steps=steps, max_minutes=max_minutes)
        report = pretrain(settings, data_folder())
    except MoloptError as error:
        print(f"discover molopt pretrain: {error}", file=sys.stderr)
        raise typer.Exit(1) from error
    print(
        json.dumps({k: report[k] for k in ("steps", "samples")} | {"last": report["history"][-1]})
    )
    print(f"checkpoint in {settings.out_dir}")


# `discover molopt train` / `eval` (the RePO instruction-editing policy) live in their own module.
register_repo_commands(app)
# `discover molopt edit` / `edit-data` / `edit-train` (the graph-edit policy), likewise.
register_edit_commands(app)
