"""The GRU cell (ARCHITECTURE.md §3, "One GRU step"), torch.nn.GRU's: b_hn inside the product
with r (ONNX linear_before_reset = 1). Its datapath in the RTL is rtl/gru_cell.sv and in the HLS
kernel hls/gru_cell.h."""
from __future__ import annotations

import numpy as np

from ..config import HF, ZF
from ..fixedpoint import rnd, sat
from ..tables import table_index

NAME = "gru"
CODE = 1            # the value of the `cell` register
GATES = 3           # rows per hidden unit, in torch's order (r, z, n); z is `u` in the contract
GATE_NAMES = ("r", "z", "n")


def x_bias(cell) -> np.ndarray:
    """The (3H,) int32 bias that phase A adds, torch gate order: b_ir + b_hr, b_iz + b_hz, b_in."""
    return cell.bias


def bias_slots(cell) -> np.ndarray:
    """(H, 4) int32: the four slots of each hidden unit's bias unit, (b_r, b_u, b_in, b_hn)."""
    return np.concatenate([cell.bias.reshape(GATES, -1), cell.bias_hn[None]]).T


def initial_state(batch: int, hidden: int) -> tuple:
    return (np.zeros((batch, hidden), dtype=np.int64),)


def step(cell, xp_t: np.ndarray, state: tuple, sig: np.ndarray, tanh: np.ndarray) -> tuple:
    """One step from the x projection xp_t (B, 3H) and the state (h,); returns (h,)."""
    (h,) = state
    hp = sat(rnd(h @ cell.w_h.astype(np.int64).T, cell.shift_h), 32)
    xr, xu, xn = np.split(xp_t, GATES, axis=-1)
    hr, hu, hn = np.split(hp, GATES, axis=-1)
    r = sig[table_index(sat(xr + hr, 32), ZF)]
    u = sig[table_index(sat(xu + hu, 32), ZF)]
    a = sat(hn + cell.bias_hn.astype(np.int64), 32)
    n = tanh[table_index(sat(xn + rnd(r * a, HF), 32), ZF)]
    return (sat(n + rnd(u * (h - n), HF), 16),)
