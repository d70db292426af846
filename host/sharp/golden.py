"""The bit-exact fixed-point LSTM: the definition of every output bit (ARCHITECTURE.md §3).

Vectorised over the batch and over all MAC lanes; the only Python loop is over time steps.
"""
from __future__ import annotations

import numpy as np

from .config import CF, HF, ZF
from .fixedpoint import rnd, sat
from .tables import TABLE_CENTER, TABLE_SIZE, sigmoid_table, tanh_table


def table_index(v: np.ndarray, frac: int) -> np.ndarray:
    return np.clip(rnd(v, frac - 8) + TABLE_CENTER, 0, TABLE_SIZE - 1)


def x_projection(w_x: np.ndarray, bias: np.ndarray, x: np.ndarray, shift_x: int) -> np.ndarray:
    """Phase A for every step at once: (B, T, I) -> (B, T, 4H) int32 values."""
    sums = x.astype(np.int64) @ w_x.astype(np.int64).T
    return sat(rnd(sums, shift_x) + bias.astype(np.int64), 32)


def lstm_step(xp_t, h, c, w_h, shift_h, sig=None, tanh=None):
    """One step from the x projection xp_t (B, 4H) and state (h, c); returns the new (h, c)."""
    sig = sigmoid_table() if sig is None else sig
    tanh = tanh_table() if tanh is None else tanh
    recurrent = sat(rnd(h @ w_h.T, shift_h), 32)
    z = sat(xp_t + recurrent, 32)
    zi, zf, zg, zo = np.split(z, 4, axis=-1)
    i, f, o = (sig[table_index(v, ZF)] for v in (zi, zf, zo))
    g = tanh[table_index(zg, ZF)]
    c = sat(rnd(f * c, HF) + rnd(i * g, 2 * HF - CF), 16)
    h = sat(rnd(o * tanh[table_index(c, CF)], HF), 16)
    return h, c


def run_cell(cell, x_int: np.ndarray, sig=None, tanh=None) -> np.ndarray:
    """Fixed-point LSTM cell over (B, T, I) int16 inputs -> (B, T, H) int16 hidden states."""
    batch, steps, _ = x_int.shape
    hidden = cell.hidden_size
    xp = x_projection(cell.w_x, cell.bias, x_int, cell.shift_x)
    w_h = cell.w_h.astype(np.int64)
    h = np.zeros((batch, hidden), dtype=np.int64)
    c = np.zeros((batch, hidden), dtype=np.int64)
    out = np.empty((batch, steps, hidden), dtype=np.int64)
    for t in range(steps):
        h, c = lstm_step(xp[:, t], h, c, w_h, cell.shift_h, sig, tanh)
        out[:, t] = h
    return out.astype(np.int16)
