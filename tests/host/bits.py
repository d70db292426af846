"""Bit-for-bit comparison of outputs and states, shared by the host tests."""
from __future__ import annotations

import numpy as np


def assert_same(got, want):
    """Outputs and states, or tuples and lists of them, equal bit for bit (dtype and shape too)."""
    if isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)
    else:
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
