"""Activation lookup tables (docs/ARCHITECTURE.md, section 3)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .config import LUT_BITS
from .fixedpoint import quantize, rnd

TABLE_SIZE = 1 << LUT_BITS
TABLE_CENTER = TABLE_SIZE // 2
STEP_BITS = 7  # table resolution: [-16, 16) at 1/128 = 2^-STEP_BITS
STEPS_PER_UNIT = 1 << STEP_BITS


def lookup(table: np.ndarray, v: np.ndarray, frac: int) -> np.ndarray:
    """look(T, v, s) of §3 for v with `frac` fractional bits (s = frac - 7): the two samples
    around v, interpolated linearly and rounded; the edge entries beyond the range."""
    s = frac - STEP_BITS
    v = np.asarray(v, dtype=np.int64)
    k = (v >> s) + TABLE_CENTER
    phi = v & ((1 << s) - 1)
    below = np.clip(k, 0, TABLE_SIZE - 2)
    lo = table[below].astype(np.int64)
    value = lo + rnd((table[below + 1].astype(np.int64) - lo) * phi, s)
    return np.where(k < 0, np.int64(table[0]),
                    np.where(k >= TABLE_SIZE - 1, np.int64(table[-1]), value))


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
