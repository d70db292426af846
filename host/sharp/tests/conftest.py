"""A fresh, logged seed per test (set SHARP_SEED to reproduce), as the repository's tests have."""
from __future__ import annotations

import os

import numpy as np
import pytest


@pytest.fixture
def rng(request) -> np.random.Generator:
    env = os.environ.get("SHARP_SEED")
    seed = int(env) if env else int.from_bytes(os.urandom(4), "little")
    print(f"\n[{request.node.nodeid}] SHARP_SEED={seed}")
    return np.random.default_rng(seed)
