"""The bit-exact fixed-point cells: the definition of every output bit (ARCHITECTURE.md §3).

The step of each cell type is in sharp.cells (lstm.py, gru.py); this module runs a layer of
either over a batch of sequences. Vectorised over the batch and over all rows; the only Python
loop is over time steps.
"""
from __future__ import annotations

import numpy as np

from .cells import cell_module
from .fixedpoint import rnd, sat
from .tables import sigmoid_table, tanh_table


def x_projection(w_x: np.ndarray, bias: np.ndarray, x: np.ndarray, shift_x: int) -> np.ndarray:
    """Phase A for every step at once: (B, T, I) -> (B, T, Q·H) int32 values."""
    sums = x.astype(np.int64) @ w_x.astype(np.int64).T
    return sat(rnd(sums, shift_x) + bias.astype(np.int64), 32)


def run_cell(cell, x_int: np.ndarray, sig=None, tanh=None) -> np.ndarray:
    """One layer and direction (a sharp.quantized.QuantizedCell, of either cell type) over
    (B, T, I) int16 inputs -> (B, T, H) int16 hidden states, from h = c = 0."""
    kind = cell_module(cell.kind)
    sig = sigmoid_table() if sig is None else sig
    tanh = tanh_table() if tanh is None else tanh
    batch, steps, _ = x_int.shape
    xp = x_projection(cell.w_x, kind.x_bias(cell), x_int, cell.shift_x)
    state = kind.initial_state(batch, cell.hidden_size)
    out = np.empty((batch, steps, cell.hidden_size), dtype=np.int64)
    for t in range(steps):
        state = kind.step(cell, xp[:, t], state, sig, tanh)
        out[:, t] = state[0]
    return out.astype(np.int16)
