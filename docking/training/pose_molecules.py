"""The molecules docked for pretraining poses: drug-like SMILES, never a test ligand.

The default source is the MOSES training set (Polykovskiy et al. 2020, "Molecular Sets
(MOSES): a benchmarking platform for molecular generation models", Front. Pharmacol. 11,
565644): 1.58 M drug-like ZINC molecules, the ``dataset/data/train.csv.gz`` that the
`molsets` package ships. It is found through package metadata without importing `moses`
(whose import fails with today's libraries). Without it: a ``--smiles`` file, else the ZINC
pool bundled with `molopt` (``molopt/data/zinc_pool.smi.gz``, read as a file).

Draws are a seeded permutation of the source, so a larger ``--molecules`` with the same seed
extends the same list (resuming keeps every molecule already docked). Each molecule is
checked here: RDKit must read it as one fragment, and its InChIKey connectivity block must
not be a held-out test ligand's (`docking.training.data.held_out_ligand_keys`).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import random
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from rdkit import Chem

from docking.errors import DockingConfigError
from docking.training.data import inchikey_block

log = logging.getLogger(__name__)

MOSES_TRAIN = Path("dataset/data/train.csv.gz")
ZINC_POOL = Path("data/zinc_pool.smi.gz")


@dataclass(frozen=True)
class Candidate:
    """A molecule to dock: its SMILES, its id (InChIKey) and why it is not docked, if so."""

    smiles: str
    key: str
    status: str = "ok"  # ok | failed | excluded (the index statuses)
    reason: str = ""


def _package_file(package: str, relative: Path) -> Path | None:
    spec = find_spec(package)  # locates the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


def default_source() -> Path:
    """MOSES's training SMILES when `molsets` is installed, else molopt's ZINC pool."""
    if (moses := _package_file("moses", MOSES_TRAIN)) is not None:
        return moses
    if (zinc := _package_file("molopt", ZINC_POOL)) is not None:
        log.warning(
            "MOSES training set not found (`pip install --no-deps molsets` ships it); "
            "drawing from the bundled ZINC pool %s instead",
            zinc,
        )
        return zinc
    raise DockingConfigError(
        "no molecule source: install molsets (`pip install --no-deps molsets`) for MOSES, "
        "or pass --smiles FILE (one SMILES per line)"
    )


def read_smiles(path: Path) -> list[str]:
    """SMILES of a file, one per line (first column; a ``SMILES`` header line is skipped);
    ``.gz`` files are read compressed."""
    opener = gzip.open if Path(path).suffix == ".gz" else open
    try:
        with opener(path, "rt") as handle:
            lines = [line.split(",")[0].split()[0] for line in handle if line.strip()]
    except OSError as error:
        raise DockingConfigError(f"{path}: cannot read SMILES ({error})") from error
    return [s for s in lines if s.upper() != "SMILES" and not s.startswith("#")]


def draw(smiles: list[str], count: int, seed: int) -> list[str]:
    """The first `count` of a seeded permutation (a larger count extends the same draw)."""
    order = list(range(len(smiles)))
    random.Random(seed).shuffle(order)
    return [smiles[i] for i in order[:count]]


def check(smiles: str, held_out: frozenset[str]) -> Candidate:
    """`smiles` as a docking candidate: failed if unreadable, excluded if a test ligand."""
    invalid = f"invalid-{hashlib.sha1(smiles.encode()).hexdigest()[:12]}"
    mol = Chem.MolFromSmiles(smiles)
    if mol is None or mol.GetNumAtoms() == 0:
        return Candidate(smiles, invalid, "failed", "RDKit cannot parse the SMILES")
    key = Chem.MolToInchiKey(mol)
    if not key:
        return Candidate(smiles, invalid, "failed", "RDKit's InChI gives no key for it")
    if len(Chem.GetMolFrags(mol)) != 1:
        return Candidate(smiles, key, "failed", "more than one fragment (salt or mixture)")
    if inchikey_block(key) in held_out:
        return Candidate(smiles, key, "excluded", "a time-split test ligand (InChIKey block 1)")
    return Candidate(smiles, key)
