"""The GRU cell (ARCHITECTURE.md §3, "One GRU step"), torch.nn.GRU's: b_hn inside the product
with r (ONNX linear_before_reset = 1). Its float math, the biases it quantizes and its
fixed-point step. Its datapath in the RTL is rtl/gru_cell.sv and in the HLS kernel
hls/gru_cell.h."""
from __future__ import annotations

import numpy as np

from ..config import HF, ZF
from ..fixedpoint import rnd, sat
from ..tables import lookup, sigmoid

NAME = "gru"
CODE = 1            # the value of the `cell` register
GATES = 3           # rows per hidden unit, in torch's order (r, z, n); z is `u` in the contract
STATE = ("h",)      # the state's tensors, in the order they travel (ARCHITECTURE.md §8)
GATE_NAMES = ("r", "z", "n")
TORCH_CLASS = "GRU"   # the torch.nn module of this cell
SAME_BITS_SINCE = 2   # the oldest contract version with this cell's bits (2 defined the cell)
# the Q.16 int32 tensors of a quantized cell (float_biases' keys), and their entries per unit
BIAS_TENSORS = {"bias": GATES, "bias_hn": 1}


def float_biases(w) -> dict[str, np.ndarray]:
    """The float biases a quantized cell holds, from torch's b_ih, b_hh (§3): the phase-A bias
    (b_ir + b_hr, b_iz + b_hz, b_in), (3H,), and b_hn, (H,), which stays inside r's product."""
    b_hr, b_hz, b_hn = np.split(w.b_hh, GATES)
    return {"bias": w.b_ih + np.concatenate([b_hr, b_hz, np.zeros_like(b_hn)]), "bias_hn": b_hn}


def float_layer(w, x: np.ndarray, initial: tuple | None = None, lengths=None
                ) -> tuple[np.ndarray, tuple]:
    """torch.nn.GRU's float layer, one direction (w: torch's w_ih, w_hh, b_ih, b_hh):
    x (B, T, I) -> (h (B, T, H), the final state (h,) of (B, H)). initial: (h,) of (B, H)
    (None: zeros); lengths: (B,) steps of each sequence, whose final state is taken at its own
    last step (None: all T), as golden.run_cell_carried."""
    batch, steps, _ = x.shape
    hidden = w.w_hh.shape[1]
    xproj = x @ w.w_ih.T + w.b_ih
    (h,) = (np.zeros((batch, hidden)),) if initial is None else initial
    lengths = np.full(batch, steps) if lengths is None else np.asarray(lengths)
    final = h
    out = np.empty((batch, steps, hidden))
    for t in range(steps):
        xr, xz, xn = np.split(xproj[:, t], GATES, axis=-1)
        hr, hz, hn = np.split(h @ w.w_hh.T + w.b_hh, GATES, axis=-1)
        r, z = sigmoid(xr + hr), sigmoid(xz + hz)
        n = np.tanh(xn + r * hn)
        h = (1.0 - z) * n + z * h
        out[:, t] = h
        final = np.where((lengths == t + 1)[:, None], h, final)
    return out, (final,)


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
    r = lookup(sig, sat(xr + hr, 32), ZF)
    u = lookup(sig, sat(xu + hu, 32), ZF)
    a = sat(hn + cell.bias_hn.astype(np.int64), 32)
    n = lookup(tanh, sat(xn + rnd(r * a, HF), 32), ZF)
    return (sat(n + rnd(u * (h - n), HF), 16),)
