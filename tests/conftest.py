"""Fixtures shared by the core's test modules."""
from __future__ import annotations

import pytest


@pytest.fixture
def one_thread():
    """Workers run torch on one thread; so does this process here, for bit-identical sums (an
    untrained model is full of near ties that another summation order can flip)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
