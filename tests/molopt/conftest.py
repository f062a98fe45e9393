"""Fixtures of the molecular-optimization tests."""

import pytest
import torch


@pytest.fixture
def one_torch_thread():
    """Run torch on one thread: on the shared 2-core CI machine two threads of the small
    SMILES GPT ran about 5x slower than one (they fight the other jobs for the cores)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
