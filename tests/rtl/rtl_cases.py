"""Random test layers of both cells with their golden outputs (expected bits come from the golden
model: QuantizedLSTM.run_int, sharp.golden.run_cell)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import sharp
from sharp import program
from sharp.cycle_model import matrix_words
from sharp.golden import run_cell
from sharp.quantized import QuantizedCell

CELLS = ("lstm", "gru")


@dataclass
class Case:
    cell: object          # sharp.quantized.QuantizedCell
    x_int: np.ndarray     # (T, I) int16
    expected: np.ndarray  # (T, H) int16, from the golden model

    @property
    def steps(self) -> int:
        return self.x_int.shape[0]


def random_case(input_size: int, hidden: int, steps: int, rng: np.random.Generator,
                cell: str = "lstm") -> Case:
    if cell == "gru":
        return random_gru_case(input_size, hidden, steps, rng)
    model = sharp.LSTM.random(input_size, hidden, seed=int(rng.integers(2**31)))
    x = rng.uniform(-2.0, 2.0, (steps, input_size))
    quantized = model.quantize(x)
    x_int, _ = quantized.quantize_input(x)
    return Case(quantized.layers[0][0], x_int[0], quantized.run_int(x_int)[0])


def random_gru_case(input_size: int, hidden: int, steps: int, rng: np.random.Generator) -> Case:
    """A random integer GRU cell whose pre-activations span the tables' range (weights scaled by
    1/sqrt(columns)), biases including b_hn of either sign, and a random input sequence."""
    rows = 3 * hidden
    frac_x, frac_wx, frac_wh = 12, 14, 14
    def weights(cols):
        scale = 2.0 ** frac_wx / np.sqrt(cols)
        return np.clip(np.round(rng.normal(0, scale, (rows, cols))), -2**15, 2**15 - 1).astype(np.int16)
    cell = QuantizedCell(
        w_x=weights(input_size), w_h=weights(hidden),
        bias=rng.integers(-2**13, 2**13, rows).astype(np.int32), frac_x=frac_x,
        frac_wx=frac_wx, frac_wh=frac_wh, kind="gru",
        bias_hn=rng.integers(-2**13, 2**13, hidden).astype(np.int32))
    x_int = rng.integers(-2**13, 2**13, (steps, input_size)).astype(np.int16)
    return Case(cell, x_int, run_cell(cell, x_int[None])[0])


def case_for_cell(cell, steps: int, rng: np.random.Generator) -> Case:
    """A new input sequence for an existing quantized cell, with its golden output."""
    x_int = rng.integers(-2**14, 2**14, (steps, cell.input_size)).astype(np.int16)
    return Case(cell, x_int, run_cell(cell, x_int[None])[0])


def random_image(config: sharp.HardwareConfig, case: Case, mode: int, rng: np.random.Generator,
                 wx_base: int = 0, bias_base: int = 0) -> program.LayerImage:
    """The case packed at a random grouping pair that fits the weight buffer from wx_base."""
    rows, (cols_x, cols_h) = case.cell.gates * case.cell.hidden_size, (case.cell.input_size, case.cell.hidden_size)
    groups = range(config.max_group + 1)
    fitting = [(gx, gh) for gx in groups for gh in groups
               if matrix_words(config, rows, cols_x, gx) + matrix_words(config, rows, cols_h, gh)
               <= config.weight_depth - wx_base]
    gx, gh = fitting[int(rng.integers(len(fitting)))]
    return program.layer_image(config, case.cell, mode, case.steps, gx, gh, wx_base, bias_base)


def shapes_for(config: sharp.HardwareConfig) -> list[tuple[int, int]]:
    """(input, hidden) pairs: tiny, not multiples of K or N, and one near the capacity."""
    k, n = config.lanes, config.tiles
    return [(1, 1), (k + 3, n + 1), (2 * k - 1, 3), (5, 2 * n + 3),
            (min(config.max_input, 2 * k + 1), min(config.max_hidden, 4 * n + 1))]


def capacity_shape(config: sharp.HardwareConfig) -> tuple[int, int]:
    """max_input, with the largest hidden size whose weights still fit the buffer."""
    for hidden in range(config.max_hidden, 0, -1):
        try:
            sharp.plan(config, config.max_input, hidden)
            return config.max_input, hidden
        except ValueError:
            continue
    raise ValueError(f"no layer with input {config.max_input} fits the {config.name} build")


def beat_mismatch(got: np.ndarray, want: np.ndarray) -> str:
    """"" when two beat arrays are equal, else where they first differ."""
    if got.size != want.size:
        return f"{got.size} beats, expected {want.size}"
    bad = np.flatnonzero(got != want)
    return "" if not bad.size else (f"{bad.size} of {want.size} beats differ, first beat {bad[0]}: "
                                    f"got {got[bad[0]]:#018x}, expected {want[bad[0]]:#018x}")
