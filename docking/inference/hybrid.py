"""Docking on a CPU: physics samples the poses, a learned ranker (or Vina) orders them.

The pattern of GNINA (McNutt et al. 2021): AutoDock Vina's Monte Carlo search (every
pose it returns is already locally optimized by its BFGS) samples poses in a box sized
to the ligand (`science.vina.site`) around the pocket centre, once per seed, and a
learned model ranks them. Mode ``hybrid``: the linear listwise pose ranker
(`docking.inference.pose_ranker`, over complex-relative features such as Vina's score
and the Vinardo rescore, `docking.inference.pose_features`); mode ``scorer``: the
EGNN pose scorer (`docking.network.pose_scorer`, P(RMSD < 2 Å)); mode ``vina``: Vina's
own score. All three rank the same poses, so they compare by one flag.

The pocket centre comes from the request (``pocket_center`` or the Cα centroid of
``pocket_residues``). A blind request is docked into the top `HybridOptions.pockets`
candidate pockets of a pocket finder (`docking.inference.pocket_finder`: ``ligsite`` by default, or
``pocketeer``), the poses of all pockets pooled and ranked together; or, with finder
``network``, into the FABFlex-style network's predicted pocket centre (`docking.inference.infer`).
Every pose says which pocket it came from (SD tag ``pocket``, e.g. ``ligsite#2``; the row's
``pocket`` column is rank 1's), and a blind row whose top ranks lie in different sites
carries a warning (`docking.inference.rank_agreement`).

Per complex in ``OUT/<complex_name>/``: ``rank1.sdf`` ... (the ligand as Vina docked it:
hydrogens, the protonated form's bond orders; SD tags ``vina_score``,
``scorer_probability`` (the ranking model's probability: the ranker's softmax over the
poses in hybrid mode, the scorer's P(RMSD < 2 Å) in scorer mode), ``scorer_rmsd_angstrom``
(scorer mode), ``pocket``) and ``receptor.pdbqt``; then the same
post-processing as the network path (``--relax``, PoseBusters) and one row of
``results.csv`` per request, failures with their reason.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from rdkit import Chem

from docking import defaults
from docking.errors import DockingConfigError, DockingError, StructureError
from docking.inference.infer import DockingOptions, check_complex_name, dock_requests, post_process
from docking.inference.pocket import given_centre
from docking.inference.pocket_finder import DEFAULT_FINDER, FINDERS, PocketCandidate, find_pockets
from docking.inference.pose_features import pose_features
from docking.inference.pose_ranker import PoseRanker
from docking.inference.rank_agreement import rank_disagreement
from docking.inference.table import DockingRequest, DockingResult, write_results
from docking.network.model import FlexibleDocker
from docking.network.pose_graph import pose_graph, protein_atoms
from docking.network.pose_scorer import PoseScorer, collate
from docking.structures import load_ligand, load_protein, read_protein_text
from science.vina.errors import VinaError
from science.vina.prepare import prepare_ligand
from science.vina.site import Pose, Site, ligand_box, write_receptor

log = logging.getLogger(__name__)

MODES = ("hybrid", "vina", "scorer")
BLIND_FINDERS = (*FINDERS, "network")
RECEPTOR_NAME = "receptor.pdbqt"
ROW_ERRORS = (DockingError, VinaError, OSError, ValueError, RuntimeError)


@dataclass(frozen=True)
class HybridOptions:
    """Vina's sampling (exhaustiveness, seeds, poses per seed, box margin per side), how
    poses are ranked (`mode`), how many rank files to write, how blind requests find
    their pockets (`finder`, and how many of its pockets are docked), and the shared
    post-processing options (`DockingOptions`: relax, PoseBusters, device)."""

    mode: str = "hybrid"
    exhaustiveness: int = defaults.VINA_EXHAUSTIVENESS
    seeds: tuple[int, ...] = (defaults.VINA_SEED,)
    poses_per_seed: int = 9
    ranks_written: int = 3
    box_margin: float = 4.0
    finder: str = DEFAULT_FINDER
    pockets: int = 3
    post: DockingOptions = DockingOptions()

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise DockingConfigError(f"mode {self.mode!r} unknown here; use one of {MODES}")
        if self.finder not in BLIND_FINDERS:
            raise DockingConfigError(
                f"pocket finder {self.finder!r} unknown; use one of {BLIND_FINDERS}"
            )
        if self.pockets < 1:
            raise DockingConfigError(f"pockets ({self.pockets}) must be >= 1")
        if not self.seeds or 0 in self.seeds or self.exhaustiveness < 1:
            raise DockingConfigError("give non-zero seeds and an exhaustiveness >= 1")


@dataclass(frozen=True)
class RankedPose:
    """A sampled pose with Vina's score, the ranking model's probability (and the
    scorer's predicted RMSD, scorer mode), and the pocket it was sampled in."""

    pose: Pose
    probability: float
    rmsd: float
    pocket: PocketCandidate | None = None


def pocket_centre(request: DockingRequest) -> np.ndarray | None:
    """The centre the request gives (Å, checked by `docking.inference.pocket.given_centre`), or
    None for a blind request; a request read from bad cells raises its error."""
    if request.error:
        raise StructureError(request.error)
    check_complex_name(request.complex_name)
    if request.pocket_center is None and not request.pocket_residues:
        return None
    protein = load_protein(request.protein_path)
    return given_centre(protein, request.pocket_center, request.pocket_residues)


def sample_poses(
    request: DockingRequest,
    centre: np.ndarray,
    folder: Path,
    options: HybridOptions,
    receptor: Path | None = None,
) -> list[Pose]:
    """Vina's poses of the ligand in a ligand-sized box at `centre`, over every seed
    (`receptor`: the protein's PDBQT, written into `folder` when not given)."""
    receptor = receptor or write_receptor(request.protein_path, folder / RECEPTOR_NAME)
    graph = Chem.RemoveHs(load_ligand(request.ligand), sanitize=False)
    poses = []
    for seed in options.seeds:
        ligand = prepare_ligand(graph, seed=seed, dockstring_rules=False).mol
        site = Site(receptor, ligand, centre, ligand_box(ligand, options.box_margin), seed=seed)
        poses += site.dock(options.exhaustiveness, options.poses_per_seed)
    if not poses:
        raise DockingError("Vina returned no pose in the box")
    return poses


@torch.no_grad()
def scorer_beliefs(poses: list[Pose], protein_pdb: Path, scorer: PoseScorer) -> tuple[list, list]:
    """The EGNN scorer's P(RMSD < 2 Å) and predicted RMSD (Å) of each pose."""
    atoms = protein_atoms(read_protein_text(protein_pdb), str(protein_pdb))
    logit, predicted = scorer(collate([pose_graph(p.mol, atoms, p.vina_score) for p in poses]))
    return torch.sigmoid(logit).tolist(), predicted.tolist()


def ranker_beliefs(poses: list[Pose], receptor: Path, ranker: PoseRanker) -> list[float]:
    """The pose ranker's softmax probability of each pose (its features computed here)."""
    scores = [p.vina_score for p in poses]
    features = pose_features([p.mol for p in poses], scores, receptor, ranker.features)
    return ranker.probabilities(features).tolist()


def rank_poses(
    poses: list[Pose],
    site: tuple[Path, Path],
    model: PoseRanker | PoseScorer | None,
    mode: str,
    pockets: list[PocketCandidate | None] | None = None,
) -> list[RankedPose]:
    """Poses best first by `mode`: the ranker (hybrid), the scorer or Vina's score;
    `site`: the protein PDB and Vina's receptor PDBQT; `pockets`, one per pose, name
    where each was sampled."""
    pockets = pockets or [None] * len(poses)
    probability = rmsd = [float("nan")] * len(poses)
    if mode == "scorer":
        probability, rmsd = scorer_beliefs(poses, site[0], model)
    elif mode == "hybrid":
        probability = ranker_beliefs(poses, site[1], model)
    ranked = [RankedPose(*fields) for fields in zip(poses, probability, rmsd, pockets, strict=True)]
    if mode == "vina":
        return sorted(ranked, key=lambda r: r.pose.vina_score)
    return sorted(ranked, key=lambda r: -r.probability)


def write_ranked(ranked: list[RankedPose], folder: Path, result: DockingResult, count: int) -> None:
    """``rank1.sdf`` ... ``rank<count>.sdf`` with their scores; rank 1's into the row."""
    for rank, item in enumerate(ranked[:count], start=1):
        mol = Chem.Mol(item.pose.mol)
        mol.SetProp("_Name", result.complex_name)
        mol.SetProp("vina_score", f"{item.pose.vina_score:.3f}")
        mol.SetProp("scorer_probability", f"{item.probability:.4f}")
        mol.SetProp("scorer_rmsd_angstrom", f"{item.rmsd:.3f}")
        mol.SetProp("pocket", item.pocket.label if item.pocket else "given")
        with Chem.SDWriter(str(folder / f"rank{rank}.sdf")) as writer:
            writer.write(mol)
    best = ranked[0]
    result.vina_score = best.pose.vina_score
    result.scorer_probability = None if np.isnan(best.probability) else best.probability
    result.confidence_rmsd_angstrom = None if np.isnan(best.rmsd) else best.rmsd
    result.rank1_sdf = str(folder / "rank1.sdf")
    if best.pocket is not None:
        result.pocket = best.pocket.label
        result.pocket_center = " ".join(f"{v:.3f}" for v in best.pocket.centre)
        result.warning = rank_disagreement([_centroid(item.pose.mol) for item in ranked[:count]])


def _centroid(mol: Chem.Mol) -> np.ndarray:
    """(3,) heavy-atom centroid of a pose."""
    heavy = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() > 1]
    return mol.GetConformer().GetPositions()[heavy].mean(axis=0)


