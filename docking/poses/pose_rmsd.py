"""Symmetry-corrected ligand RMSD of a pose against the crystal ligand, in place.

Vina's ligand is the protonated form of the molecule (Open Babel at pH 7.4) and the
crystal ligand is PDBbind's, so charges, bond orders and hydrogens may differ. Both are
reduced to heavy atoms and connectivity (`element_graph`) and RDKit's `CalcRMS` takes the
minimum over the graph's automorphisms (symmetric RMSD, no superposition), as the
docking literature's "% of ligands within 2 Å" does.
"""

from __future__ import annotations

import numpy as np
from rdkit import Chem
from rdkit.Chem import rdMolAlign

MAX_MATCHES = 1000  # automorphisms tried: enough for the symmetric groups of drug-like ligands


def element_graph(mol: Chem.Mol) -> Chem.Mol:
    """Heavy atoms and connectivity only (no charges, bond orders or aromaticity), so
    that differently protonated copies of a ligand (Vina's input) still match."""
    graph = Chem.RWMol(Chem.RemoveHs(mol, sanitize=False))
    for atom in graph.GetAtoms():
        atom.SetFormalCharge(0)
        atom.SetIsAromatic(False)
        atom.SetNoImplicit(True)
        atom.SetNumExplicitHs(0)
    for bond in graph.GetBonds():
        bond.SetBondType(Chem.BondType.SINGLE)
        bond.SetIsAromatic(False)
    graph = graph.GetMol()
    graph.UpdatePropertyCache(strict=False)
    return graph


def symmetric_rmsd(pose: Chem.Mol, crystal: Chem.Mol) -> float:
    """Heavy-atom RMSD (Å) of `pose` to `crystal` over the best atom mapping, no alignment."""
    return float(
        rdMolAlign.CalcRMS(element_graph(pose), element_graph(crystal), maxMatches=MAX_MATCHES)
    )


def centroid_distance(pose: Chem.Mol, crystal: Chem.Mol) -> float:
    """Distance (Å) between the heavy-atom centroids of `pose` and `crystal`."""
    a = Chem.RemoveHs(pose, sanitize=False).GetConformer().GetPositions().mean(0)
    b = Chem.RemoveHs(crystal, sanitize=False).GetConformer().GetPositions().mean(0)
    return float(np.linalg.norm(a - b))
