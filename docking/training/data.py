"""Training and evaluation complexes read straight from the staged tar archives.

Archives are never extracted into the repository: members are read with `tarfile` and
the featurized complexes are cached (one `torch.save` file per archive, id list and
feature version) in a cache folder outside git.

- PDBbind subset (EquiBind's 213 complexes): holo protein + crystal ligand (SDF, falling
  back to MOL2). The DiffDock time split decides its use: ``train`` ids for training,
  ``val`` and unassigned ids for validation, ``test`` ids never.
- Training extras (`train_extra/`: GIGN toy set, CrossDocked, LP-PDBBind EGFR, small
  example sets, Schrödinger FEP poses): protein + ligand rows of each source's index CSV;
  rows whose ligand does not sanitize are skipped, and any row naming a time-split test id
  (`splits/diffdock/timesplit_test`) is refused.
- Generated poses (`docking.training.pose_folder`, e.g. Vina poses from `docking.training.vina_poses`): the
  receptor is input and target, the docked pose is the ligand's true pose. A folder holding
  a test ligand (same InChIKey connectivity block) is refused.
- FABFlex time-split test set (303 complexes): AlphaFold2 apo protein as input, aligned
  holo protein as the pocket target, crystal ligand. Evaluation only. Its ligands and
  those of the subset's test ids are the test ligands (`held_out_ligand_keys`).
"""

from __future__ import annotations

import csv
import hashlib
import logging
import pickle
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import torch
from rdkit import Chem
from tqdm import tqdm

from docking.errors import DockingConfigError, StructureError
from docking.network.featurize import ComplexData, featurize_complex
from docking.structures import (
    Protein,
    embed_conformer,
    load_ligand_file,
    load_protein,
    parse_ligand_block,
    parse_protein,
)
from docking.training import pose_folder

log = logging.getLogger(__name__)

FEATURE_VERSION = 1
SUBSET_ARCHIVE = Path("docking/pdbbind_equibind_subset213.tar.gz")
SUBSET_INDEX = Path("docking/pdbbind_equibind_subset213_index.csv")
TIMESPLIT_ARCHIVE = Path("docking/fabflex_timesplit_test_apo_holo.tar.gz")
TIMESPLIT_INDEX = Path("docking/fabflex_timesplit_test_index.csv")
TIMESPLIT_ROOT = "fabflex_timesplit_test"
TIMESPLIT_TEST_IDS = Path("splits/diffdock/timesplit_test")
EXTRA_FOLDER = Path("docking/train_extra")
EXTRA_SOURCES = (
    "gign_toy_set",
    "crossdocked_test_set",
    "lp_pdbbind_egfr",
    "small_example_sets",
    "schrodinger_fep_benchmark",
)
EXTRA_ID_COLUMNS = ("pdb_id", "receptor_pdb_id", "ligand_pdb_id", "reference_pdb")
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


def _cache_file(cache_dir: Path, archive: Path, ids: Iterable[str], seed: int) -> Path:
    key = hashlib.sha256(f"{FEATURE_VERSION}|{seed}|{','.join(ids)}".encode()).hexdigest()[:16]
    return cache_dir / f"{archive.name.split('.')[0]}_{key}.pt"