def sample_pockets(
    request: DockingRequest, pockets: list[PocketCandidate], folder: Path, options: HybridOptions
) -> tuple[list[Pose], list[PocketCandidate]]:
    """Vina's poses in every pocket (one receptor file), and the pocket of each pose."""
    receptor = write_receptor(request.protein_path, folder / RECEPTOR_NAME)
    poses, where = [], []
    for pocket in pockets:
        found = sample_poses(request, pocket.centre, folder, options, receptor)
        poses += found
        where += [pocket] * len(found)
    return poses, where


def dock_hybrid_one(
    request: DockingRequest,
    site: np.ndarray | list[PocketCandidate],
    model: PoseRanker | PoseScorer | None,
    out_dir: Path,
    options: HybridOptions,
) -> DockingResult:
    """Sample, rank, write and post-process one complex at its given centre (3,) or in its
    candidate pockets (blind); failures become the row's error."""
    result = DockingResult(request.complex_name, mode=options.mode)
    folder = out_dir / request.complex_name
    began = time.perf_counter()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(site, np.ndarray):
            result.pocket, result.pocket_center = "given", " ".join(f"{v:.3f}" for v in site)
            poses, where = sample_poses(request, site, folder, options), None
        else:
            poses, where = sample_pockets(request, site, folder, options)
        site_files = (request.protein_path, folder / RECEPTOR_NAME)
        ranked = rank_poses(poses, site_files, model, options.mode, where)
        result.seconds_model = time.perf_counter() - began
        write_ranked(ranked, folder, result, options.ranks_written)
        post_process(request, result, folder, options.post)
        result.status = "ok"
    except ROW_ERRORS as error:
        result.error = f"{type(error).__name__}: {' '.join(str(error).split())}"
        log.info("%s failed: %s", request.complex_name, result.error)
    result.seconds_total = time.perf_counter() - began
    return result


