"""The bit-exact fixed-point cells: the definition of every output bit (ARCHITECTURE.md §3).

The step of each cell type is in sharp.cells (lstm.py, gru.py); this module runs a layer of
either over a batch of sequences. Vectorised over the batch and over all rows; the only Python
loop is over time steps.
"""
from __future__ import annotations

import numpy as np

from .cells import cell_module
from .config import STATE_FORMATS
from .fixedpoint import rnd, sat
from .tables import sigmoid_table, tanh_table


def x_projection(w_x: np.ndarray, bias: np.ndarray, x: np.ndarray, shift_x: int) -> np.ndarray:
    """Phase A for every step at once: (B, T, I) -> (B, T, Q·H) int32 values."""
    sums = x.astype(np.int64) @ w_x.astype(np.int64).T
    return sat(rnd(sums, shift_x) + bias.astype(np.int64), 32)


def run_cell(cell, x_int: np.ndarray, sig=None, tanh=None) -> np.ndarray:
    """One layer and direction (a sharp.quantized.QuantizedCell, of either cell type) over
    (B, T, I) int16 inputs -> (B, T, H) int16 hidden states, from h = c = 0."""
    return run_cell_carried(cell, x_int, sig=sig, tanh=tanh)[0]


def run_cell_carried(cell, x_int: np.ndarray, initial: tuple | None = None, lengths=None,
                     sig=None, tanh=None) -> tuple[np.ndarray, tuple]:
    """run_cell from a given state, also returning the final state (ARCHITECTURE.md §8,
    "Carried state").

    initial: the cell's state tuple, (h, c) for an LSTM or (h,) for a GRU, each (B, H): h int16,
    c int32 of 25 bits (None: zeros). lengths: (B,) steps of each sequence; its final state is
    taken at its own last step (None: every sequence has T). Returns ((B, T, H) int16, the
    final state tuple of (B, H) arrays of those types); outputs past a sequence's length are those of steps beyond it, which
    the caller discards."""
    kind = cell_module(cell.kind)
    sig = sigmoid_table() if sig is None else sig
    tanh = tanh_table() if tanh is None else tanh
    batch, steps, _ = x_int.shape
    xp = x_projection(cell.w_x, kind.x_bias(cell), x_int, cell.shift_x)
    state = kind.initial_state(batch, cell.hidden_size)
    if initial is not None:
        if len(initial) != len(state):
            raise ValueError(f"the {cell.kind} state has {len(state)} tensors, got {len(initial)}")
        state = tuple(np.asarray(s, dtype=np.int64).reshape(batch, cell.hidden_size)
                      for s in initial)
    lengths = np.full(batch, steps) if lengths is None else np.asarray(lengths)
    final = list(state)
    out = np.empty((batch, steps, cell.hidden_size), dtype=np.int64)
    for t in range(steps):
        state = kind.step(cell, xp[:, t], state, sig, tanh)
        out[:, t] = state[0]
        ends = lengths == t + 1
        for k, s in enumerate(state):
            final[k] = np.where(ends[:, None], s, final[k])
    return out.astype(np.int16), tuple(s.astype(STATE_FORMATS[name].dtype)
                                       for name, s in zip(kind.STATE, final))
