"""The LSTM cell (ARCHITECTURE.md §3, "One LSTM step"); its datapath in the RTL is
rtl/lstm_cell.sv and in the HLS kernel hls/lstm_cell.h."""
from __future__ import annotations

import numpy as np

from ..config import CF, HF, ZF
from ..fixedpoint import rnd, sat
from ..tables import table_index

NAME = "lstm"
CODE = 0            # the value of the `cell` register
GATES = 4           # rows per hidden unit, in torch's order
GATE_NAMES = ("i", "f", "g", "o")


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
    i, f, o = (sig[table_index(v, ZF)] for v in (zi, zf, zo))
    g = tanh[table_index(zg, ZF)]
    c = sat(rnd(f * c, HF) + rnd(i * g, 2 * HF - CF), 16)
    h = sat(rnd(o * tanh[table_index(c, CF)], HF), 16)
    return h, c
