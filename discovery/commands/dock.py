"""`discover dock`: dock ligands into proteins, and `discover dock train` to train the model.

    discover dock --protein P.pdb --ligand L.sdf --pocket-center X Y Z --out DIR   # hybrid
    discover dock ... --mode vina | --mode fabflex      # plain Vina | the end-to-end network
    discover dock make-labels / train-ranker / train-scorer   # the hybrid path's rankers
    discover dock --mode fabflex --protein P.pdb --ligand L.sdf|L.mol2|"SMILES" --out DIR
    discover dock --csv batch.csv --out DIR          # columns complex_name, protein_path, ligand
    discover dock ... --pocket-residues A:45,A:46B   # pocket centre = their Cα centroid
    discover dock --protein P.pdb --ligand L.sdf --out DIR  # blind: top 3 LIGSITE pockets
    discover dock train --config docking/configs/small_cpu.yaml
    discover dock make-poses --targets ABL1,F2 --molecules 1000 --workers 16   # Vina poses

Docking errors become one line on stderr and exit status 1. A failing complex in a batch
does not stop the others: it is a row of ``results.csv`` with its reason, and the command
exits with status 1 once all rows are written.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from discovery.home import data_folder, home_folder
from docking import defaults  # plain values; torch, RDKit and PyG stay unimported

# torch, RDKit and PyG take seconds to import: `docking` is imported inside the commands
# so that every other `discover` command starts fast.

app = typer.Typer(help="Flexible blind docking (FABFlex-style): ligand pose + holo pocket.")


def _fail(error: Exception) -> None:
    print(f"discover dock: {error}", file=sys.stderr)
    raise typer.Exit(1)


def _requests(
    protein: Path | None,
    ligand: str | None,
    batch: Path | None,
    centre: tuple[float, float, float] | None,
    residues: str | None,
) -> list:
    from docking.inference.infer import DockingRequest
    from docking.inference.pocket import parse_residue_list
    from docking.inference.table import read_batch_csv

    if centre is not None and residues:
        raise typer.BadParameter("give either --pocket-center or --pocket-residues, not both")
    if batch is not None:
        if protein or ligand or centre is not None or residues:
            raise typer.BadParameter(
                "give either --csv (pocket columns in the CSV) or --protein/--ligand, not both"
            )
        return read_batch_csv(batch)
    if protein is None or ligand is None:
        raise typer.BadParameter("give --protein and --ligand, or --csv")
    pocket = parse_residue_list(residues) if residues else ()
    return [DockingRequest(protein.stem, protein, ligand, centre, pocket)]


@app.callback(invoke_without_command=True)
def dock(
    ctx: typer.Context,
    protein: Annotated[Path | None, typer.Option(help="Protein PDB (apo or holo)")] = None,
    ligand: Annotated[str | None, typer.Option(help="Ligand SDF, MOL2 or SMILES")] = None,
    csv_path: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Batch CSV: complex_name, protein_path, ligand [, pocket_center or pocket_residues]",
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder")] = Path("docking-out"),
    checkpoint: Annotated[
        Path | None, typer.Option(help="Model checkpoint [the shipped small CPU model]")
    ] = None,
    pocket_center: Annotated[
        tuple[float, float, float] | None,
        typer.Option(help="Pocket centre x y z in Å (skips pocket prediction)"),
    ] = None,
    pocket_residues: Annotated[
        str | None,
        typer.Option(help="Pocket residues chain:number[icode], e.g. A:45,A:46B (centre: Cα)"),
    ] = None,
    device: Annotated[str, typer.Option(help="cpu or cuda")] = defaults.DEVICE,
    pose: Annotated[
        str, typer.Option(help="fit (conformer placed on prediction) or raw")
    ] = defaults.POSE_MODE,
    seed: Annotated[int, typer.Option(help="Seed of the starting conformer")] = (
        defaults.CONFORMER_SEED
    ),
    samples: Annotated[
        int, typer.Option(help="Start conformers docked per complex, ranked by confidence")
    ] = defaults.SAMPLES,
    posebusters: Annotated[
        bool, typer.Option(help="Add PoseBusters validity flags to results.csv")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(help="Complexes per model call (8 suits a CPU; larger on a GPU)")
    ] = defaults.BATCH_SIZE,
    workers: Annotated[
        int, typer.Option(help="Processes embedding ETKDG start conformers (CPU cores to use)")
    ] = defaults.CONFORMER_WORKERS,
    relax: Annotated[
        bool,
        typer.Option(help="OpenMM-minimize rank 1 in the protein; rank1.sdf is the relaxed pose"),
    ] = False,
    mode: Annotated[
        str,
        typer.Option(
            help="vina (Vina samples and ranks), hybrid (Vina samples, the linear pose ranker "
            "ranks: Vina + Vinardo rescore), scorer (Vina samples, the EGNN pose scorer ranks; "
            "worse than Vina, BENCHMARKS.md), or fabflex (network)"
        ),
    ] = "vina",
    scorer: Annotated[
        Path | None,
        typer.Option(help="Ranking model: pose ranker JSON (hybrid) or scorer .pt (scorer)"),
    ] = None,
    exhaustiveness: Annotated[
        int, typer.Option(help="Vina's exhaustiveness (hybrid, vina)")
    ] = defaults.VINA_EXHAUSTIVENESS,
    vina_seeds: Annotated[
        str, typer.Option(help="Vina seeds, comma-separated; poses of all are pooled")
    ] = str(defaults.VINA_SEED),
    pocket_finder: Annotated[
        str | None,
        typer.Option(help="Blind rows (hybrid, vina): ligsite, pocketeer or network [ligsite]"),
    ] = None,
    pockets: Annotated[
        int | None, typer.Option(help="Blind rows: dock this many of the finder's pockets [3]")
    ] = None,
) -> None:
    """Dock one complex (--protein/--ligand) or a batch (--csv); writes OUT/results.csv."""
    if ctx.invoked_subcommand is not None:
        return
    from docking.errors import DockingError

    try:
        requests = _requests(protein, ligand, csv_path, pocket_center, pocket_residues)
        if mode != "fabflex":
            from discovery.commands.dock_hybrid import run_hybrid

            results = run_hybrid(
                requests, out, mode, scorer, checkpoint, exhaustiveness, vina_seeds,
                (pocket_finder, pockets), posebusters=posebusters, relax=relax, device=device,
            )  # fmt: skip
        else:
            options = (device, pose, seed, samples, posebusters, batch_size, workers, relax)
            results = _dock_network(requests, out, checkpoint, options)
    except DockingError as error:
        _fail(error)
    _report(results, out)


def _dock_network(requests: list, out: Path, checkpoint: Path | None, settings: tuple) -> list:
    """The end-to-end network path (`--mode fabflex`): load the model, dock, write rows."""
    import torch

    from docking.inference.infer import DockingOptions, dock_all
    from docking.inference.table import check_out_folder
    from docking.network.checkpoint import default_checkpoint, load_model

    options = DockingOptions(*settings[:-1], relax=settings[-1])
    if options.device.startswith("cuda") and not torch.cuda.is_available():
        raise typer.BadParameter("--device cuda: no CUDA device is visible; use --device cpu")
    check_out_folder(out)
    model = load_model(checkpoint or default_checkpoint(), device=options.device)
    return dock_all(requests, model, out, options)


def _report(results: list, out: Path) -> None:
    """One line per complex, a summary, and exit status 1 if any row failed."""
    failed = [r for r in results if r.status != "ok"]
    for r in results:
        if r.status != "ok":
            detail = r.error
        elif r.scorer_probability is not None:
            detail = f"P(<2 Å) {r.scorer_probability:.2f}, Vina {r.vina_score:.2f} kcal/mol"
        elif r.vina_score is not None:
            detail = f"Vina {r.vina_score:.2f} kcal/mol"
        else:
            detail = f"confidence {r.confidence_rmsd_angstrom:.2f} Å"
        warning = f"; warning: {r.warning}" if r.warning else ""
        print(f"{r.complex_name}: {r.status} ({detail}{warning}), {r.seconds_total or 0:.2f} s")
    print(f"{len(results) - len(failed)}/{len(results)} docked; results in {out / 'results.csv'}")
    if failed:
        raise typer.Exit(1)


@app.command("train")
def train_command(
    config: Annotated[
        str, typer.Option(help="Training config: a YAML path or a preset name (small_cpu, gpu)")
    ],
    out_dir: Annotated[Path | None, typer.Option(help="Override out_dir")] = None,
    epochs: Annotated[int | None, typer.Option(help="Override epochs")] = None,
    max_minutes: Annotated[float | None, typer.Option(help="Override max_minutes")] = None,
    fresh: Annotated[bool, typer.Option(help="Ignore out_dir/last.pt and start over")] = False,
) -> None:
    """Train the docking model (resumes from OUT_DIR/last.pt unless --fresh)."""
    from docking.errors import DockingError
    from docking.training.train import load_train_config, train

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        settings = load_train_config(
            config, out_dir=out_dir, epochs=epochs, max_minutes=max_minutes
        )
        if settings.data_folder is None:
            settings.data_folder = data_folder()
        summary = train(settings, resume=not fresh)
    except DockingError as error:
        _fail(error)
    last = summary["history"][-1] if summary["history"] else {}
    print(json.dumps({"best_validation_rmsd": summary["best_validation_rmsd"], "last": last}))
    print(f"checkpoints in {settings.out_dir}")


@app.command("make-poses")
def make_poses_command(
    out: Annotated[
        Path | None, typer.Option(help="Pose folder [DISCOVERY_HOME/docking/vina_poses]")
    ] = None,
    targets: Annotated[
        list[str], typer.Option(help="DOCKSTRING targets, comma-separated, or 'all' (58)")
    ] = ["ABL1"],  # noqa: B006 (Typer reads list defaults, never mutates them)
    molecules: Annotated[int, typer.Option(help="Molecules drawn from the source")] = 100,
    smiles: Annotated[
        Path | None, typer.Option(help="SMILES file (one per line) [MOSES training set]")
    ] = None,
    exhaustiveness: Annotated[
        int, typer.Option(help="Vina's exhaustiveness")
    ] = defaults.VINA_EXHAUSTIVENESS,
    workers: Annotated[int, typer.Option(help="Worker processes (one Vina core each)")] = 1,
    seed: Annotated[
        int, typer.Option(help="Seed of the draw, the embedding and Vina (not 0: random in Vina)")
    ] = defaults.VINA_SEED,
) -> None:
    """Dock drug-like molecules into DOCKSTRING targets with Vina: pretraining poses for
    `discover dock train` (config key `pose_folders`). Resumes: pairs done are skipped."""
    from docking.errors import DockingError
    from docking.training.data import held_out_ligand_keys
    from docking.training.pose_molecules import check, default_source, draw, read_smiles
    from docking.training.vina_poses import PoseSettings, make_poses
    from science.vina.errors import VinaError
    from science.vina.targets import target_names

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    out = out or home_folder() / "docking" / "vina_poses"
    names = [n.strip() for t in targets for n in t.split(",") if n.strip()]
    names = target_names() if names == ["all"] else names
    try:
        source = smiles or default_source()
        held_out = held_out_ligand_keys(data_folder())
        candidates = [check(s, held_out) for s in draw(read_smiles(source), molecules, seed)]
        settings = PoseSettings(exhaustiveness=exhaustiveness, seed=seed)
        summary = make_poses(out, names, candidates, settings, workers=workers)
    except (DockingError, VinaError, OSError) as error:
        _fail(error)
    print(
        f"{summary.docked} docked, {summary.failed} failed, {summary.excluded} excluded "
        f"(test ligands), {summary.skipped} done before; {summary.seconds:.0f} s; "
        f"{len(candidates)} molecules from {source}; folder {out}"
    )


def _register_label_maker() -> None:
    from discovery.commands.dock_labels import (
        make_labels_command,
        train_ranker_command,
        train_scorer_command,
    )

    app.command("make-labels")(make_labels_command)
    app.command("train-ranker")(train_ranker_command)
    app.command("train-scorer")(train_scorer_command)


_register_label_maker()
