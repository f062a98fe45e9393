"""A docked pose as the pose scorer reads it: the ligand's heavy atoms in their pose and
the protein's heavy atoms around them.

`ProteinAtoms` holds every heavy atom of a protein PDB (first model, standard and
modified residues, waters and hetero groups dropped) with its element, residue type and
backbone flag; `pose_graph` cuts the atoms within `POCKET_CUTOFF_ANGSTROM` of the pose
and packs both atom sets into a `PoseGraph` of tensors. The scorer builds its distance
edges from the coordinates, so everything it sees is invariant to rotating and
translating the complex.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from rdkit import Chem
from torch import Tensor

from docking.errors import StructureError
from docking.network.featurize import (
    BOND_FEATURES,
    atom_features,
    bond_features,
    heavy_atom_indices,
)
from docking.structures import AMINO_ACIDS, UNKNOWN_RESIDUE

POCKET_CUTOFF_ANGSTROM = 6.0  # the scorer's contact cutoff
PROTEIN_ELEMENTS = ("C", "N", "O", "S")  # then "other" (Se of MSE, metals of a modified residue)
BACKBONE = ("N", "CA", "C", "O")
PROTEIN_FEATURES = len(PROTEIN_ELEMENTS) + 1 + len(AMINO_ACIDS) + 1 + 1


@dataclass(frozen=True)
class ProteinAtoms:
    """Heavy atoms of a protein. Shapes: pos (A, 3), features (A, PROTEIN_FEATURES),
    backbone (A,) bool."""

    pos: np.ndarray
    features: np.ndarray
    backbone: np.ndarray


def _atom_row(element: str, residue: str, name: str) -> list[float]:
    slot = PROTEIN_ELEMENTS.index(element) if element in PROTEIN_ELEMENTS else 4
    kind = AMINO_ACIDS.index(residue) if residue in AMINO_ACIDS else UNKNOWN_RESIDUE
    row = [0.0] * PROTEIN_FEATURES
    row[slot] = 1.0
    row[len(PROTEIN_ELEMENTS) + 1 + kind] = 1.0
    row[-1] = float(name in BACKBONE)
    return row


def protein_atoms(pdb_text: str, name: str = "protein") -> ProteinAtoms:
    """Heavy atoms of the first model's ATOM records (first altloc kept)."""
    pos, rows, backbone = [], [], []
    for line in pdb_text.splitlines():
        if line.startswith("ENDMDL"):
            break
        if not line.startswith("ATOM") or line[16] not in " A1":
            continue
        element = (line[76:78].strip() or line[12:16].strip()[:1]).upper()
        if element in ("H", "D"):
            continue
        atom_name = line[12:16].strip()
        pos.append([float(line[30:38]), float(line[38:46]), float(line[46:54])])
        rows.append(_atom_row(element, line[17:20].strip(), atom_name))
        backbone.append(atom_name in BACKBONE)
    if not pos:
        raise StructureError(f"{name}: no protein ATOM records to score a pose against")
    return ProteinAtoms(np.array(pos), np.array(rows, dtype=np.float32), np.array(backbone))


@dataclass
class PoseGraph:
    """One pose. Ligand: x (L, F_lig), pos (L, 3), bonds (2, B) both directions, bond_attr
    (B, BOND_FEATURES). Pocket: x (P, PROTEIN_FEATURES), pos (P, 3), backbone (P,).
    vina_score: Vina's kcal/mol for the pose (an input feature)."""

    ligand_x: Tensor
    ligand_pos: Tensor
    bonds: Tensor
    bond_attr: Tensor
    pocket_x: Tensor
    pocket_pos: Tensor
    pocket_backbone: Tensor
    vina_score: float


def ligand_tensors(mol: Chem.Mol) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Heavy-atom features, pose coordinates, bond index and bond features of `mol`."""
    heavy = heavy_atom_indices(mol)
    where = {atom: i for i, atom in enumerate(heavy)}
    x = torch.tensor([atom_features(mol.GetAtomWithIdx(i)) for i in heavy], dtype=torch.float32)
    pos = torch.tensor(mol.GetConformer().GetPositions()[heavy], dtype=torch.float32)
    pairs, attrs = [], []
    for bond in mol.GetBonds():
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if a in where and b in where:
            pairs += [(where[a], where[b]), (where[b], where[a])]
            attrs += [bond_features(bond)] * 2
    bonds = torch.tensor(pairs, dtype=torch.long).view(-1, 2).T.contiguous()
    return x, pos, bonds, torch.tensor(attrs, dtype=torch.float32).view(-1, BOND_FEATURES)


def pose_graph(mol: Chem.Mol, protein: ProteinAtoms, vina_score: float) -> PoseGraph:
    """The pose `mol` (hydrogens and bond orders as Vina's ligand) and the protein atoms
    within `POCKET_CUTOFF_ANGSTROM` of any of its heavy atoms."""
    x, pos, bonds, bond_attr = ligand_tensors(mol)
    distance = np.linalg.norm(protein.pos[:, None] - pos.numpy()[None].astype(float), axis=-1)
    near = distance.min(axis=1) < POCKET_CUTOFF_ANGSTROM
    return PoseGraph(
        ligand_x=x,
        ligand_pos=pos,
        bonds=bonds,
        bond_attr=bond_attr,
        pocket_x=torch.from_numpy(protein.features[near]),
        pocket_pos=torch.tensor(protein.pos[near], dtype=torch.float32),
        pocket_backbone=torch.from_numpy(protein.backbone[near]),
        vina_score=float(vina_score),
    )
