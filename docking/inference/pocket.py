"""Pocket residues named by the user, and the holo pocket written back as PDB.

Residues are named ``chain:number[insertion code]`` (``A:45``, ``A:46B``; a blank chain is
``:45``), the form `--pocket-residues` takes and ``results.csv`` reports. A given residue
list is turned into a pocket centre, the centroid of those residues' Cα: the model crops
its `pocket_residues` Cα nearest a centre and has no input for an arbitrary residue mask,
so the centre is what a residue list can steer (as FABFlex/FABind take a pocket centre).

A given centre must be finite and lie near the protein: at most
`MAX_CENTRE_TO_PROTEIN_ANGSTROM` from its nearest Cα (on the 213 PDBbind-subset complexes
the crystal ligand's centroid lies 5.4 Å from the nearest Cα at the median, 8.0 Å at
most), so a centre in another frame or with a typo is refused with its distance instead
of docking a ligand into empty space.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from Bio.PDB import PDBIO
from Bio.PDB.Chain import Chain
from Bio.PDB.Model import Model
from Bio.PDB.Structure import Structure

from docking.errors import StructureError
from docking.structures import Protein

ResidueId = tuple[str, int, str]  # (chain, number, insertion code), as `Protein.residue_ids`

MAX_CENTRE_TO_PROTEIN_ANGSTROM = 15.0
_RESIDUE = re.compile(r"^([^:\s]*):(-?\d+)([A-Za-z]?)$")


def parse_residue_list(text: str) -> tuple[ResidueId, ...]:
    """``"A:45,A:46B"`` (commas, semicolons or spaces between) -> residue ids."""
    ids = []
    for item in re.split(r"[,;\s]+", text.strip()):
        match = _RESIDUE.match(item)
        if not match:
            raise StructureError(
                f"pocket residue {item!r} is not chain:number[icode] (e.g. A:45 or A:46B)"
            )
        chain, number, icode = match.groups()
        ids.append((chain, int(number), icode))
    return tuple(ids)


def format_residues(ids: list[ResidueId] | tuple[ResidueId, ...]) -> str:
    """Residue ids as ``A:45,A:46B`` (the inverse of `parse_residue_list`)."""
    return ",".join(f"{chain.strip()}:{number}{icode}" for chain, number, icode in ids)


def residue_centroid(protein: Protein, ids: tuple[ResidueId, ...]) -> np.ndarray:
    """(3,) centroid of the Cα of `ids`; a residue absent from `protein` is an error."""
    index = {(c.strip(), n, i): row for row, (c, n, i) in enumerate(protein.residue_ids)}
    missing = [rid for rid in ids if (rid[0].strip(), rid[1], rid[2]) not in index]
    if missing:
        chains = sorted({c.strip() or "(blank)" for c, _, _ in protein.residue_ids})
        raise StructureError(
            f"{protein.name}: pocket residue(s) {format_residues(missing)} not among its "
            f"amino-acid residues with a Cα (chains {', '.join(chains)}); check the "
            "chain:number[icode] against the PDB file"
        )
    rows = [index[(c.strip(), n, i)] for c, n, i in ids]
    return protein.ca[rows].mean(axis=0)


def given_centre(
    protein: Protein,
    centre: tuple[float, float, float] | None,
    residues: tuple[ResidueId, ...],
) -> np.ndarray | None:
    """(3,) pocket centre a request gives, as `centre` (Å) or the Cα centroid of
    `residues`; None when it gives neither (blind). Refused (`StructureError`): both
    given, a non-finite centre, a centre farther than `MAX_CENTRE_TO_PROTEIN_ANGSTROM`
    from every Cα."""
    if centre is not None and residues:
        raise StructureError("give either a pocket centre or pocket residues, not both")
    if residues:
        return residue_centroid(protein, residues)
    if centre is None:
        return None
    xyz = np.asarray(centre, dtype=np.float64)
    if not np.isfinite(xyz).all():
        raise StructureError(f"pocket centre {centre} is not finite; give x y z in Å")
    nearest = float(np.linalg.norm(protein.ca - xyz, axis=1).min())
    if nearest > MAX_CENTRE_TO_PROTEIN_ANGSTROM:
        raise StructureError(
            f"pocket centre {centre} lies {nearest:.4g} Å from the nearest Cα of "
            f"{protein.name} (limit {MAX_CENTRE_TO_PROTEIN_ANGSTROM:g} Å); give a centre in "
            "the protein file's frame"
        )
    return xyz


def write_pocket(
    model: Model, protein: Protein, mask: np.ndarray, ca: np.ndarray, out: Path
) -> list[ResidueId]:
    """Write the pocket residues of `model` (all atoms), each shifted rigidly by its
    predicted Cα displacement, to `out`; return their ids. `model` is left unchanged."""
    ids = [protein.residue_ids[i] for i in np.flatnonzero(mask)]
    shift = dict(zip(ids, ca - protein.ca[mask], strict=True))
    pocket = Model(0)
    for residue in model.get_residues():
        chain = residue.get_parent().id
        key = (chain, int(residue.id[1]), residue.id[2].strip())
        if key not in shift or residue.id[0] != " ":
            continue
        if chain not in pocket:
            pocket.add(Chain(chain))
        moved = residue.copy()
        for atom in moved.get_atoms():
            atom.set_coord(atom.coord + shift[key])
        pocket[chain].add(moved)
    structure = Structure("pocket")
    structure.add(pocket)
    writer = PDBIO()
    writer.set_structure(structure)
    writer.save(str(out))
    return ids
