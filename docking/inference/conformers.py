"""ETKDG start conformers for many docking rows, optionally in worker processes.

Embedding the start conformers (RDKit ETKDG, Riniker & Landrum 2015) is most of the cost
of preparing a complex on a CPU (seconds for a large peptide against milliseconds for
the network), and RDKit holds the GIL while embedding, so rows are embedded in parallel
in separate processes. Each row's conformers come from its own seeds, so the result does
not depend on the number of workers. Workers import RDKit only (this module and
`docking.structures`), not torch, so they start quickly.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from rdkit import Chem

from docking.structures import embed_conformer, load_ligand

Conformers = tuple[list[Chem.Mol], float]  # one start conformer per seed; seconds taken


def start_conformers(source: str, seeds: range) -> Conformers:
    """The ligand at `source` (file or SMILES) with one fresh ETKDG conformer per seed,
    and the seconds it took."""
    began = time.perf_counter()
    ligand = load_ligand(source)
    starts = [embed_conformer(ligand, seed=seed, name=source) for seed in seeds]
    return starts, time.perf_counter() - began


def _pickle_all_properties() -> None:
    """Worker initializer: molecules sent back keep their properties (read from the input
    file and written to the rank files), as they do without workers."""
    Chem.SetDefaultPickleProperties(Chem.PropertyPickleOptions.AllProps)


@contextmanager
def conformer_jobs(
    sources: list[str], seeds: range, workers: int
) -> Iterator[Iterator[Callable[[], Conformers]]]:
    """One job per source, in order: calling it returns `start_conformers` of that source
    or raises its error. With `workers` > 1 every source is submitted at once to a pool
    of that many processes (spawned: no fork of a process holding torch threads)."""
    if workers <= 1:
        yield (lambda s=s: start_conformers(s, seeds) for s in sources)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_pickle_all_properties
    ) as pool:
        futures = [pool.submit(start_conformers, s, seeds) for s in sources]
        try:
            yield (future.result for future in futures)
        finally:
            for future in futures:
                future.cancel()
