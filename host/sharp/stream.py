"""AXI4-Stream payload encoding: 64-bit beats, little-endian lanes (ARCHITECTURE.md §8)."""
from __future__ import annotations

import numpy as np

from .tables import sigmoid_table, tanh_table

BEAT_INT16 = 4


def pack_int16(values: np.ndarray) -> np.ndarray:
    """Rows of int16 values -> uint64 beats, each row zero-padded to a multiple of 4."""
    values = np.atleast_2d(np.asarray(values))
    rows, n = values.shape
    padded = np.zeros((rows, -(-n // BEAT_INT16) * BEAT_INT16), dtype="<i2")
    padded[:, :n] = values
    return padded.reshape(-1).view("<u8").copy()


def unpack_int16(beats: np.ndarray, rows: int, n: int) -> np.ndarray:
    """uint64 beats -> (rows, n) int16, dropping each row's zero padding."""
    per_row = -(-n // BEAT_INT16)
    beats = np.asarray(beats, dtype="<u8")
    if beats.size != rows * per_row:
        raise ValueError(f"got {beats.size} beats; {rows} rows of {n} values need {rows * per_row}")
    return beats.view("<i2").reshape(rows, per_row * BEAT_INT16)[:, :n].copy()


def pack_int32(values: np.ndarray) -> np.ndarray:
    flat = np.asarray(values, dtype="<i4").reshape(-1)
    if flat.size % 2:
        raise ValueError(f"{flat.size} int32 values do not fill whole 64-bit beats")
    return flat.view("<u8").copy()


def weight_beats(words: np.ndarray) -> np.ndarray:
    return pack_int16(words)


def bias_beats(units: np.ndarray) -> np.ndarray:
    return pack_int32(units)


def table_beats(sig: np.ndarray | None = None, tanh: np.ndarray | None = None) -> np.ndarray:
    sig = sigmoid_table() if sig is None else sig
    tanh = tanh_table() if tanh is None else tanh
    return pack_int16(np.concatenate([sig, tanh])[None])


def sequence_beats(x_int: np.ndarray) -> np.ndarray:
    """(T, I) int16 -> T * ceil(I/4) beats."""
    return pack_int16(x_int)


def state_beats(state: tuple) -> np.ndarray:
    """An initial state, (h,) or (h, c) of H int16 each -> ceil(H/4) beats per tensor, h first
    (ARCHITECTURE.md §8, "Carried state")."""
    return pack_int16(np.stack([np.asarray(s).reshape(-1) for s in state]))
