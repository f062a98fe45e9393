"""Training molecules for the edit policy: enumerated, featurized and RDKit-labelled, cached.

Sources, none of them a test molecule (compared by standardized canonical SMILES,
`molopt.policy.data.molecule_key`, against every TOMG-Bench MolOpt / MolEdit and
hgraph2graph test and validation file, `molopt.policy.data.TOMG_TESTS` / `HGRAPH_TESTS`):

- OpenMolIns (TOMG-Bench's instruction set) MolOpt / MolEdit rows whose reference answer
  is one edit of the source: each gives a *reference edit* for its goal;
- molecules of the staged ZINC subset, whose edits are labelled by RDKit for every goal.

Each molecule becomes one `Sample` (edits, features, labels, reference edits). Samples are
written in shards of `SHARD_SIZE` as they are made (plain arrays and JSON,
`molopt.edit.shards`), so a killed build resumes where it stopped; labelling (QED above
all, ~2 ms per product) is the cost, ~1 s a molecule.
"""

from __future__ import annotations

import csv
import gzip
import logging
import random
from pathlib import Path

from rdkit import Chem

from molopt.edit.errors import TaskParseError
from molopt.edit.features import edit_features
from molopt.edit.labels import label_edits
from molopt.edit.sample import Sample
from molopt.edit.shards import SUFFIX, ShardError, read_shard, write_shard
from molopt.edit.space import enumerate_edits
from molopt.edit.task import parse_task
from molopt.fingerprints import fingerprint, tanimoto
from molopt.policy.data import HGRAPH_TESTS, TOMG_TESTS, excluded_keys, molecule_key
from molopt.repo.edits import EDIT_TASKS, OPT_TASKS, EditGoal

__all__ = ["Sample", "build_shards", "load_shards", "make_sample", "shard_paths"]

log = logging.getLogger(__name__)

SHARD_SIZE = 50
ZINC_SUBSET = Path("molopt/zinc250k_subset_from_tomg_raw.csv.gz")
OPENMOLINS = Path("molopt/tomg_bench/OpenMolIns/light/train.csv")
ONE_EDIT_MIN_SIMILARITY = 0.45  # cheap pre-filter before enumerating a source's edits
ONE_EDIT_MAX_ATOM_CHANGE = 7  # a benzene ring plus its bond is the largest single edit


def banned_keys(data_root: Path) -> set[str]:
    """Standardized keys of every test (and hgraph validation) molecule."""
    return excluded_keys([data_root / p for p in TOMG_TESTS + HGRAPH_TESTS])


def make_sample(source: str) -> Sample | None:
    """The enumerated, featurized and labelled `source`, or None if it has no edit."""
    mol = Chem.MolFromSmiles(source)
    if mol is None:
        return None
    edits = enumerate_edits(mol)
    if not edits:
        return None
    products = [Chem.MolFromSmiles(e.smiles) for e in edits]  # parsed once for both
    return Sample(
        Chem.MolToSmiles(mol),
        [e.smiles for e in edits],
        edit_features(mol, edits, products),
        label_edits(mol, edits, products=products),
    )


def _maybe_one_edit(source: Chem.Mol, answer: Chem.Mol) -> bool:
    if abs(source.GetNumAtoms() - answer.GetNumAtoms()) > ONE_EDIT_MAX_ATOM_CHANGE:
        return False
    return tanimoto(fingerprint(source), fingerprint(answer)) >= ONE_EDIT_MIN_SIMILARITY


def openmolins_pairs(
    data_root: Path, banned: set[str], limit: int | None = None
) -> list[tuple[str, EditGoal, str]]:
    """(source, goal, canonical answer) of the first `limit` OpenMolIns MolOpt / MolEdit rows
    that may be one edit apart and touch no test molecule (the file is read only that far)."""
    from molopt.repo.prompts import find_source

    pairs = []
    with (data_root / OPENMOLINS).open(newline="") as handle:
        for row in csv.DictReader(handle):
            if limit is not None and len(pairs) >= limit:
                break
            if row["SubTask"] not in OPT_TASKS + EDIT_TASKS:
                continue
            source = find_source(row["Instruction"])
            answer = Chem.MolFromSmiles(row["molecule"])
            if source is None or answer is None:
                continue
            mol = Chem.MolFromSmiles(source)
            keys = {molecule_key(source), molecule_key(row["molecule"])}
            if keys & banned or not _maybe_one_edit(mol, answer):
                continue
            try:
                goal = parse_task(row["Instruction"], source)
            except TaskParseError as error:
                log.warning("OpenMolIns row skipped: %s", error)
                continue
            pairs.append((source, goal, Chem.MolToSmiles(answer)))
    return pairs


