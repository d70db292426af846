"""Activation lookup tables (docs/ARCHITECTURE.md, section 3)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .config import LUT_BITS
from .fixedpoint import quantize, rnd

TABLE_SIZE = 1 << LUT_BITS
TABLE_CENTER = TABLE_SIZE // 2
STEPS_PER_UNIT = 256  # table resolution: z in [-8, 8) at 1/256


def table_index(v: np.ndarray, frac: int) -> np.ndarray:
    """idx of §3: the nearest table sample of a value with `frac` fractional bits, clamped."""
    return np.clip(rnd(v, frac - 8) + TABLE_CENTER, 0, TABLE_SIZE - 1)


def sigmoid(v: np.ndarray) -> np.ndarray:
    """The float logistic function: the SIG table's samples and the float cells' gates."""
    return 1.0 / (1.0 + np.exp(-v))


def sample_points() -> np.ndarray:
    return (np.arange(TABLE_SIZE) - TABLE_CENTER) / STEPS_PER_UNIT


@lru_cache(maxsize=1)
def sigmoid_table() -> np.ndarray:
    table, _ = quantize(sigmoid(sample_points()), 15)
    table.setflags(write=False)
    return table


@lru_cache(maxsize=1)
def tanh_table() -> np.ndarray:
    table, _ = quantize(np.tanh(sample_points()), 15)
    table.setflags(write=False)
    return table
