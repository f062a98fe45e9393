"""Training and evaluation complexes read straight from the staged tar archives.

Archives are never extracted into the repository: members are read with `tarfile` and
the featurized complexes are cached (one `torch.save` file per archive, id list and
feature version) in a cache folder outside git.

- PDBbind subset (EquiBind's 213 complexes): holo protein + crystal ligand (SDF, falling
  back to MOL2). The DiffDock time split decides its use: ``train`` ids for training,
  ``val`` and unassigned ids for validation, ``test`` ids never.
- FABFlex time-split test set (303 complexes): AlphaFold2 apo protein as input, aligned
  holo protein as the pocket target, crystal ligand. Evaluation only.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from docking.errors import DockingConfigError, StructureError
from docking.featurize import ComplexData, featurize_complex
from docking.structures import embed_conformer, parse_ligand_block, parse_protein

log = logging.getLogger(__name__)

FEATURE_VERSION = 1
SUBSET_ARCHIVE = Path("docking/pdbbind_equibind_subset213.tar.gz")
SUBSET_INDEX = Path("docking/pdbbind_equibind_subset213_index.csv")
TIMESPLIT_ARCHIVE = Path("docking/fabflex_timesplit_test_apo_holo.tar.gz")
TIMESPLIT_INDEX = Path("docking/fabflex_timesplit_test_index.csv")
TIMESPLIT_ROOT = "fabflex_timesplit_test"
TRAIN_SPLITS = ("train",)
VALIDATION_SPLITS = ("val", "none")  # DiffDock validation ids and ids in no split


@dataclass(frozen=True)
class SubsetIds:
    """PDBbind-subset ids by use; test ids are listed only to prove they are excluded."""

    train: tuple[str, ...]
    validation: tuple[str, ...]
    test: tuple[str, ...]


def read_subset_ids(index_csv: Path) -> SubsetIds:
    """Split the subset's ids by the DiffDock time split in its index CSV."""
    with open(index_csv, newline="") as handle:
        rows = list(csv.DictReader(handle))
    split = {row["pdb_id"]: row["diffdock_timesplit"].strip() for row in rows}
    pick = lambda names: tuple(sorted(i for i, s in split.items() if s in names))  # noqa: E731
    return SubsetIds(
        train=pick(TRAIN_SPLITS), validation=pick(VALIDATION_SPLITS), test=pick(("test",))
    )


def read_members(archive: Path, names: set[str]) -> dict[str, str]:
    """Text of the wanted members, in one sequential pass over the (gzip) archive."""
    found: dict[str, str] = {}
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            if member.name in names and member.isfile():
                found[member.name] = tar.extractfile(member).read().decode(errors="replace")
    return found


def subset_complex(pdb_id: str, texts: dict[str, str], seed: int) -> ComplexData:
    """Featurize one PDBbind-subset complex (holo protein is both input and target)."""
    stem = f"pdbbind_subset213/{pdb_id}/{pdb_id}"
    protein = parse_protein(texts[f"{stem}_protein.pdb"], f"{stem}_protein.pdb")
    try:
        ligand = parse_ligand_block(texts[f"{stem}_ligand.sdf"], "sdf", f"{stem}_ligand.sdf")
    except StructureError:
        ligand = parse_ligand_block(texts[f"{stem}_ligand.mol2"], "mol2", f"{stem}_ligand.mol2")
    start = embed_conformer(ligand, seed=seed, name=pdb_id)
    return featurize_complex(protein, ligand, start, holo_ca=protein.ca, name=pdb_id)


def timesplit_complex(row: dict[str, str], texts: dict[str, str], seed: int) -> ComplexData:
    """Featurize one time-split test complex: apo AF2 input, holo Cα and ligand targets."""
    path = lambda key: f"{TIMESPLIT_ROOT}/{row[key]}"  # noqa: E731
    apo = parse_protein(texts[path("apo_af2_protein")], path("apo_af2_protein"))
    holo = parse_protein(texts[path("holo_protein")], path("holo_protein"))
    if apo.num_residues != holo.num_residues:
        raise StructureError(f"{row['pdb_id']}: apo and holo residue counts differ")
    ligand = parse_ligand_block(texts[path("holo_ligand")], "sdf", path("holo_ligand"))
    start = embed_conformer(ligand, seed=seed, name=row["pdb_id"])
    return featurize_complex(apo, ligand, start, holo_ca=holo.ca, name=row["pdb_id"])


def _cache_file(cache_dir: Path, archive: Path, ids: Iterable[str], seed: int) -> Path:
    key = hashlib.sha256(f"{FEATURE_VERSION}|{seed}|{','.join(ids)}".encode()).hexdigest()[:16]
    return cache_dir / f"{archive.name.split('.')[0]}_{key}.pt"


def _cached(path: Path) -> list[ComplexData] | None:
    if path.exists():
        log.info("loading featurized complexes from %s", path)
        return torch.load(path, weights_only=False)
    return None


def _store(path: Path, complexes: list[ComplexData]) -> list[ComplexData]:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(complexes, path)
    return complexes


def load_subset(
    data_folder: Path, ids: Iterable[str], cache_dir: Path, seed: int = 0
) -> list[ComplexData]:
    """Featurized PDBbind-subset complexes for `ids` (test ids are refused)."""
    ids = sorted(ids)
    forbidden = set(read_subset_ids(data_folder / SUBSET_INDEX).test) & set(ids)
    if forbidden:
        raise DockingConfigError(
            f"time-split test ids may not be loaded for training: {sorted(forbidden)}"
        )
    archive = data_folder / SUBSET_ARCHIVE
    cache = _cache_file(cache_dir, archive, ids, seed)
    if (found := _cached(cache)) is not None:
        return found
    names = {
        f"pdbbind_subset213/{i}/{i}_{part}"
        for i in ids
        for part in ("protein.pdb", "ligand.sdf", "ligand.mol2")
    }
    texts = read_members(archive, names)
    complexes = [subset_complex(i, texts, seed) for i in tqdm(ids, desc="featurize subset")]
    return _store(cache, complexes)


def load_timesplit_test(
    data_folder: Path, count: int | None, cache_dir: Path, seed: int = 0
) -> list[ComplexData]:
    """The first `count` (all if None) time-split test complexes, in index order."""
    with open(data_folder / TIMESPLIT_INDEX, newline="") as handle:
        rows = list(csv.DictReader(handle))[:count]
    archive = data_folder / TIMESPLIT_ARCHIVE
    cache = _cache_file(cache_dir, archive, [r["pdb_id"] for r in rows], seed)
    if (found := _cached(cache)) is not None:
        return found
    keys = ("apo_af2_protein", "holo_protein", "holo_ligand")
    texts = read_members(archive, {f"{TIMESPLIT_ROOT}/{r[k]}" for r in rows for k in keys})
    complexes = [timesplit_complex(r, texts, seed) for r in tqdm(rows, desc="featurize test")]
    return _store(cache, complexes)
