"""Generate training poses: drug-like molecules docked with AutoDock Vina into DOCKSTRING targets.

Crystal complexes are scarce here, so the docking model can be pre-trained on poses that
Vina (Eberhardt et al. 2021, AutoDock Vina 1.2) finds for MOSES molecules
(`docking.training.pose_molecules`) in the 58 receptors and search boxes that DOCKSTRING
(García-Ortegón et al. 2022) prepared, and then fine-tuned on crystal complexes. Ligand
preparation and docking are `science.vina`'s (dockstring's pipeline: Open Babel
protonation at pH 7.4, RDKit embedding, meeko PDBQT, 9 poses); the top pose is kept.

Each (target, molecule) pair is one job in a worker process (Vina itself on one core), so
`workers` cores dock in parallel. Output is a pose folder (`docking.training.pose_folder`): the
receptor as PDB, one SDF per pose (hydrogens, bond orders, SD tag ``vina_score``) and an
index row per pair, appended as each job ends. A rerun skips every pair with a row; a
molecule that cannot be prepared or docked becomes a ``failed`` row with its reason and
never stops the run; a test ligand becomes an ``excluded`` row and is never docked.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from meeko import PDBQTMolecule, RDKitMolCreate
from rdkit import Chem
from tqdm import tqdm

from docking import defaults
from docking.structures import load_protein
from docking.training import pose_folder
from docking.training.pose_molecules import Candidate
from science.vina.prepare import prepare_ligand
from science.vina.score import dock
from science.vina.targets import load_target

log = logging.getLogger(__name__)

PDB_COLUMNS = 66  # a PDBQT line is a PDB line up to the occupancy/B-factor columns


@dataclass(frozen=True)
class PoseSettings:
    """How each molecule is docked: Vina's exhaustiveness and the seed (embedding and Vina)."""

    exhaustiveness: int = defaults.VINA_EXHAUSTIVENESS
    seed: int = defaults.VINA_SEED
    targets_dir: Path | None = None  # default: the `dockstring` package's targets

    def record(self) -> dict:
        """What a pose folder keeps of these settings (`docking.training.pose_folder.SETTINGS_NAME`)."""
        return {
            "method": "AutoDock Vina top pose, dockstring ligand preparation (pH 7.4)",
            "exhaustiveness": self.exhaustiveness,
            "seed": self.seed,
            "targets_dir": str(self.targets_dir or "dockstring package"),
        }


@dataclass(frozen=True)
class PoseRunSummary:
    """What one `make_poses` call did (pairs), and its wall time."""

    docked: int
    failed: int
    excluded: int
    skipped: int
    seconds: float


def write_receptor(target: str, folder: Path, targets_dir: Path | None = None) -> Path:
    """``receptors/<target>.pdb``: the PDB columns of the target's PDBQT, checked by
    reading it back with `docking.structures.load_protein`."""
    path = folder / pose_folder.receptor_file(target)
    if path.exists():
        return path
    source = load_target(target, targets_dir).receptor
    lines = [
        line[:PDB_COLUMNS].rstrip()
        for line in source.read_text().splitlines()
        if line.startswith(("ATOM", "HETATM", "TER"))
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join([*lines, "END"]) + "\n")
    load_protein(temporary)
    temporary.replace(path)
    return path


def _row(target: str, candidate: Candidate, **fields) -> dict:
    row = dict.fromkeys(pose_folder.COLUMNS, "")
    row.update(target=target, smiles=candidate.smiles, inchikey=candidate.key)
    row.update(status=candidate.status, reason=candidate.reason, **fields)
    return row


def top_pose(poses_pdbqt: str) -> Chem.Mol:
    """Vina's top pose as an RDKit molecule with hydrogens and bond orders (meeko reads
    the SMILES and atom mapping it wrote into the PDBQT)."""
    mol = RDKitMolCreate.from_pdbqt_mol(PDBQTMolecule(poses_pdbqt, skip_typing=True))[0]
    if mol is None:
        raise ValueError("meeko could not rebuild the docked pose as an RDKit molecule")
    return mol


