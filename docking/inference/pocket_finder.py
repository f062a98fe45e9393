"""Candidate pockets of a protein for blind docking: centres from a pocket finder.

Two finders, compared on the same complexes in BENCHMARKS.md ("Docking: pocket finders"):

- ``ligsite``: our LIGSITE grid finder (`docking.inference.ligsite`; numpy/scipy, about a second);
- ``pocketeer``: the `pocketeer` package (PyPI, MIT; fpocket's alpha spheres from a
  Delaunay tessellation, clustered and scored), its pocket centroids in its score order.

`find_pockets` returns the best `count` candidates, best first; `discover dock` without a
pocket docks each of them (`docking.inference.hybrid`) and reports which one every pose came from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from docking.errors import DockingConfigError, StructureError
from docking.inference.ligsite import ligsite_pockets
from docking.network.pose_graph import protein_atoms
from docking.structures import read_protein_text

FINDERS = ("ligsite", "pocketeer")
DEFAULT_FINDER = "ligsite"


@dataclass(frozen=True)
class PocketCandidate:
    """A candidate pocket: its centre (3,) in Å, the finder's score, the finder's name
    and its rank among that finder's pockets (1 = best)."""

    centre: np.ndarray
    score: float
    finder: str
    rank: int

    @property
    def label(self) -> str:
        """``finder#rank``, the `pocket` column of ``results.csv``."""
        return f"{self.finder}#{self.rank}"


def find_pockets(protein_pdb: Path, finder: str = DEFAULT_FINDER, count: int = 3) -> list:
    """The best `count` `PocketCandidate`s of the protein in `protein_pdb`, best first;
    `StructureError` when the finder finds none or cannot read the file."""
    if finder not in FINDERS:
        raise DockingConfigError(f"pocket finder {finder!r} unknown; use one of {FINDERS}")
    if finder == "ligsite":
        atoms = protein_atoms(read_protein_text(protein_pdb), str(protein_pdb)).pos
        found = ligsite_pockets(atoms)
    else:
        found = _pocketeer_pockets(protein_pdb)
    if not found:
        raise StructureError(
            f"{protein_pdb}: the {finder} pocket finder found no pocket; give --pocket-center"
        )
    return [
        PocketCandidate(np.asarray(centre, dtype=np.float64), score, finder, rank)
        for rank, (centre, score) in enumerate(found[:count], start=1)
    ]


def _pocketeer_pockets(protein_pdb: Path) -> list[tuple[np.ndarray, float]]:
    """pocketeer's pockets (centroid, score), in its order (highest score first)."""
    try:
        import pocketeer
        from pocketeer.utils.exceptions import PocketeerError
    except ImportError as error:
        raise DockingConfigError(
            "the pocketeer finder needs the `pocketeer` package: pip install pocketeer"
        ) from error
    logging.getLogger("pocketeer").setLevel(logging.ERROR)
    try:
        atoms = pocketeer.load_structure(str(protein_pdb))
        pockets = pocketeer.find_pockets(atoms)
    except (OSError, ValueError, PocketeerError) as error:
        raise StructureError(f"{protein_pdb}: pocketeer cannot read it ({error})") from error
    return [(np.asarray(p.centroid), float(p.score)) for p in pockets]
