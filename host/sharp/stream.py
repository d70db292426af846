"""AXI4-Stream payload encoding: 64-bit beats, little-endian lanes (ARCHITECTURE.md §8)."""
from __future__ import annotations

import numpy as np

from .config import STATE_FORMATS
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


def pack_elements(values: np.ndarray, dtype: str) -> np.ndarray:
    """One row of int16 ("<i2", four a beat) or int32 ("<i4", two) values -> beats, zero
    padded to a whole beat."""
    per_beat = 8 // np.dtype(dtype).itemsize
    flat = np.asarray(values).reshape(-1)
    padded = np.zeros(-(-flat.size // per_beat) * per_beat, dtype=dtype)
    padded[:flat.size] = flat
    return padded.view("<u8").copy()


def unpack_elements(beats: np.ndarray, n: int, dtype: str) -> np.ndarray:
    """beats -> n values of dtype, dropping the zero padding."""
    beats = np.asarray(beats, dtype="<u8")
    per_beat = 8 // np.dtype(dtype).itemsize
    if beats.size != -(-n // per_beat):
        raise ValueError(f"got {beats.size} beats; {n} values of {dtype} need "
                         f"{-(-n // per_beat)}")
    return beats.view(dtype)[:n].copy()


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


def state_beats(state: tuple, names: tuple) -> np.ndarray:
    """An initial state, the tensors `names` ((h,) or (h, c)) of H values each -> h as ceil(H/4)
    beats of int16, c as ceil(H/2) of int32 (ARCHITECTURE.md §8, "Carried state"). A value
    outside its tensor's width is refused, not wrapped."""
    beats = []
    for name, values in zip(names, state):
        form = STATE_FORMATS[name]
        values = np.asarray(values).reshape(-1)
        lo, hi = form.lo, form.hi
        bad = (values < lo) | (values > hi)
        if bad.any():
            raise ValueError(f"the initial {name} holds {int(values[bad][0])} at unit "
                             f"{int(np.argmax(bad))}: the contract holds {name} in {form.bits} "
                             f"bits, [{lo}, {hi}]")
        beats.append(pack_elements(values, form.dtype))
    return np.concatenate(beats)


def final_state_beats(values: np.ndarray, cell: str) -> np.ndarray:
    """The state buffer after a RUN with STATE_OUT, (H,) values of the cell's last state tensor
    (c of an LSTM, h of a GRU) -> the out_stream beats that follow h_{T-1}."""
    from .cells import cell_module
    return pack_elements(values, STATE_FORMATS[cell_module(cell).STATE[-1]].dtype)


def state_tensor_beats(name: str, hidden: int) -> int:
    """The beats of one state tensor of H units: ceil(H/4) for h, ceil(H/2) for c."""
    return -(-hidden // STATE_FORMATS[name].per_beat)
