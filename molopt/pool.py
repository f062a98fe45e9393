"""Starting pools of molecules: where a molecule proposer begins when it has no parents.

The bundled pool (`molopt/data/zinc_pool.smi.gz`) holds 5,000 canonical, neutral,
single-fragment SMILES drawn at random (Python `random.Random(0)`) from the ZINC250k subset
staged in the shared data (`molopt/zinc250k_subset_from_tomg_raw.csv.gz`, see
docs/molopt.md). PMO (Gao et al. 2022) starts its Graph GA from random ZINC250k molecules the
same way. A task may give its own pool file instead: one SMILES per line, plain or gzipped.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from molopt.errors import PoolError

BUNDLED_POOL = Path(__file__).resolve().parent / "data" / "zinc_pool.smi.gz"


def _read(path: Path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode()


@cache
def load_pool(path: str | None = None) -> tuple[str, ...]:
    """The SMILES of a pool file (first column of each line), or of the bundled pool."""
    source = Path(path).expanduser() if path else BUNDLED_POOL
    try:
        text = _read(source)
    except OSError as error:
        raise PoolError(f"cannot read the starting pool {source}: {error}") from error
    smiles = tuple(line.split()[0] for line in text.splitlines() if line.strip())
    if not smiles:
        raise PoolError(f"the starting pool {source} holds no SMILES (one per line expected)")
    return smiles
