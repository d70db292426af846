"""Shared fixtures: fresh, logged random seeds (set SHARP_SEED to reproduce a run)."""
from __future__ import annotations

import os

import numpy as np
import pytest


def fresh_seed() -> int:
    env = os.environ.get("SHARP_SEED")
    return int(env) if env else int.from_bytes(os.urandom(4), "little")


@pytest.fixture
def seed(request) -> int:
    value = fresh_seed()
    print(f"\n[{request.node.nodeid}] SHARP_SEED={value}")
    request.node.user_properties.append(("SHARP_SEED", value))
    return value


@pytest.fixture
def rng(seed) -> np.random.Generator:
    return np.random.default_rng(seed)
