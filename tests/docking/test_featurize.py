"""Featurization: feature sizes, labels, and PyG batching of complexes."""

from __future__ import annotations

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch_geometric.data import Batch

from docking.network.featurize import (
    BOND_FEATURES,
    LIGAND_FEATURES,
    featurize_complex,
    knn_edges,
)
from docking.structures import ligand_from_smiles

SMILES = ("C[C@H](N)C(=O)O", "c1ccccc1O", "CC(=O)Oc1ccccc1C(=O)O", "N[C@@H](Cc1ccccc1)C(=O)O")


def test_ligand_graph_has_heavy_atoms_and_both_bond_directions(complex_6ce6):
    ligand = complex_6ce6["ligand"]
    bonds = complex_6ce6["ligand", "bond", "ligand"]
    assert ligand.x.shape == (22, LIGAND_FEATURES)
    assert bonds.edge_attr.shape == (bonds.edge_index.shape[1], BOND_FEATURES)
    pairs = set(map(tuple, bonds.edge_index.T.tolist()))
    assert all((b, a) in pairs for a, b in pairs)


def test_pocket_labels_mark_residues_near_the_ligand(complex_6ce6):
    labels = complex_6ce6["residue"].y
    near = torch.cdist(complex_6ce6["residue"].pos, complex_6ce6["ligand"].pos_true).min(1).values
    assert 0 < labels.sum() < len(labels)
    assert torch.equal(labels.bool(), near < 10.0)


def test_knn_edges_point_to_each_node_from_its_nearest_neighbours():
    pos = torch.tensor([[0.0, 0, 0], [1, 0, 0], [5, 0, 0], [6, 0, 0]])
    edges = knn_edges(pos, k=1)
    assert sorted(map(tuple, edges.T.tolist())) == [(0, 1), (1, 0), (2, 3), (3, 2)]


def test_chiral_index_is_shifted_per_complex_when_batched(protein_6ce6):
    alanine = ligand_from_smiles("C[C@H](N)C(=O)O")
    one = featurize_complex(protein_6ce6, alanine, alanine, holo_ca=protein_6ce6.ca)
    batch = Batch.from_data_list([one, one])
    quads = batch["ligand"].chiral_index
    assert quads.shape == (2, 4)
    assert torch.equal(quads[1], quads[0] + one["ligand"].num_nodes)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(SMILES), min_size=1, max_size=4))
def test_batching_then_unbatching_round_trips(protein_6ce6, smiles_list):
    complexes = []
    for smiles in smiles_list:
        ligand = ligand_from_smiles(smiles)
        complexes.append(featurize_complex(protein_6ce6, ligand, ligand, holo_ca=protein_6ce6.ca))
    batch = Batch.from_data_list(complexes)
    for i, original in enumerate(complexes):
        back = batch.get_example(i)
        for node in ("ligand", "residue"):
            for key, value in original[node].items():
                assert torch.equal(back[node][key], value), (node, key)
        for edge in (("ligand", "bond", "ligand"), ("residue", "near", "residue")):
            assert torch.equal(back[edge].edge_index, original[edge].edge_index)
