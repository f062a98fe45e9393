"""`discover dock make-labels`: labelled poses of the training complexes for the pose scorer.

discover dock make-labels --out ~/.discovery/pose-labels      # resumes; kill -9 safe
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from discovery.home import data_folder, home_folder


def make_labels_command(
    out: Annotated[
        Path | None, typer.Option(help="Label folder [DISCOVERY_HOME/pose-labels]")
    ] = None,
    seeds: Annotated[str, typer.Option(help="Vina re-docking seeds, comma-separated")] = "1,2",
    exhaustiveness: Annotated[int, typer.Option(help="Vina's exhaustiveness")] = 8,
    perturbed: Annotated[int, typer.Option(help="Perturbed crystal poses per complex")] = 24,
    limit: Annotated[int | None, typer.Option(help="Only the first N training ids")] = None,
) -> None:
    """Re-dock the PDBbind subset's training complexes with Vina, optimize perturbed
    crystal poses and dock decoys; one row per pose with its RMSD to the crystal ligand
    and Vina score. Resumes: finished jobs are skipped."""
    from docking.errors import DockingError
    from docking.pose_labels import LabelSettings, make_labels

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
