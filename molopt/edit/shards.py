"""Sample shards on disk as plain arrays and JSON: nothing with behaviour is read back.

A shard is one ``.npz`` file (read with ``allow_pickle=False``): sample i's feature and
label arrays under ``"{i}/features/{name}"`` and ``"{i}/labels/{name}"``, and one JSON
document (UTF-8 bytes as a uint8 array under ``"meta"``) with each sample's source, edit
products and reference edits. Issue 14's rule: storage never unpickles, so a planted
pickle (or an object array) is refused with a clear error instead of being executed.
A shard is written to a temporary name and renamed, so a present shard is a whole one.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np

from molopt.edit.errors import EditError
from molopt.edit.features import EditFeatures
from molopt.edit.labels import EditLabels
from molopt.edit.sample import Sample
from molopt.repo.edits import EditGoal

SUFFIX = ".npz"
FORMAT = 1


class ShardError(EditError):
    """A shard file that is not a plain-array sample shard of this format."""


def write_shard(path: Path, samples: list[Sample]) -> None:
    """Write `samples` to `path` atomically."""
    arrays: dict[str, np.ndarray] = {}
    meta = []
    for i, sample in enumerate(samples):
        for part in ("features", "labels"):
            value = getattr(sample, part)
            for f in fields(value):
                arrays[f"{i}/{part}/{f.name}"] = getattr(value, f.name)
        meta.append(
            {
                "source": sample.source,
                "edits": sample.edits,
                "references": [[asdict(goal), index] for goal, index in sample.references],
            }
        )
    document = json.dumps({"format": FORMAT, "samples": meta}).encode()
    arrays["meta"] = np.frombuffer(document, dtype=np.uint8)
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as handle:
        np.savez(handle, **arrays)
    partial.rename(path)


def read_shard(path: Path) -> list[Sample]:
    """The samples of the shard at `path`; `ShardError` when it is anything else."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes())
            if meta.get("format") != FORMAT:
                raise ShardError(f"{path}: shard format {meta.get('format')}, not {FORMAT}")
            return [
                Sample(
                    entry["source"],
                    entry["edits"],
                    EditFeatures(**_part(archive, i, "features", EditFeatures)),
                    EditLabels(**_part(archive, i, "labels", EditLabels)),
                    [(EditGoal(**goal), index) for goal, index in entry["references"]],
                )
                for i, entry in enumerate(meta["samples"])
            ]
    except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile) as error:
        raise ShardError(
            f"{path}: not a plain-array sample shard ({error}); rebuild it with "
            "`discover molopt edit-data` (pickled shards are never read)"
        ) from error


def _part(archive, i: int, part: str, kind: type) -> dict[str, np.ndarray]:
    return {f.name: archive[f"{i}/{part}/{f.name}"] for f in fields(kind)}