def dock_pair(target: str, candidate: Candidate, folder: Path, settings: PoseSettings) -> dict:
    """Dock one molecule into one target, write its top pose; the index row (failed with
    the reason when anything goes wrong, so that one molecule never stops a run)."""
    began = time.perf_counter()
    try:
        ligand = prepare_ligand(Chem.MolFromSmiles(candidate.smiles), settings.seed)
        receptor = load_target(target, settings.targets_dir)
        docked = dock(
            ligand.pdbqt, receptor, exhaustiveness=settings.exhaustiveness, seed=settings.seed
        )
        pose = top_pose(docked.poses)
        relative = pose_folder.pose_file(target, candidate.key)
        _write_sdf(folder / relative, pose, candidate, target, docked.score)
    except Exception as error:  # any failure is this molecule's, recorded, never the run's
        reason = f"{type(error).__name__}: {' '.join(str(error).split())}"[:300]
        log.info("%s in %s failed: %s", candidate.smiles, target, reason)
        failed = Candidate(candidate.smiles, candidate.key, "failed", reason)
        return _row(target, failed, seconds=f"{time.perf_counter() - began:.2f}")
    return _row(
        target,
        candidate,
        vina_score=f"{docked.score:.3f}",
        docked_smiles=ligand.smiles,
        receptor=pose_folder.receptor_file(target),
        ligand=relative,
        seconds=f"{time.perf_counter() - began:.2f}",
    )


def _write_sdf(path: Path, pose: Chem.Mol, candidate: Candidate, target: str, score: float):
    for name in pose.GetPropNames():  # meeko's own JSON record is not needed downstream
        pose.ClearProp(name)
    pose.SetProp("_Name", candidate.key)
    pose.SetProp("target", target)
    pose.SetProp("smiles", candidate.smiles)
    pose.SetProp("vina_score", f"{score:.3f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with Chem.SDWriter(str(temporary)) as writer:
        writer.write(pose)
    temporary.replace(path)


def _docked_rows(
    pairs: list[tuple[str, Candidate]], folder: Path, settings: PoseSettings, workers: int
) -> Iterator[dict]:
    """Index rows of docked pairs, in completion order (one process, or a pool)."""
    job = partial(_dock_job, folder=folder, settings=settings)
    if workers <= 1:
        yield from map(job, pairs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap_unordered(job, pairs, chunksize=1)


def _dock_job(pair: tuple[str, Candidate], folder: Path, settings: PoseSettings) -> dict:
    return dock_pair(pair[0], pair[1], folder, settings)


def make_poses(
    folder: Path,
    targets: Sequence[str],
    candidates: Sequence[Candidate],
    settings: PoseSettings = PoseSettings(),
    workers: int = 1,
) -> PoseRunSummary:
    """Dock every candidate into every target into `folder`, skipping pairs already in
    its index; rows are appended as jobs finish."""
    began = time.perf_counter()
    folder = Path(folder)
    pose_folder.record_settings(folder, settings.record())
    for target in targets:
        write_receptor(target, folder, settings.targets_dir)
    done = {(r["target"], r["smiles"]) for r in pose_folder.read_index(folder)}
    pairs = [(t, c) for c in candidates for t in targets if (t, c.smiles) not in done]
    skipped = len(candidates) * len(targets) - len(pairs)
    undockable = [_row(t, c) for t, c in pairs if c.status != "ok"]
    pose_folder.append_rows(folder, undockable)
    dockable = [(t, c) for t, c in pairs if c.status == "ok"]
    log.info(
        "%d pairs to dock, %d done before, %d undockable", len(dockable), skipped, len(undockable)
    )
    counts = Counter(row["status"] for row in undockable)
    rows = _docked_rows(dockable, folder, settings, workers)
    for row in tqdm(rows, total=len(dockable), desc="vina poses"):
        pose_folder.append_rows(folder, [row])
        counts[row["status"]] += 1
    return PoseRunSummary(
        docked=counts["ok"],
        failed=counts["failed"],
        excluded=counts["excluded"],
        skipped=skipped,
        seconds=time.perf_counter() - began,
    )
