"""EGNN and cross-attention layers: shapes and E(3) symmetry in float64."""

from __future__ import annotations

import torch

from docking.network.layers import CrossAttention, EquivariantConv


def random_rotation(generator: torch.Generator) -> torch.Tensor:
    """A random 3x3 orthogonal matrix with det +1 (QR of a Gaussian matrix)."""
    q, r = torch.linalg.qr(torch.randn(3, 3, generator=generator, dtype=torch.float64))
    q = q * torch.sign(torch.diagonal(r))
    return q if torch.det(q) > 0 else -q


def tiny_graph():
    generator = torch.Generator().manual_seed(0)
    h = torch.randn(5, 8, generator=generator, dtype=torch.float64)
    pos = torch.randn(5, 3, generator=generator, dtype=torch.float64) * 3
    edges = torch.tensor([[0, 1, 1, 2, 3, 4, 4, 0], [1, 0, 2, 1, 4, 3, 0, 4]])
    return h, pos, edges, generator


def test_egnn_is_equivariant_to_rotation_and_translation():
    h, pos, edges, generator = tiny_graph()
    layer = EquivariantConv(8, edge_dim=0, hidden=16).double()
    torch.nn.init.normal_(layer.coord[-1].weight)  # make coordinate moves large enough to see
    rotation, shift = random_rotation(generator), torch.randn(3, dtype=torch.float64)
    h_out, pos_out = layer(h, pos, edges)
    h_moved, pos_moved = layer(h, pos @ rotation.T + shift, edges)
    assert h_out.shape == (5, 8) and pos_out.shape == (5, 3)
    assert not torch.allclose(pos_out, pos)
    torch.testing.assert_close(pos_moved, pos_out @ rotation.T + shift, atol=1e-10, rtol=0)
    torch.testing.assert_close(h_moved, h_out, atol=1e-10, rtol=0)


def test_egnn_moves_only_masked_nodes():
    h, pos, edges, _ = tiny_graph()
    layer = EquivariantConv(8, hidden=16).double()
    torch.nn.init.normal_(layer.coord[-1].weight)
    mask = torch.tensor([True, True, False, False, False])
    _, moved = layer(h, pos, edges, coord_mask=mask)
    assert torch.equal(moved[2:], pos[2:])
    assert not torch.allclose(moved[:2], pos[:2])


def test_cross_attention_is_invariant_and_shaped():
    h, pos, _, generator = tiny_graph()
    source_h, source_pos = h[:3], pos[:3]
    edges = torch.tensor([[0, 1, 2, 0, 1, 2], [0, 0, 0, 1, 1, 1]])  # 3 sources -> 2 targets
    layer = CrossAttention(8, heads=2).double()
    out = layer(h[3:], source_h, pos[3:], source_pos, edges)
    rotation = random_rotation(generator)
    moved = layer(h[3:], source_h, pos[3:] @ rotation.T + 1.0, source_pos @ rotation.T + 1.0, edges)
    assert out.shape == (2, 8)
    torch.testing.assert_close(moved, out, atol=1e-10, rtol=0)
