"""The LSTM cell (ARCHITECTURE.md §3, "One LSTM step"), torch.nn.LSTM's: its float math, the
biases it quantizes and its fixed-point step. Its datapath in the RTL is rtl/lstm_cell.sv and
in the HLS kernel hls/lstm_cell.h."""
from __future__ import annotations

import numpy as np

from ..config import C_BITS, CF, HF, ZF
from ..fixedpoint import rnd, sat
from ..tables import lookup, sigmoid

NAME = "lstm"
CODE = 0            # the value of the `cell` register
GATES = 4           # rows per hidden unit, in torch's order
STATE = ("h", "c")  # the state's tensors, in the order they travel (ARCHITECTURE.md §8)
GATE_NAMES = ("i", "f", "g", "o")
TORCH_CLASS = "LSTM"  # the torch.nn module of this cell
SAME_BITS_SINCE = 2   # the oldest contract version with this cell's bits (2 made them accurate)
# the Q.16 int32 tensors of a quantized cell (float_biases' keys), and their entries per unit
BIAS_TENSORS = {"bias": GATES}


def float_biases(w) -> dict[str, np.ndarray]:
    """The float biases a quantized cell holds, from torch's b_ih, b_hh: b = b_ih + b_hh."""
    return {"bias": w.b_ih + w.b_hh}


def float_layer(w, x: np.ndarray, initial: tuple | None = None, lengths=None
                ) -> tuple[np.ndarray, tuple]:
    """torch.nn.LSTM's float layer, one direction (w: torch's w_ih, w_hh, b_ih, b_hh):
    x (B, T, I) -> (h (B, T, H), the final state (h, c) of (B, H) each). initial: (h, c) of
    (B, H) each (None: zeros); lengths: (B,) steps of each sequence, whose final state is taken
    at its own last step (None: all T), as golden.run_cell_carried."""
    batch, steps, _ = x.shape
    hidden = w.w_hh.shape[1]
    xproj = x @ w.w_ih.T + (w.b_ih + w.b_hh)
    h, c = (np.zeros((batch, hidden)),) * 2 if initial is None else initial
    lengths = np.full(batch, steps) if lengths is None else np.asarray(lengths)
    final_h, final_c = h, c
    out = np.empty((batch, steps, hidden))
    for t in range(steps):
        zi, zf, zg, zo = np.split(xproj[:, t] + h @ w.w_hh.T, GATES, axis=-1)
        c = sigmoid(zf) * c + sigmoid(zi) * np.tanh(zg)
        h = sigmoid(zo) * np.tanh(c)
        out[:, t] = h
        ends = (lengths == t + 1)[:, None]
        final_h, final_c = np.where(ends, h, final_h), np.where(ends, c, final_c)
    return out, (final_h, final_c)


def x_bias(cell) -> np.ndarray:
    """The (4H,) int32 bias that phase A adds, torch gate order: b_ih + b_hh."""
    return cell.bias


def bias_slots(cell) -> np.ndarray:
    """(H, 4) int32: the four slots of each hidden unit's bias unit, (b_i, b_f, b_g, b_o)."""
    return cell.bias.reshape(GATES, -1).T


def initial_state(batch: int, hidden: int) -> tuple:
    return (np.zeros((batch, hidden), dtype=np.int64), np.zeros((batch, hidden), dtype=np.int64))


def step(cell, xp_t: np.ndarray, state: tuple, sig: np.ndarray, tanh: np.ndarray) -> tuple:
    """One step from the x projection xp_t (B, 4H) and the state (h, c); returns (h, c)."""
    h, c = state
    recurrent = sat(rnd(h @ cell.w_h.astype(np.int64).T, cell.shift_h), 32)
    z = sat(xp_t + recurrent, 32)
    zi, zf, zg, zo = np.split(z, GATES, axis=-1)
    i, f, o = (lookup(sig, v, ZF) for v in (zi, zf, zo))
    g = lookup(tanh, zg, ZF)
    c = sat(rnd(f * c, HF) + rnd(i * g, 2 * HF - CF), C_BITS)
    h = sat(rnd(o * lookup(tanh, c, CF), HF), 16)
    return h, c
