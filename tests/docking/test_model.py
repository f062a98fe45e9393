"""The docking network: E(3) equivariance, ligand-atom permutation, determinism, batching."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import Batch

from docking.network.model import FlexibleDocker, ModelConfig
from tests.docking.test_layers import random_rotation


def as_double(data):
    return data.clone().apply(lambda t: t.double() if t.is_floating_point() else t)


@pytest.fixture(scope="module")
def model() -> FlexibleDocker:
    torch.manual_seed(0)
    network = FlexibleDocker(ModelConfig(hidden=16, pocket_residues=24)).double().eval()
    for conv in [*network.ligand_docking, *network.pocket_docking]:
        torch.nn.init.normal_(conv.coord[-1].weight, std=0.1)  # visible coordinate moves
    return network


def run(model, *complexes):
    with torch.no_grad():
        return model(Batch.from_data_list([as_double(c) for c in complexes]))


@pytest.mark.parametrize("parity", [1.0, -1.0], ids=["rotation", "rotoreflection"])
def test_outputs_are_equivariant_to_rotation_and_translation(model, complex_6ce6, parity):
    generator = torch.Generator().manual_seed(1)
    rotation = random_rotation(generator) * parity  # parity -1: an improper rotation (E(3))
    shift = torch.randn(3, generator=generator, dtype=torch.float64) * 10
    base = as_double(complex_6ce6)
    turned = base.clone()
    for node in ("ligand", "residue"):
        turned[node].pos = base[node].pos @ rotation.T + shift
    with torch.no_grad():
        out = model(Batch.from_data_list([base]))
        out_turned = model(Batch.from_data_list([turned]))
    assert torch.equal(out.pocket_mask, out_turned.pocket_mask)
    for key in ("ligand_pos", "pocket_pos", "pocket_center"):
        expected = getattr(out, key) @ rotation.T + shift
        torch.testing.assert_close(getattr(out_turned, key), expected, atol=1e-4, rtol=0)
    torch.testing.assert_close(out_turned.confidence, out.confidence, atol=1e-6, rtol=0)


def test_permuting_ligand_atoms_permutes_the_pose(model, complex_6ce6):
    data = complex_6ce6.clone()
    count = data["ligand"].num_nodes
    order = torch.randperm(count, generator=torch.Generator().manual_seed(2))
    inverse = torch.empty_like(order)
    inverse[order] = torch.arange(count)
    for key in ("x", "pos", "pos_true"):
        data["ligand"][key] = complex_6ce6["ligand"][key][order]
    bonds = data["ligand", "bond", "ligand"]
    bonds.edge_index = inverse[complex_6ce6["ligand", "bond", "ligand"].edge_index]
    out = run(model, complex_6ce6)
    out_permuted = run(model, data)
    torch.testing.assert_close(out_permuted.ligand_pos, out.ligand_pos[order], atol=1e-8, rtol=0)


def test_forward_is_deterministic(model, complex_6ce6):
    first, second = run(model, complex_6ce6), run(model, complex_6ce6)
    assert torch.equal(first.ligand_pos, second.ligand_pos)


def test_batched_equals_unbatched(model, complex_6ce6, complex_5i7x):
    batched = run(model, complex_6ce6, complex_5i7x)
    alone = [run(model, c) for c in (complex_6ce6, complex_5i7x)]
    split = complex_6ce6["ligand"].num_nodes
    torch.testing.assert_close(batched.ligand_pos[:split], alone[0].ligand_pos, atol=1e-8, rtol=0)
    torch.testing.assert_close(batched.ligand_pos[split:], alone[1].ligand_pos, atol=1e-8, rtol=0)
    pockets = torch.cat([alone[0].pocket_pos, alone[1].pocket_pos])
    torch.testing.assert_close(batched.pocket_pos, pockets, atol=1e-8, rtol=0)
    confidence = torch.cat([alone[0].confidence, alone[1].confidence])
    torch.testing.assert_close(batched.confidence, confidence, atol=1e-8, rtol=0)


def test_given_pocket_center_decides_the_crop(model, complex_6ce6):
    residues = complex_6ce6["residue"].pos.double()
    centre = residues[0:1]
    with torch.no_grad():
        out = model(Batch.from_data_list([as_double(complex_6ce6)]), pocket_center=centre)
    nearest = (residues - centre).norm(dim=-1).argsort()[:24]
    assert set(out.pocket_mask.nonzero().flatten().tolist()) == set(nearest.tolist())


@pytest.mark.gpu
def test_cuda_forward_matches_cpu(complex_6ce6):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    torch.manual_seed(0)
    network = FlexibleDocker(ModelConfig(hidden=16, pocket_residues=24)).eval()
    batch = Batch.from_data_list([complex_6ce6])
    with torch.no_grad():
        on_cpu = network(batch).ligand_pos
        on_gpu = network.cuda()(batch.to("cuda")).ligand_pos.cpu()
    torch.testing.assert_close(on_gpu, on_cpu, atol=1e-3, rtol=0)


def test_pocket_crop_is_exact_in_a_large_batch():
    """Graph 40 of a batch: residues 0.01 Å apart in distance keep their order (a float32
    key batch * 1e6 + distance would round them together)."""
    from docking.network.model import nearest_per_graph

    distance = torch.tensor([5.00, 5.03, 5.01, 5.02])
    pos = torch.stack([distance, torch.zeros(4), torch.zeros(4)], dim=1)
    batch = torch.full((4,), 40)
    centre = torch.zeros(41, 3)
    chosen = nearest_per_graph(pos, batch, centre, 2)
    assert chosen.tolist() == [True, False, True, False]


def test_nan_pocket_centre_keeps_that_complex_prediction(model, complex_6ce6, complex_5i7x):
    batch = Batch.from_data_list([as_double(complex_6ce6), as_double(complex_5i7x)])
    given = torch.tensor([[float("nan")] * 3, [1.0, 2.0, 3.0]], dtype=torch.float64)
    with torch.no_grad():
        mixed = model(batch, pocket_center=given)
        blind = model(batch)
    split = int((batch["ligand"].batch == 0).sum())
    torch.testing.assert_close(mixed.ligand_pos[:split], blind.ligand_pos[:split])
    assert not torch.allclose(mixed.ligand_pos[split:], blind.ligand_pos[split:])


def test_all_pairs_equals_the_dense_construction():
    from docking.network.model import all_pairs

    batch = torch.tensor([0, 0, 1, 1, 1, 0, 2, 1, 2, 0])  # ligand then pocket blocks interleave
    same = batch.unsqueeze(0) == batch.unsqueeze(1)
    same.fill_diagonal_(False)
    assert torch.equal(all_pairs(batch), same.nonzero().T)
