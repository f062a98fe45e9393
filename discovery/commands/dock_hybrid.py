"""`discover dock --mode hybrid|vina|scorer`: Vina samples poses; the pose ranker, Vina or
the pose scorer ranks them.

discover dock --protein P.pdb --ligand L.sdf --pocket-center X Y Z --out DIR
discover dock ... --mode vina --exhaustiveness 16 --vina-seeds 1,2,3
"""

from __future__ import annotations

from pathlib import Path


def run_hybrid(
    requests: list,
    out: Path,
    mode: str,
    model_path: Path | None,
    network_path: Path | None,
    exhaustiveness: int,
    seeds: str,
    blind: tuple[str | None, int | None],
    *,
    posebusters: bool,
    relax: bool,
    device: str,
) -> list:
    """Check the options and the output folder, load the ranking model (`model_path`: the
    pose ranker's JSON in mode hybrid, the pose scorer's checkpoint in mode scorer; the
    shipped one when None) and the pocket network (blind rows with finder ``network``),
    dock, return rows. `blind`: the pocket finder and how many of its pockets to dock
    (None: `HybridOptions`' default). A bad option is a `DockingError`."""
    from docking.errors import DockingConfigError
    from docking.inference.hybrid import HybridOptions, dock_hybrid
    from docking.inference.infer import DockingOptions
    from docking.inference.table import check_out_folder
    from docking.network.checkpoint import default_checkpoint, load_model

    try:
        vina_seeds = tuple(int(s) for s in seeds.split(",") if s.strip())
    except ValueError as error:
        raise DockingConfigError(f"--vina-seeds {seeds!r}: give integers, e.g. 1,2,3") from error
    options = HybridOptions(
        mode=mode,
        exhaustiveness=exhaustiveness,
        seeds=vina_seeds,
        **{k: v for k, v in zip(("finder", "pockets"), blind, strict=True) if v is not None},
        post=DockingOptions(device=device, posebusters=posebusters, relax=relax),
    )
    check_out_folder(out)
    model = _ranking_model(mode, model_path)
    needs_network = options.finder == "network" and any(
        r.pocket_center is None and not r.pocket_residues for r in requests
    )
    network = load_model(network_path or default_checkpoint()) if needs_network else None
    return dock_hybrid(requests, model, network, out, options)


def _ranking_model(mode: str, path: Path | None):
    """The pose ranker (hybrid), the pose scorer (scorer) or None (vina)."""
    if mode == "hybrid":
        from docking.inference.pose_ranker import default_ranker, load_ranker

        return load_ranker(path or default_ranker())
    if mode == "scorer":
        from docking.network.scorer_checkpoint import default_scorer, load_scorer

        return load_scorer(path or default_scorer())
    return None
