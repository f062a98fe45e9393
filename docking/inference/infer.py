"""Dock ligands into proteins with a trained model, many complexes per model call.

Per complex, in ``OUT/<complex_name>/``: ``rank1.sdf`` ... ``rank<N>.sdf`` (the ligand
with hydrogens and its bond orders, SD tag ``confidence_rmsd_angstrom``; N samples from
N start conformers, best predicted RMSD first) and ``pocket_holo.pdb`` (the pocket of
rank 1, each residue moved rigidly with its predicted Cα). ``OUT/results.csv`` has one
row per input row, in order (columns: `docking.inference.table.DockingResult`), and for every
failure the reason. A failing complex never stops the run nor disappears from it.

Each complex goes through four stages: prepare (read, ETKDG start conformers, featurize)
-> model -> write the rank files and pocket -> `post_process` (per-complex steps that read
the written files). The model stage is batched: `batch_size` prepared complexes, each
with its `samples` graphs, are concatenated into one padding-free PyG `Batch` and docked
by one model call; the network never mixes the graphs of a batch, so the results equal
those of batch size 1 (to float rounding). A complex that fails to prepare fails alone;
when the model call of a batch fails, its complexes are docked one by one so that only
the faulty one fails. Proteins are parsed once per run (`ProteinCache`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from rdkit import Chem
from torch_geometric.data import Batch
from tqdm import tqdm

from docking import defaults
from docking.errors import DockingConfigError, DockingError
from docking.inference.checks import posebusters_flags
from docking.inference.conformers import Conformers, conformer_jobs
from docking.inference.pocket import format_residues, given_centre, write_pocket
from docking.inference.protein_cache import ParsedProtein, ProteinCache
from docking.inference.rank_agreement import rank_disagreement
from docking.inference.table import DockingRequest, DockingResult, write_results
from docking.network.featurize import ComplexData, featurize_complex
from docking.network.model import FlexibleDocker
from docking.poses.pose import POSE_MODES, check_and_reflect, fit_conformer, pose_molecule
from docking.relaxation.relax import RELAXED_POCKET, RelaxOptions, relax_sdf_file

log = logging.getLogger(__name__)

# Complexes per model call. The network's work is per edge, so a CPU batch saves only the
# per-call overhead: 8 drug-like complexes cost what 8 calls cost (x0.95), larger batches
# more (x1.64 at 32: the edge tensors outgrow the caches); on a GPU larger is better.
# Measured in BENCHMARKS.md, "Docking: throughput".
DEFAULT_BATCH_SIZE = defaults.BATCH_SIZE
DEVICE = re.compile(r"cpu|cuda(:\d+)?")
ROW_ERRORS = (DockingError, OSError, ValueError, RuntimeError)
MODEL_ERRORS = (RuntimeError, ValueError, IndexError)  # CUDA out-of-memory is a RuntimeError


@dataclass(frozen=True)
class DockingOptions:
    """How to dock: device, pose mode (`POSE_MODES`), conformer seed, number of samples
    (start conformers docked together and ranked by predicted RMSD), PoseBusters flags,
    complexes per model call (`batch_size`), processes embedding start conformers
    (`workers`, see `docking.inference.conformers`) and OpenMM relaxation of rank 1 (`relax`, see
    `post_process`)."""

    device: str = defaults.DEVICE
    pose: str = defaults.POSE_MODE
    seed: int = defaults.CONFORMER_SEED
    samples: int = defaults.SAMPLES
    posebusters: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE
    workers: int = defaults.CONFORMER_WORKERS
    relax: bool = False

    def __post_init__(self) -> None:
        if not DEVICE.fullmatch(self.device):
            raise DockingConfigError(f"device {self.device!r} unknown; use cpu, cuda or cuda:N")
        if self.pose not in POSE_MODES:
            raise DockingConfigError(f"pose mode {self.pose!r} unknown; use one of {POSE_MODES}")
        if min(self.samples, self.batch_size, self.workers) < 1:
            raise DockingConfigError(
                f"samples ({self.samples}), batch size ({self.batch_size}) and workers "
                f"({self.workers}) must be >= 1"
            )


@dataclass
class Prepared:
    """A complex ready for the model: its row, parsed protein, start conformers (one per
    sample), their graphs, and the pocket centre given for it (None: predict it)."""

    request: DockingRequest
    result: DockingResult
    protein: ParsedProtein
    starts: list[Chem.Mol]
    graphs: list[ComplexData]
    centre: np.ndarray | None


@dataclass(frozen=True)
class Sample:
    """One docked sample: ligand heavy atoms (L, 3), pocket mask over the protein (R,),
    pocket Cα (P, 3), predicted RMSD, and the pocket centre used (3,)."""

    ligand: np.ndarray
    mask: np.ndarray
    pocket_ca: np.ndarray
    confidence: float
    centre: np.ndarray


def check_complex_name(name: str) -> None:
    """Refuse a name that is not one folder name (it names the complex's output folder)."""
    if not name or name in (".", "..") or any(c in name for c in "/\\"):
        raise DockingError(f"complex_name {name!r} must be a non-empty name without / or \\")


def prepare(
    request: DockingRequest,
    result: DockingResult,
    conformers: Callable[[], Conformers],
    proteins: ProteinCache,
) -> Prepared:
    """Read the protein (through `proteins`) and the given pocket, take the ligand's start
    conformers (one per seed) from `conformers`, and featurize a complex for each.

    `seconds_prepare` is the embedding's own time, wherever it ran, plus this function's
    time outside the wait for it.
    """
    began = time.perf_counter()
    check_complex_name(request.complex_name)
    parsed = proteins.get(request.protein_path)
    centre = given_centre(parsed.protein, request.pocket_center, request.pocket_residues)
    called = time.perf_counter()
    starts, embedding = conformers()
    waited = time.perf_counter() - called
    graphs = [featurize_complex(parsed.protein, s, s, name=request.complex_name) for s in starts]
    result.seconds_prepare = time.perf_counter() - began - waited + embedding
    return Prepared(request, result, parsed, starts, graphs, centre)


@torch.no_grad()
def run_model(model: FlexibleDocker, group: list[Prepared], device: str) -> list[list[Sample]]:
    """Dock every sample of every complex of `group` in one model call (one padding-free
    `Batch`); per complex, its samples in seed order."""
    graphs = [g for p in group for g in p.graphs]
    batch = Batch.from_data_list(graphs).to(device)
    given = [np.full(3, np.nan) if p.centre is None else p.centre for p in group]
    centres = torch.tensor(
        np.repeat(np.stack(given), [len(p.graphs) for p in group], axis=0),
        dtype=batch["residue"].pos.dtype,
        device=device,
    )  # (B, 3), NaN rows: predict that pocket
    output = model(batch, pocket_center=centres)
    count = len(graphs)
    split = lambda values, index: torch.split(  # noqa: E731
        values.cpu(), torch.bincount(index, minlength=count).tolist()
    )
    ligand = split(output.ligand_pos.double(), batch["ligand"].batch)
    mask = split(output.pocket_mask, batch["residue"].batch)
    pocket = split(output.pocket_pos.double(), output.pocket_batch)
    used = torch.where(centres.isnan(), output.pocket_center, centres).cpu().double()
    confidence = output.confidence.cpu().tolist()
    samples = iter(
        Sample(
            ligand[i].numpy(), mask[i].numpy(), pocket[i].numpy(), confidence[i], used[i].numpy()
        )
        for i in range(count)
    )
    return [[next(samples) for _ in p.graphs] for p in group]


def write_ranks(prepared: Prepared, samples: list[Sample], folder: Path, pose: str) -> None:
    """Write ``rank<k>.sdf`` (best predicted RMSD first) and rank 1's ``pocket_holo.pdb``
    into `folder`, and fill the row's confidence, pocket and file columns."""
    result = prepared.result
    order = sorted(range(len(samples)), key=lambda i: samples[i].confidence)
    for rank, index in enumerate(order, start=1):
        sample, start = samples[index], prepared.starts[index]
        ligand, reflected = check_and_reflect(sample.ligand, start)
        if pose == "fit":
            ligand = fit_conformer(ligand, start)
        _write_pose(pose_molecule(ligand, start), folder / f"rank{rank}.sdf", result, sample)
        if rank == 1:
            parsed = prepared.protein
            pocket = folder / "pocket_holo.pdb"
            ids = write_pocket(parsed.model, parsed.protein, sample.mask, sample.pocket_ca, pocket)
            result.confidence_rmsd_angstrom, result.chirality_reflected = (
                sample.confidence,
                reflected,
            )
            result.pocket_center = " ".join(f"{v:.3f}" for v in sample.centre)
            result.pocket_residues = format_residues(ids)
            result.rank1_sdf, result.pocket_pdb = str(folder / "rank1.sdf"), str(pocket)
    if prepared.centre is None:
        result.warning = rank_disagreement([samples[i].ligand.mean(0) for i in order])


def _write_pose(mol: Chem.Mol, path: Path, result: DockingResult, sample: Sample) -> None:
    mol.SetProp("_Name", result.complex_name)
    mol.SetProp("confidence_rmsd_angstrom", f"{sample.confidence:.6f}")
    with Chem.SDWriter(str(path)) as writer:
        writer.write(mol)


def post_process(
    request: DockingRequest, result: DockingResult, folder: Path, options: DockingOptions
) -> None:
    """Per-complex steps after the rank files are written, reading them from `folder`.

    With `options.relax`, rank 1 is first minimized in the input protein
    (`docking.relaxation.relax`): ``rank1.sdf`` becomes the relaxed pose, the docked one is kept as
    ``rank1_unrelaxed.sdf`` and the relaxed pocket as ``pocket_relaxed.pdb``; energies
    and the ligand RMSD moved go to the row. Then, with `options.posebusters`, rank 1's
    PoseBusters ``dock`` checks (in the input protein), reported as ``passed/total`` and
    the failed check names.
    """
    if options.relax:
        relaxed = relax_sdf_file(
            folder / "rank1.sdf",
            request.protein_path,
            RelaxOptions(device=options.device),
            request.complex_name,
        )
        result.relax_energy_before_kj_mol = relaxed.energy_before_kj_mol
        result.relax_energy_after_kj_mol = relaxed.energy_after_kj_mol
        result.relax_ligand_moved_angstrom = relaxed.ligand_rmsd_angstrom
        result.relax_pocket_pdb = str(folder / RELAXED_POCKET)
    if options.posebusters:
        flags = posebusters_flags(folder / "rank1.sdf", request.protein_path)
        result.posebusters_passed = f"{flags.passed}/{flags.total}"
        result.posebusters_failed = ";".join(flags.failed)


def _fail(result: DockingResult, error: Exception) -> None:
    """Mark the row failed with its reason (logged at info: the caller reports rows)."""
    result.error = f"{type(error).__name__}: {error}"
    log.info("%s failed: %s", result.complex_name, result.error)


def finish(
    prepared: Prepared, samples: list[Sample], out_dir: Path, options: DockingOptions
) -> None:
    """Write one docked complex's files, post-process it, and mark its row ok or failed."""
    began = time.perf_counter()
    folder = out_dir / prepared.request.complex_name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_ranks(prepared, samples, folder, options.pose)
        post_process(prepared.request, prepared.result, folder, options)
        prepared.result.status = "ok"
    except ROW_ERRORS as error:
        _fail(prepared.result, error)
    prepared.result.seconds_write = time.perf_counter() - began


def dock_batch(
    model: FlexibleDocker, group: list[Prepared], out_dir: Path, options: DockingOptions
) -> None:
    """Dock `group` in one model call and finish each complex; if the call fails, dock the
    complexes one by one so that only the faulty one fails."""
    began = time.perf_counter()
    try:
        docked = run_model(model, group, options.device)
    except MODEL_ERRORS as error:
        if len(group) == 1:
            _fail(group[0].result, error)
            return
        log.info("model call on %d complexes failed (%s); one by one", len(group), error)
        for prepared in group:
            dock_batch(model, [prepared], out_dir, options)
        return
    share = (time.perf_counter() - began) / len(group)
    for prepared, samples in zip(group, docked, strict=True):
        prepared.result.seconds_model = share
        finish(prepared, samples, out_dir, options)


def _prepared(
    requests: list[DockingRequest],
    results: list[DockingResult],
    jobs: Iterator[Callable[[], Conformers]],
    progress: tqdm,
) -> Iterator[Prepared]:
    """Prepare the requests in order, lazily; a row that fails (a repeated `complex_name`
    would overwrite the first one's files) is marked failed and skipped."""
    proteins, seen = ProteinCache(), set()
    for request, result, conformers in zip(requests, results, jobs, strict=True):
        prepared = None
        try:
            if request.error:
                raise DockingError(request.error)
            if request.complex_name in seen:
                raise DockingError(f"duplicate complex_name {request.complex_name!r}")
            prepared = prepare(request, result, conformers, proteins)
        except ROW_ERRORS as error:
            _fail(result, error)
            progress.update(1)
        seen.add(request.complex_name)
        if prepared is not None:
            yield prepared


def _batches(items: Iterable[Prepared], size: int) -> Iterator[list[Prepared]]:
    group: list[Prepared] = []
    for item in items:
        group.append(item)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def dock_requests(
    requests: list[DockingRequest],
    model: FlexibleDocker,
    out_dir: Path,
    options: DockingOptions = DockingOptions(),
) -> list[DockingResult]:
    """Dock every request, `options.batch_size` complexes per model call, with a progress
    bar over complexes (stderr; hidden when it is not a terminal); one result per request,
    in order."""
    results = [DockingResult(r.complex_name) for r in requests]
    seeds = range(options.seed, options.seed + options.samples)
    sources = [r.ligand for r in requests]
    with (
        conformer_jobs(sources, seeds, options.workers) as jobs,
        tqdm(total=len(requests), desc="docking", unit="complex", disable=None) as progress,
    ):
        prepared = _prepared(requests, results, jobs, progress)
        for group in _batches(prepared, options.batch_size):
            dock_batch(model, group, out_dir, options)
            progress.update(len(group))
    for result in results:
        parts = (result.seconds_prepare, result.seconds_model, result.seconds_write)
        result.seconds_total = sum(part or 0.0 for part in parts)
    return results


def dock_one(
    request: DockingRequest,
    model: FlexibleDocker,
    out_dir: Path,
    options: DockingOptions = DockingOptions(),
) -> DockingResult:
    """Dock one complex and write its files (no ``results.csv``); a failure comes back as
    a failed result."""
    return dock_requests([request], model, out_dir, options)[0]


def dock_all(
    requests: list[DockingRequest],
    model: FlexibleDocker,
    out_dir: Path,
    options: DockingOptions = DockingOptions(),
) -> list[DockingResult]:
    """Dock every request (see `dock_requests`) and write ``out_dir/results.csv``."""
    results = dock_requests(requests, model, out_dir, options)
    write_results(results, out_dir / "results.csv")
    return results
