"""Weight packing into the tile-bank layout (docs/ARCHITECTURE.md, section 5)."""
from __future__ import annotations

import numpy as np

from . import cells
from .config import HardwareConfig
from .cycle_model import MatrixShape


def interleave_gates(w: np.ndarray, gates: int) -> np.ndarray:
    """torch's gate row blocks ([i; f; g; o], or [r; z; n]) -> rows Q·j + gate."""
    hidden = w.shape[0] // gates
    return w.reshape(gates, hidden, *w.shape[1:]).swapaxes(0, 1).reshape(w.shape)


def deinterleave_gates(w: np.ndarray, gates: int) -> np.ndarray:
    hidden = w.shape[0] // gates
    return w.reshape(hidden, gates, *w.shape[1:]).swapaxes(0, 1).reshape(w.shape)


def _check_group(config: HardwareConfig, group: int) -> None:
    if not 0 <= group <= config.max_group:
        raise ValueError(f"group={group} is outside 0..{config.max_group} for a {config.name} build")


def pack(matrix: np.ndarray, group: int, config: HardwareConfig) -> np.ndarray:
    """Pack an (R, L) int16 matrix into weight words of shape (batches*chunks, P)."""
    _check_group(config, group)
    rows, cols = matrix.shape
    shape = MatrixShape(rows, cols, group, config)
    g, w = shape.parallel_rows, shape.width
    padded = np.zeros((shape.batches * g, shape.chunks * w), dtype=np.int16)
    padded[:rows, :cols] = matrix
    # (batch, group, chunk, lane) -> (batch, chunk, group, lane)
    blocks = padded.reshape(shape.batches, g, shape.chunks, w).transpose(0, 2, 1, 3)
    return np.ascontiguousarray(blocks.reshape(shape.words, config.macs))


def unpack(words: np.ndarray, rows: int, cols: int, group: int, config: HardwareConfig) -> np.ndarray:
    _check_group(config, group)
    shape = MatrixShape(rows, cols, group, config)
    if words.shape != (shape.words, config.macs):
        raise ValueError(f"packed words have shape {words.shape}; a {rows}x{cols} matrix at "
                         f"group {group} needs {(shape.words, config.macs)}")
    g, w = shape.parallel_rows, shape.width
    blocks = words.reshape(shape.batches, shape.chunks, g, w).transpose(0, 2, 1, 3)
    return blocks.reshape(shape.batches * g, shape.chunks * w)[:rows, :cols].copy()


def bias_units(cell) -> np.ndarray:
    """A quantized cell's biases -> (H, 4) int32 bias units, as LOAD_BIAS sends them (§5)."""
    return np.ascontiguousarray(cells.cell_module(cell.kind).bias_slots(cell), dtype=np.int32)
