"""Parse each protein once per inference run, however many rows name it.

A batch CSV often docks many ligands into one protein; re-reading and re-parsing the PDB
for every row cost more than the network. `ProteinCache` keeps the parsed Biopython model
(kept for writing the holo pocket) and its residue-level `Protein`, keyed by the file's
resolved path and modification time (an edited file is parsed again), least recently
used first out once `capacity` proteins are held.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from Bio.PDB.Model import Model

from docking.errors import StructureError
from docking.structures import Protein, protein_from_model, read_model, read_protein_text

DEFAULT_CAPACITY = 32


@dataclass(frozen=True)
class ParsedProtein:
    """A protein file parsed once: its path, Biopython model and residue-level `Protein`."""

    path: Path
    model: Model
    protein: Protein


class ProteinCache:
    """Parsed proteins by (resolved path, mtime); `parses` counts the files parsed."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.parses = 0
        self._held: OrderedDict[tuple[Path, int], ParsedProtein] = OrderedDict()

    def get(self, path: Path) -> ParsedProtein:
        """The parsed protein at `path`, from the cache when the file is unchanged."""
        try:
            resolved = Path(path).resolve()
            key = (resolved, resolved.stat().st_mtime_ns)
        except OSError as error:
            raise StructureError(f"{path}: cannot read protein file ({error.strerror})") from error
        if key in self._held:
            self._held.move_to_end(key)
            return self._held[key]
        model = read_model(read_protein_text(path), str(path))
        parsed = ParsedProtein(Path(path), model, protein_from_model(model, str(path)))
        self.parses += 1
        self._held[key] = parsed
        if len(self._held) > self.capacity:
            self._held.popitem(last=False)
        return parsed