def zinc_sources(data_root: Path, banned: set[str], limit: int, seed: int) -> list[str]:
    """`limit` ZINC-subset molecules (shuffled by `seed`) that are no test molecule."""
    with gzip.open(data_root / ZINC_SUBSET, "rt", newline="") as handle:
        smiles = [row["smiles"] for row in csv.DictReader(handle)]
    random.Random(seed).shuffle(smiles)
    chosen = []
    for text in smiles:
        if len(chosen) == limit:
            break
        key = molecule_key(text)
        if key is not None and key not in banned:
            chosen.append(text)
    return chosen


def with_references(source: str, pairs: list[tuple[EditGoal, str]]) -> Sample | None:
    """The labelled sample of `source`, its reference edits attached (those of `pairs`
    whose answer is one of its edits)."""
    sample = make_sample(source)
    if sample is not None:
        for goal, answer in pairs:
            if answer in sample.edits:
                sample.references.append((goal, sample.edits.index(answer)))
    return sample


def _grouped(pairs: list[tuple[str, EditGoal, str]]) -> dict[str, list[tuple[EditGoal, str]]]:
    grouped: dict[str, list[tuple[EditGoal, str]]] = {}
    for source, goal, answer in pairs:
        grouped.setdefault(source, []).append((goal, answer))
    return grouped


def build_shards(
    data_root: Path, out_dir: Path, zinc_limit: int, openmolins_limit: int, seed: int = 0
) -> list[Path]:
    """Write the training samples to ``out_dir/shard_*.npz`` (resuming) and list the shards.

    ``shard_o*`` hold the sources of the first `openmolins_limit` OpenMolIns pairs (each
    with the reference edits found among its edits; a source with none still trains as a
    labelled molecule), ``shard_z*`` hold `zinc_limit` ZINC molecules. The two kinds are
    built alternately, so a build stopped early holds some of each.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    banned = banned_keys(data_root)
    grouped = _grouped(openmolins_pairs(data_root, banned, openmolins_limit))
    openmolins = [
        (out_dir / f"shard_o{n:05d}{SUFFIX}", chunk, lambda s: with_references(s, grouped[s]))
        for n, chunk in enumerate(_chunks(list(grouped)))
    ]
    zinc = [
        (out_dir / f"shard_z{n:05d}{SUFFIX}", chunk, make_sample)
        for n, chunk in enumerate(_chunks(zinc_sources(data_root, banned, zinc_limit, seed)))
    ]
    for path, chunk, make in _alternating(openmolins, zinc):
        if not path.exists():
            write_shard(path, [s for s in map(make, chunk) if s is not None])
            log.info("wrote %s (%d molecules)", path, len(chunk))
    return shard_paths(out_dir)


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[start : start + SHARD_SIZE] for start in range(0, len(items), SHARD_SIZE)]


def _alternating(first: list, second: list) -> list:
    longest = max(len(first), len(second))
    return [x for i in range(longest) for x in (first[i : i + 1] + second[i : i + 1])]


def shard_paths(data_dir: Path) -> list[Path]:
    """The sample shards in `data_dir`, in order; `ShardError` for any shard file of another
    kind (a pickled shard of an older build is refused, never read)."""
    paths = sorted(p for p in Path(data_dir).glob("shard_*") if not p.name.endswith(".part"))
    foreign = [p.name for p in paths if p.suffix != SUFFIX]
    if foreign:
        raise ShardError(
            f"{data_dir}: {', '.join(foreign[:5])} not plain-array shards ({SUFFIX}); "
            "pickled shards are never read: remove them and rebuild with `discover molopt edit-data`"
        )
    return paths


def load_shards(paths: list[Path]) -> list[Sample]:
    """Every sample of the given shards, in order."""
    return [s for path in paths for s in read_shard(path)]
