"""`discover dock make-labels`: labelled poses of the training complexes, and the two
models trained on them (`train-ranker`: the hybrid mode's linear ranker; `train-scorer`).

discover dock make-labels --out ~/.discovery/pose-labels      # resumes; kill -9 safe
discover dock train-ranker --labels ~/.discovery/pose-labels --out pose_ranker.json
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from discovery.home import data_folder, home_folder
from docking import defaults  # plain values; torch and RDKit stay unimported


def make_labels_command(
    out: Annotated[
        Path | None, typer.Option(help="Label folder [DISCOVERY_HOME/pose-labels]")
    ] = None,
    seeds: Annotated[str, typer.Option(help="Vina re-docking seeds, comma-separated")] = "1,2",
    exhaustiveness: Annotated[
        int, typer.Option(help="Vina's exhaustiveness")
    ] = defaults.VINA_EXHAUSTIVENESS,
    perturbed: Annotated[int, typer.Option(help="Perturbed crystal poses per complex")] = 24,
    limit: Annotated[int | None, typer.Option(help="Only the first N training ids")] = None,
) -> None:
    """Re-dock the PDBbind subset's training complexes with Vina, optimize perturbed
    crystal poses and dock decoys; one row per pose with its RMSD to the crystal ligand
    and Vina score. Resumes: finished jobs are skipped."""
    from docking.errors import DockingError
    from docking.training.pose_labels import LabelSettings, make_labels

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    out = out or home_folder() / "pose-labels"
    try:
        settings = LabelSettings(
            vina_seeds=tuple(int(s) for s in seeds.split(",") if s.strip()),
            exhaustiveness=exhaustiveness,
            perturbed=perturbed,
        )
        written = make_labels(out, data_folder(), settings, limit=limit)
    except (DockingError, OSError, ValueError) as error:
        print(f"discover dock make-labels: {error}", file=sys.stderr)
        raise typer.Exit(1) from error
    print(f"{written} rows written; folder {out}")


def train_ranker_command(
    labels: Annotated[
        list[Path] | None, typer.Option(help="Label folders [DISCOVERY_HOME/pose-labels]")
    ] = None,
    out: Annotated[Path, typer.Option(help="Ranker JSON to write")] = Path("pose_ranker.json"),
    cache: Annotated[
        Path | None, typer.Option(help="Feature cache [DISCOVERY_HOME/pose-ranker-features]")
    ] = None,
    cached_only: Annotated[
        bool, typer.Option(help="Use only Vina jobs featurized before (no rescoring)")
    ] = False,
) -> None:
    """Fit the hybrid mode's pose ranker on the labelled Vina poses: features and λ chosen
    by leave-complexes-out cross-validation on these labels only."""
    from docking.errors import DockingError
    from docking.training.ranker_train import train_ranker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    folders = labels or [home_folder() / "pose-labels"]
    try:
        record = train_ranker(
            folders,
            cache or home_folder() / "pose-ranker-features",
            out,
            featurize=not cached_only,
        )
    except (DockingError, OSError, ValueError) as error:
        print(f"discover dock train-ranker: {error}", file=sys.stderr)
        raise typer.Exit(1) from error
    chosen = record["chosen"]
    print(
        f"{record['complexes']} complexes, {record['lists']} lists: {chosen['feature_set']}, "
        f"λ {chosen['l2']}; {out}"
    )


def train_scorer_command(
    labels: Annotated[
        list[Path] | None, typer.Option(help="Label folders [DISCOVERY_HOME/pose-labels]")
    ] = None,
    out_dir: Annotated[Path, typer.Option(help="Checkpoint folder")] = Path("pose-scorer-run"),
    max_minutes: Annotated[float, typer.Option(help="Wall-clock budget of this part")] = 30.0,
    max_steps: Annotated[int, typer.Option(help="Stop at this step (over all parts)")] = 100_000,
    threads: Annotated[int, typer.Option(help="Torch CPU threads")] = 1,
    holdout_share: Annotated[
        float, typer.Option(help="Share of complexes held out to pick best.pt (0: none)")
    ] = 0.15,
) -> None:
    """Train the pose scorer on labelled poses; resumes from OUT_DIR/last.pt."""
    import torch

    from docking.errors import DockingError
    from docking.training.scorer_train import ScorerTrainConfig, train_scorer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    torch.set_num_threads(threads)
    config = ScorerTrainConfig(
        label_folders=labels or [home_folder() / "pose-labels"],
        out_dir=out_dir,
        data_folder=data_folder(),
        max_minutes=max_minutes,
        max_steps=max_steps,
        holdout_share=holdout_share,
    )
    try:
        summary = train_scorer(config)
    except (DockingError, OSError) as error:
        print(f"discover dock train-scorer: {error}", file=sys.stderr)
        raise typer.Exit(1) from error
    print(f"{summary['steps']} steps; last check {summary['history'][-1]}; in {out_dir}")