def _cached(path: Path) -> list[ComplexData] | None:
    """The complexes of a cache file, read as plain tensors and dicts (never unpickled)."""
    if not path.exists():
        return None
    log.info("loading featurized complexes from %s", path)
    try:
        stored = torch.load(path, weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as error:
        log.warning("ignoring unreadable cache %s (%s); featurizing again", path, error)
        return None
    return [ComplexData.from_dict(item) for item in stored]


def _store(path: Path, complexes: list[ComplexData]) -> list[ComplexData]:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save([item.to_dict() for item in complexes], path)
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


def time_split_test_ids(data_folder: Path) -> frozenset[str]:
    """The 363 PDBbind time-split test ids (lower case), never to be trained on."""
    lines = (data_folder / TIMESPLIT_TEST_IDS).read_text().split()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def inchikey_block(inchikey: str) -> str:
    """The first block of an InChIKey (connectivity, protonation-independent): the
    identity under which a ligand counts as a test ligand, as in DiffDock's
    ``timesplit_no_lig_overlap`` rule."""
    return inchikey.split("-")[0]


def ligand_key(mol: Chem.Mol) -> str:
    """`inchikey_block` of `mol`'s InChIKey."""
    return inchikey_block(Chem.MolToInchiKey(mol))


def held_out_ligand_keys(data_folder: Path) -> frozenset[str]:
    """`ligand_key` of every time-split test ligand: the FABFlex test set's 303 and the
    PDBbind subset's `test` ids (from the SMILES in their index CSVs)."""
    with open(data_folder / TIMESPLIT_INDEX, newline="") as handle:
        smiles = [row["ligand_smiles"] for row in csv.DictReader(handle)]
    with open(data_folder / SUBSET_INDEX, newline="") as handle:
        rows = csv.DictReader(handle)
        smiles += [r["ligand_smiles"] for r in rows if r["diffdock_timesplit"].strip() == "test"]
    keys = set()
    for text in smiles:
        mol = Chem.MolFromSmiles(text)
        if mol is None:
            raise DockingConfigError(
                f"{data_folder}: a test ligand's SMILES {text[:60]!r} does not parse, so it "
                "could not be excluded from training; fix the index CSV"
            )
        keys.add(ligand_key(mol))
    return frozenset(keys)


def _extra_ligand(row: dict[str, str], texts: dict[str, str]):
    """The row's ligand: its SDF record (``ligand_record_index``), or MOL2 fallback (GIGN)."""
    path = row.get("ligand_path") or row["ligand_sdf_path"]
    record = int(row.get("ligand_record_index") or 0)
    blocks = [b for b in texts[path].split("$$$$") if b.strip()]
    try:
        return parse_ligand_block(blocks[record].lstrip("\n"), "sdf", f"{path}#{record}")
    except StructureError:
        if not row.get("ligand_mol2_path"):
            raise
        return parse_ligand_block(texts[row["ligand_mol2_path"]], "mol2", row["ligand_mol2_path"])


def _pdb_ids(row: dict[str, str]) -> set[str]:
    """Every PDB id a train-extra row names (complex, receptor, ligand source, reference)."""
    return {row.get(k, "").lower() for k in EXTRA_ID_COLUMNS} - {""}


def _extra_rows(data_folder: Path, source: str) -> list[dict[str, str]]:
    if source not in EXTRA_SOURCES:
        raise DockingConfigError(f"unknown extra source {source!r}; known: {EXTRA_SOURCES}")
    with open(data_folder / EXTRA_FOLDER / f"{source}_index.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    forbidden = time_split_test_ids(data_folder)
    leaked = [
        f"{r.get('complex_id') or r['pdb_id']} ({', '.join(sorted(_pdb_ids(r) & forbidden))})"
        for r in rows
        if _pdb_ids(r) & forbidden
    ]
    if leaked:
        raise DockingConfigError(
            f"{source}: rows name time-split test ids, remove them from the index: {leaked[:5]}"
        )
    kept = [r for r in rows if r.get("ligand_sanitizes", "1") == "1" or r.get("ligand_mol2_path")]
    if len(kept) < len(rows):
        log.info("%s: %d rows skipped (ligand does not sanitize)", source, len(rows) - len(kept))
    return kept


def load_extra(
    data_folder: Path, source: str, cache_dir: Path, seed: int = 0, limit: int | None = None
) -> list[ComplexData]:
    """Featurized complexes of one `train_extra` source (the first `limit` usable rows)."""
    rows = _extra_rows(data_folder, source)[:limit]
    archive = data_folder / EXTRA_FOLDER / f"{source}.tar.gz"
    names = [r.get("complex_id") or r["pdb_id"] for r in rows]
    cache = _cache_file(cache_dir, archive, names, seed)
    if (found := _cached(cache)) is not None:
        return found
    keys = ("protein_path", "ligand_path", "ligand_sdf_path", "ligand_mol2_path")
    texts = read_members(archive, {r[k] for r in rows for k in keys if r.get(k)})
    proteins: dict[str, Protein] = {}
    complexes = []
    for row, name in zip(tqdm(rows, desc=f"featurize {source}"), names, strict=True):
        path = row["protein_path"]
        if path not in proteins:
            proteins[path] = parse_protein(texts[path], path)
        ligand = _extra_ligand(row, texts)
        start = embed_conformer(ligand, seed=seed, name=name)
        complexes.append(
            featurize_complex(proteins[path], ligand, start, holo_ca=proteins[path].ca, name=name)
        )
    return _store(cache, complexes)


def _pose_rows(folder: Path, data_folder: Path) -> list[dict[str, str]]:
    """The folder's docked rows; any test ligand among them makes loading fail."""
    rows = [r for r in pose_folder.read_index(folder) if r["status"] == "ok"]
    if not rows:
        raise DockingConfigError(
            f"{folder}: no docked pose in {pose_folder.INDEX_NAME}; "
            "make one with `discover dock make-poses --out DIR`"
        )
    forbidden = held_out_ligand_keys(data_folder)
    leaked = [r["smiles"] for r in rows if inchikey_block(r["inchikey"]) in forbidden]
    if leaked:
        raise DockingConfigError(
            f"{folder}: {len(leaked)} poses are of time-split test ligands, remove their rows "
            f"and files: {leaked[:5]}"
        )
    return rows


def load_pose_folder(
    folder: Path, data_folder: Path, cache_dir: Path, seed: int = 0, limit: int | None = None
) -> list[ComplexData]:
    """Featurized complexes of a generated pose folder (the first `limit` docked rows)."""
    folder = Path(folder).expanduser()
    rows = _pose_rows(folder, data_folder)[:limit]
    names = [f"{folder.name}/{r['target']}/{r['inchikey']}" for r in rows]
    cache = _cache_file(cache_dir, Path(f"poses-{folder.name}"), [str(folder), *names], seed)
    if (found := _cached(cache)) is not None:
        return found
    proteins: dict[str, Protein] = {}
    complexes = []
    for row, name in zip(tqdm(rows, desc=f"featurize {folder.name}"), names, strict=True):
        if row["receptor"] not in proteins:
            proteins[row["receptor"]] = load_protein(folder / row["receptor"])
        protein = proteins[row["receptor"]]
        ligand = load_ligand_file(folder / row["ligand"])
        start = embed_conformer(ligand, seed=seed, name=name)
        complexes.append(featurize_complex(protein, ligand, start, holo_ca=protein.ca, name=name))
    return _store(cache, complexes)
