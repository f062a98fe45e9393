"""Turn a protein and a ligand into a graph pair the model reads (PyTorch Geometric).

One complex is a `ComplexData` (a `HeteroData`) with two node types:

- ``residue``: ``x`` residue type (R,) long, ``pos`` input Cα (R, 3), optional
  ``pos_true`` holo Cα (R, 3) and ``y`` pocket label (R,) (Cα within
  `POCKET_CUTOFF_ANGSTROM` of a ligand heavy atom, as FABFlex/FABind label pockets);
- ``ligand``: heavy atoms only, ``x`` one-hot features (L, LIGAND_FEATURES), ``pos`` a
  starting conformer (L, 3), optional ``pos_true`` (L, 3), ``chiral_index`` (C, 4) =
  (centre, three heavy neighbours) of each tetrahedral stereocentre;

and two edge types: ``(ligand, bond, ligand)`` (both directions, ``edge_attr`` bond one-hot)
and ``(residue, near, residue)`` (k nearest Cα neighbours). PyG shifts attributes whose
name contains ``index`` when batching only on edge stores; `ComplexData` shifts
``chiral_index`` by the ligand node count as well, so batches stay consistent.
"""

from __future__ import annotations

import numpy as np
import torch
from rdkit import Chem
from torch import Tensor
from torch_geometric.data import HeteroData

from docking.structures import Protein

POCKET_CUTOFF_ANGSTROM = 10.0
RESIDUE_NEIGHBOURS = 16

ELEMENTS = (6, 7, 8, 9, 15, 16, 17, 35, 53, 5)  # C N O F P S Cl Br I B; then "other"
DEGREES = (0, 1, 2, 3, 4, 5)
FORMAL_CHARGES = (-2, -1, 0, 1, 2)
HYBRIDIZATIONS = (
    Chem.HybridizationType.SP,
    Chem.HybridizationType.SP2,
    Chem.HybridizationType.SP3,
    Chem.HybridizationType.SP3D,
    Chem.HybridizationType.SP3D2,
)
CHIRAL_TAGS = (
    Chem.ChiralType.CHI_UNSPECIFIED,
    Chem.ChiralType.CHI_TETRAHEDRAL_CW,
    Chem.ChiralType.CHI_TETRAHEDRAL_CCW,
)
HYDROGEN_COUNTS = (0, 1, 2, 3)
BOND_TYPES = (
    Chem.BondType.SINGLE,
    Chem.BondType.DOUBLE,
    Chem.BondType.TRIPLE,
    Chem.BondType.AROMATIC,
)
# one-hot blocks, each with an "other" slot, then aromatic and in-ring flags
LIGAND_FEATURES = (
    sum(len(v) + 1 for v in (ELEMENTS, DEGREES, FORMAL_CHARGES, HYBRIDIZATIONS, CHIRAL_TAGS))
    + len(HYDROGEN_COUNTS)
    + 1
    + 2
)
BOND_FEATURES = len(BOND_TYPES) + 2  # + conjugated, in ring


class ComplexData(HeteroData):
    """A protein–ligand complex; batches ``chiral_index`` like an edge index."""

    def __inc__(self, key: str, value, store=None, *args, **kwargs):
        if key == "chiral_index":
            return store.num_nodes if store is not None else self["ligand"].num_nodes
        return super().__inc__(key, value, store, *args, **kwargs)


def _one_hot(value, choices: tuple) -> list[float]:
    """One-hot over `choices` plus a final "other" slot."""
    slot = choices.index(value) if value in choices else len(choices)
    return [float(i == slot) for i in range(len(choices) + 1)]


def heavy_atom_indices(mol: Chem.Mol) -> list[int]:
    """Indices of the non-hydrogen atoms of `mol`, in order (the ligand node order)."""
    return [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() > 1]


def atom_features(atom: Chem.Atom) -> list[float]:
    """Element, degree, formal charge, hybridization, chirality tag, H count, aromatic, ring."""
    hydrogens = atom.GetTotalNumHs()
    return (
        _one_hot(atom.GetAtomicNum(), ELEMENTS)
        + _one_hot(atom.GetDegree(), DEGREES)
        + _one_hot(atom.GetFormalCharge(), FORMAL_CHARGES)
        + _one_hot(atom.GetHybridization(), HYBRIDIZATIONS)
        + _one_hot(atom.GetChiralTag(), CHIRAL_TAGS)
        + [float(hydrogens == h) for h in HYDROGEN_COUNTS]
        + [float(hydrogens > HYDROGEN_COUNTS[-1])]
        + [float(atom.GetIsAromatic()), float(atom.IsInRing())]
    )


def bond_features(bond: Chem.Bond) -> list[float]:
    """Bond type one-hot, conjugated, in ring."""
    kind = [float(bond.GetBondType() == t) for t in BOND_TYPES]
    return kind + [float(bond.GetIsConjugated()), float(bond.IsInRing())]