def network_pockets(
    requests: list[DockingRequest], network: FlexibleDocker | None, options: DockingOptions
) -> list[list[PocketCandidate] | str]:
    """Per blind request, the network's predicted pocket centre (or why there is none)."""
    if not requests:
        return []
    if network is None:
        return ["no pocket given and no pocket network loaded: give a pocket centre"] * len(
            requests
        )
    with tempfile.TemporaryDirectory() as scratch:
        found = dock_requests(requests, network, Path(scratch), options)
    return [
        [PocketCandidate(np.array([float(v) for v in f.pocket_center.split()]), 0.0, "network", 1)]
        if f.status == "ok"
        else f"pocket prediction failed: {f.error}"
        for f in found
    ]


def sites(
    requests: list[DockingRequest], network: FlexibleDocker | None, options: HybridOptions
) -> list[np.ndarray | list[PocketCandidate] | str]:
    """Per request, in order: its given centre, its candidate pockets (blind), or why it
    cannot be docked (a bad request, a repeated name, no pocket found)."""
    found: list = []
    blind, seen = [], set()
    for index, request in enumerate(requests):
        try:
            if request.complex_name in seen:
                raise DockingError(f"duplicate complex_name {request.complex_name!r}")
            seen.add(request.complex_name)
            given = pocket_centre(request)
            if given is None and options.finder != "network":
                given = find_pockets(request.protein_path, options.finder, options.pockets)
        except ROW_ERRORS as error:
            given = f"{type(error).__name__}: {' '.join(str(error).split())}"
        if given is None:
            blind.append(index)
        found.append(given)
    predicted = network_pockets([requests[i] for i in blind], network, options.post)
    for index, pockets in zip(blind, predicted, strict=True):
        found[index] = pockets
    return found


def dock_hybrid(
    requests: list[DockingRequest],
    model: PoseRanker | PoseScorer | None,
    network: FlexibleDocker | None,
    out_dir: Path,
    options: HybridOptions = HybridOptions(),
) -> list[DockingResult]:
    """Dock every request (ranked by `options.mode`: the pose ranker, the pose scorer or
    Vina, `model` being the first two) and write ``out_dir/results.csv``."""
    needs = {"hybrid": PoseRanker, "scorer": PoseScorer}.get(options.mode)
    if needs is not None and not isinstance(model, needs):
        raise DockingConfigError(f"mode {options.mode} needs a {needs.__name__}, got {model!r}")
    results = []
    for request, site in zip(requests, sites(requests, network, options), strict=True):
        if isinstance(site, str):
            results.append(DockingResult(request.complex_name, error=site, mode=options.mode))
            continue
        results.append(dock_hybrid_one(request, site, model, out_dir, options))
    write_results(results, out_dir / "results.csv")
    return results
