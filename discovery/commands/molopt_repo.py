"""`discover molopt train` and `discover molopt eval`: the RePO instruction-editing policy.

    discover molopt train --config repo_sft_cpu      # a shipped preset, or a YAML path
    discover molopt eval --checkpoint RUN/last.pt --tasks QED,LogP,MR --limit 500

Training resumes from ``out_dir/last.pt`` unless ``--fresh``; data come from the staged
molopt folder ($DISCOVERY_DATA/molopt). Registered into the `molopt` group by `register`.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from discovery.home import data_folder


def _fail(command: str, error: Exception) -> None:
    print(f"discover molopt {command}: {error}", file=sys.stderr)
    raise typer.Exit(1) from error


def _split(text: str) -> list[str]:
    return [part for part in text.split(",") if part]


def train_command(
    config: Annotated[
        str,
        typer.Option(
            help="Training config: a YAML path or a shipped preset name (repo_sft_cpu, ...)"
        ),
    ],
    out_dir: Annotated[Path | None, typer.Option(help="Override out_dir")] = None,
    steps: Annotated[int | None, typer.Option(help="Override steps")] = None,
    max_minutes: Annotated[float | None, typer.Option(help="Override max_minutes")] = None,
    init_from: Annotated[Path | None, typer.Option(help="Start from this checkpoint")] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu or cuda")] = None,
    fresh: Annotated[bool, typer.Option(help="Ignore out_dir/last.pt and start over")] = False,
) -> None:
    """Train the instruction-editing policy by SFT, GRPO or RePO (per the config)."""
    from molopt.errors import MoloptError
    from molopt.repo.config import load_config
    from molopt.repo.train import train

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        settings = load_config(
            config,
            out_dir=out_dir,
            steps=steps,
            max_minutes=max_minutes,
            init_from=init_from,
            device=device,
        )
        staged = data_folder() / "molopt"
        if settings.data_dir is None and staged.is_dir():
            settings.data_dir = staged  # also lets training drop every test molecule
        report = train(settings, resume=not fresh)
    except MoloptError as error:
        _fail("train", error)
    print(
        json.dumps(
            {"variant": report["variant"], "step": report["step"], "last": report["history"][-1:]}
        )
    )
    print(f"checkpoint {report['checkpoint']}")


def eval_command(
    checkpoint: Annotated[Path, typer.Option(help="Checkpoint written by discover molopt train")],
    tasks: Annotated[
        str, typer.Option(help="TOMG-Bench subtasks, comma-separated")
    ] = "QED,LogP,MR",
    limit: Annotated[
        int | None, typer.Option(help="First N prompts per subtask (all 5,000 if unset)")
    ] = None,
    hgraph: Annotated[str, typer.Option(help="hgraph2graph sets: logp04,logp06,qed")] = "",
    hgraph_limit: Annotated[
        int | None, typer.Option(help="First N molecules per hgraph set")
    ] = None,
    samples: Annotated[int, typer.Option(help="Answers per hgraph2graph molecule")] = 20,
    batch_size: Annotated[int, typer.Option(help="Prompts per generation batch")] = 256,
    device: Annotated[str, typer.Option(help="cpu or cuda")] = "cpu",
    threads: Annotated[int, typer.Option(help="CPU threads for torch")] = 1,
    out: Annotated[Path | None, typer.Option(help="Write the results JSON here")] = None,
) -> None:
    """Score a checkpoint on TOMG-Bench MolOpt/MolEdit and hgraph2graph benchmarks."""
    from molopt.errors import MoloptError
    from molopt.repo.evaluate import evaluate_checkpoint

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    plan = {
        "tasks": _split(tasks),
        "limit": limit,
        "hgraph": _split(hgraph),
        "hgraph_limit": hgraph_limit,
        "samples": samples,
        "batch_size": batch_size,
        "max_new_tokens": 96,
        "temperature": 1.0,
        "seed": 0,
        "device": device,
        "threads": threads,
    }
    try:
        results = evaluate_checkpoint(checkpoint, data_folder() / "molopt", plan)
    except MoloptError as error:
        _fail("eval", error)
    text = json.dumps(results, indent=2)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    print(text)


def register(app: typer.Typer) -> None:
    """Add ``train`` and ``eval`` to the `discover molopt` command group `app`."""
    app.command("train")(train_command)
    app.command("eval")(eval_command)