def chiral_quads(mol: Chem.Mol, heavy: list[int]) -> Tensor:
    """(C, 4) heavy-atom indices: each tagged stereocentre and three heavy neighbours."""
    position = {atom: i for i, atom in enumerate(heavy)}
    quads = []
    for atom in mol.GetAtoms():
        if atom.GetChiralTag() not in CHIRAL_TAGS[1:] or atom.GetIdx() not in position:
            continue
        neighbours = [n.GetIdx() for n in atom.GetNeighbors() if n.GetIdx() in position]
        if len(neighbours) >= 3:
            quads.append([position[atom.GetIdx()]] + [position[n] for n in neighbours[:3]])
    return torch.tensor(quads, dtype=torch.long).view(-1, 4)


def ligand_coordinates(mol: Chem.Mol, heavy: list[int]) -> Tensor:
    """(L, 3) heavy-atom coordinates of the first conformer."""
    return torch.tensor(mol.GetConformer().GetPositions()[heavy], dtype=torch.float32)


def knn_edges(pos: Tensor, k: int) -> Tensor:
    """(2, R*k') edges from each node's k nearest neighbours (source row 0 -> target row 1)."""
    count = pos.shape[0]
    k = min(k, count - 1)
    if k <= 0:
        return torch.zeros(2, 0, dtype=torch.long)
    distance = torch.cdist(pos, pos)  # (R, R)
    distance.fill_diagonal_(float("inf"))
    neighbours = distance.topk(k, largest=False).indices  # (R, k)
    target = torch.arange(count).repeat_interleave(k)
    return torch.stack([neighbours.reshape(-1), target])


def featurize_ligand(data: ComplexData, mol: Chem.Mol, start: Chem.Mol) -> None:
    """Fill the ligand nodes and bonds of `data` from `mol`; `start` gives ``pos``.

    `start` is the same molecule (same atom order) with a generated conformer; when `mol`
    has a conformer it is taken as the true pose ``pos_true``.
    """
    heavy = heavy_atom_indices(mol)
    position = {atom: i for i, atom in enumerate(heavy)}
    data["ligand"].x = torch.tensor([atom_features(mol.GetAtomWithIdx(i)) for i in heavy])
    data["ligand"].pos = ligand_coordinates(start, heavy)
    if mol.GetNumConformers():
        data["ligand"].pos_true = ligand_coordinates(mol, heavy)
    data["ligand"].chiral_index = chiral_quads(mol, heavy)
    pairs, features = [], []
    for bond in mol.GetBonds():
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if a in position and b in position:
            pairs += [(position[a], position[b]), (position[b], position[a])]
            features += [bond_features(bond)] * 2
    store = data["ligand", "bond", "ligand"]
    store.edge_index = torch.tensor(pairs, dtype=torch.long).view(-1, 2).T.contiguous()
    store.edge_attr = torch.tensor(features, dtype=torch.float32).view(-1, BOND_FEATURES)


def featurize_protein(data: ComplexData, protein: Protein, holo_ca: np.ndarray | None) -> None:
    """Fill the residue nodes and kNN edges of `data`; `holo_ca` (R, 3) is the target."""
    pos = torch.tensor(protein.ca, dtype=torch.float32)
    data["residue"].x = torch.tensor(protein.residue_type, dtype=torch.long)
    data["residue"].pos = pos
    if holo_ca is not None:
        data["residue"].pos_true = torch.tensor(holo_ca, dtype=torch.float32)
    data["residue", "near", "residue"].edge_index = knn_edges(pos, RESIDUE_NEIGHBOURS)


def pocket_labels(residue_pos: Tensor, ligand_pos: Tensor) -> Tensor:
    """(R,) 1.0 where the Cα lies within `POCKET_CUTOFF_ANGSTROM` of a ligand heavy atom."""
    nearest = torch.cdist(residue_pos, ligand_pos).min(dim=1).values
    return (nearest < POCKET_CUTOFF_ANGSTROM).float()


def featurize_complex(
    protein: Protein,
    ligand: Chem.Mol,
    start: Chem.Mol,
    holo_ca: np.ndarray | None = None,
    name: str = "",
) -> ComplexData:
    """A `ComplexData` for one protein–ligand pair.

    `ligand` carries bond orders (and, for training, the true pose); `start` is the same
    molecule with the generated starting conformer. `holo_ca` is the holo Cα target when
    known (training: the crystal protein; apo–holo pairs: the aligned holo model).
    """
    data = ComplexData()
    data.name = name or protein.name
    featurize_protein(data, protein, holo_ca)
    featurize_ligand(data, ligand, start)
    if "pos_true" in data["ligand"]:
        target = data["residue"].get("pos_true", data["residue"].pos)
        data["residue"].y = pocket_labels(target, data["ligand"].pos_true)
    return data
