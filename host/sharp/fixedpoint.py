"""The contract's one rounding rule and saturation, vectorised over int64 arrays."""
from __future__ import annotations

import numpy as np


def rnd(v, s: int) -> np.ndarray:
    """Round half up while shifting right by s: floor((v + 2**(s-1)) / 2**s)."""
    v = np.asarray(v, dtype=np.int64)
    if s == 0:
        return v
    return (v + (np.int64(1) << (s - 1))) >> s


def sat(v, bits: int) -> np.ndarray:
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return np.clip(np.asarray(v, dtype=np.int64), lo, hi)


def quantize(values, frac: int, bits: int = 16) -> tuple[np.ndarray, int]:
    """Float to fixed point with `frac` fractional bits; returns (ints, saturated count)."""
    scaled = np.floor(np.asarray(values, dtype=np.float64) * float(2 ** frac) + 0.5)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    saturated = int(np.count_nonzero((scaled < lo) | (scaled > hi)))
    return np.clip(scaled, lo, hi).astype(np.int64), saturated


def frac_for(max_abs: float, max_frac: int, bits: int = 16) -> int:
    """Largest fractional bit count in 0..max_frac that represents max_abs without saturating."""
    limit = (1 << (bits - 1)) - 1
    for f in range(max_frac, -1, -1):
        if np.floor(max_abs * 2.0 ** f + 0.5) <= limit:
            return f
    return 0
