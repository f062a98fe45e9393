"""`discover dock --mode hybrid|vina`: Vina samples poses, the pose scorer (or Vina) ranks.

discover dock --protein P.pdb --ligand L.sdf --pocket-center X Y Z --out DIR
discover dock ... --mode vina --exhaustiveness 16 --vina-seeds 1,2,3
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def run_hybrid(
    requests: list,
    out: Path,
    mode: str,
    scorer_path: Path | None,
    network_path: Path | None,
    exhaustiveness: int,
    seeds: str,
    *,
    posebusters: bool,
    relax: bool,
    device: str,
) -> list:
    """Load the scorer (hybrid) and the pocket network (blind rows), dock, return rows."""
    from docking.errors import DockingError
    from docking.inference.hybrid import HybridOptions, dock_hybrid
    from docking.inference.infer import DockingOptions
    from docking.network.checkpoint import default_checkpoint, load_model
    from docking.network.scorer_checkpoint import default_scorer, load_scorer

    try:
        options = HybridOptions(
            mode=mode,
            exhaustiveness=exhaustiveness,
            seeds=tuple(int(s) for s in seeds.split(",") if s.strip()),
            post=DockingOptions(device=device, posebusters=posebusters, relax=relax),
        )
        scorer = load_scorer(scorer_path or default_scorer()) if mode == "hybrid" else None
        blind = any(r.pocket_center is None and not r.pocket_residues for r in requests)
        network = load_model(network_path or default_checkpoint()) if blind else None
        return dock_hybrid(requests, scorer, network, out, options)
    except (DockingError, ValueError) as error:
        print(f"discover dock: {error}", file=sys.stderr)
        raise typer.Exit(1) from error
