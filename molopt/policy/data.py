"""Pretraining data: drug-like SMILES, standardized, deduplicated, test sets excluded.

Each source file is read (`read_smiles`: ``.txt``/``.smi`` with one SMILES per line, or a
CSV with a ``smiles``/``SMILES`` column; gzipped or not), every molecule goes through
`molopt.molecules.standardize` (one fragment, charges neutralized, canonical SMILES: what the
oracles score and the proposer emits), and molecules of the benchmark test sets are removed
*by the same key*, so a charged and a neutral spelling of a test molecule are both caught.
The rest is shuffled with a seed and split into training and validation SMILES.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from molopt.errors import InvalidMoleculeError
from molopt.molecules import standardize
from molopt.policy.errors import PretrainConfigError
from molopt.policy.tokenizer import tokenize

log = logging.getLogger(__name__)

# Relative to the shared data folder ($DISCOVERY_DATA): the test inputs of TOMG-Bench
# (MolEdit and MolOpt `molecule` columns; MolCustom has none) and hgraph2graph's
# test and validation molecules.
TOMG_TESTS = tuple(
    f"molopt/tomg_bench/{task}/test.csv"
    for task in (
        "MolEdit/AddComponent",
        "MolEdit/DelComponent",
        "MolEdit/SubComponent",
        "MolOpt/LogP",
        "MolOpt/MR",
        "MolOpt/QED",
    )
)
HGRAPH_TESTS = tuple(
    f"molopt/hgraph2graph/{task}/{split}.txt"
    for task in ("logp04", "logp06", "qed", "drd2")
    for split in ("test", "valid")
)
SMILES_COLUMNS = ("smiles", "SMILES", "molecule")


def _text(path: Path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode()


def read_smiles(path: Path, limit: int | None = None, seed: int = 0) -> list[str]:
    """SMILES of one file (a random `limit` of them when given); CSVs by their SMILES column."""
    path = Path(path)
    if not path.is_file():
        raise PretrainConfigError(f"SMILES file {path} not found: check the data folder and path")
    text = _text(path)
    name = path.name.removesuffix(".gz")
    if name.endswith(".csv"):
        rows = csv.DictReader(io.StringIO(text))
        column = next((c for c in SMILES_COLUMNS if c in (rows.fieldnames or ())), None)
        if column is None:
            raise PretrainConfigError(f"{path} has no column named one of {SMILES_COLUMNS}")
        smiles = [row[column].strip() for row in rows if row[column].strip()]
    else:
        smiles = [line.split()[0] for line in text.splitlines() if line.strip()]
    if limit is not None and limit < len(smiles):
        smiles = random.Random(seed).sample(smiles, limit)
    return smiles


def molecule_key(smiles: str) -> str | None:
    """The standardized canonical SMILES (neutral, one fragment), or None if unusable."""
    try:
        return standardize(smiles).smiles
    except InvalidMoleculeError:
        return None


def excluded_keys(paths: Iterable[Path]) -> set[str]:
    """Keys of every molecule in the given test-set files."""
    keys = {molecule_key(s) for path in paths for s in read_smiles(path)}
    keys.discard(None)
    return keys


@dataclass(frozen=True)
class Corpus:
    """Training and validation SMILES, and how many molecules each filter removed."""

    train: list[str]
    valid: list[str]
    counts: dict[str, int]


def build_corpus(
    sources: Sequence[tuple[Path, int | None]],
    exclude: Iterable[Path],
    valid_size: int,
    max_tokens: int,
    seed: int = 0,
) -> Corpus:
    """Standardize and deduplicate the sources, drop test molecules and long ones, split."""
    banned = excluded_keys(exclude)
    counts = {"read": 0, "invalid": 0, "duplicate": 0, "test_set": 0, "too_long": 0}
    keys: dict[str, None] = {}
    for path, limit in sources:
        smiles = read_smiles(path, limit, seed)
        log.info("read %d SMILES from %s", len(smiles), path)
        counts["read"] += len(smiles)
        for text in smiles:
            key = molecule_key(text)
            reason = _rejection(key, keys, banned, max_tokens)
            if reason:
                counts[reason] += 1
            else:
                keys[key] = None
    unique = sorted(keys)
    random.Random(seed).shuffle(unique)
    counts.update(kept=len(unique), excluded_test_molecules=len(banned))
    return Corpus(unique[valid_size:], unique[:valid_size], counts)


def _rejection(key: str | None, keys: dict, banned: set[str], max_tokens: int) -> str | None:
    if key is None:
        return "invalid"
    if key in keys:
        return "duplicate"
    if key in banned:
        return "test_set"
    return "too_long" if len(tokenize(key)) + 2 > max_tokens else None
