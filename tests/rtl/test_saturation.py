"""Extreme values on the fast harness: every narrowing step saturates (ARCHITECTURE.md §3).

Full-scale int16 weights and inputs, biases near the int32 limits, shifts from 0 to 40, and
long sequences that drive the cell state into its [-16, 16) clamp; bit-exact to the golden model.
The GRU takes the same extremes, with b_hn near the int32 limits too (a = sat32(hp_n + b_hn) and
r·a at full scale).
"""
from __future__ import annotations

import numpy as np
import pytest

from sharp import program
from sharp.cells import lstm
from sharp.config import HF, STATE_FORMATS, ZF
from sharp.golden import run_cell, x_projection
from sharp.tables import sigmoid_table, tanh_table
from sharp.quantized import QuantizedCell
from sharp.driver import Driver
from sharp.ports.verilator import VerilatorPort

from rtl_builds import BUILDS
from rtl_cases import CELLS, Case
from harness_run import load, load_tables, mismatch, run

CONFIG = BUILDS["8x16"]
SHIFTS = [(0, 0), (1, 40), (40, 1), (13, 27), (27, 13)]


def extreme(rng, shape, bits):
    """Mostly full-scale values of either sign, some random ones."""
    hi = 2 ** (bits - 1)
    choice = rng.choice([-hi, hi - 1, 0], size=shape)
    return np.where(rng.random(shape) < 0.7, choice, rng.integers(-hi, hi, size=shape))


def extreme_case(input_size, hidden, steps, shift_x, shift_h, rng, kind="lstm") -> Case:
    # frac_x + frac_wx - ZF = shift_x and 15 + frac_wh - ZF = shift_h
    rows = (3 if kind == "gru" else 4) * hidden
    cell = QuantizedCell(
        w_x=extreme(rng, (rows, input_size), 16).astype(np.int16),
        w_h=extreme(rng, (rows, hidden), 16).astype(np.int16),
        bias=extreme(rng, (rows,), 32).astype(np.int32),
        frac_x=0, frac_wx=shift_x + ZF, frac_wh=shift_h + ZF - HF, kind=kind,
        bias_hn=extreme(rng, (hidden,), 32).astype(np.int32) if kind == "gru" else None)
    x_int = extreme(rng, (steps, input_size), 16).astype(np.int16)
    return Case(cell, x_int, run_cell(cell, x_int[None])[0])


def cell_saturating_case(input_size, hidden, steps, rng) -> Case:
    """Gates pinned open (biases of 16, tiny weights): c climbs by about 1 a step into its
    [-16, 16) clamp."""
    sign = rng.choice([-1, 1], size=hidden)
    big = 16 << ZF
    bias = np.concatenate([np.full(hidden, big), np.full(hidden, big),
                           sign * big, np.full(hidden, big)]).astype(np.int32)
    cell = QuantizedCell(
        w_x=rng.integers(-4, 5, (4 * hidden, input_size)).astype(np.int16),
        w_h=rng.integers(-4, 5, (4 * hidden, hidden)).astype(np.int16),
        bias=bias, frac_x=11, frac_wx=12, frac_wh=12)
    x_int = rng.integers(-2**15, 2**15, (steps, input_size)).astype(np.int16)
    return Case(cell, x_int, run_cell(cell, x_int[None])[0])


def final_cell_state(case: Case) -> np.ndarray:
    """c after the last step, from the golden model's step function."""
    cell = case.cell
    xp = x_projection(cell.w_x, cell.bias, case.x_int[None], cell.shift_x)
    state = lstm.initial_state(1, cell.hidden_size)
    for t in range(case.steps):
        state = lstm.step(cell, xp[:, t], state, sigmoid_table(), tanh_table())
    return state[1][0]


@pytest.fixture(scope="module")
def driver():
    d = Driver(VerilatorPort(CONFIG, seed=0))
    load_tables(d)
    return d


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("mode", [0, 1], ids=["sequential", "overlapped"])
@pytest.mark.parametrize("shifts", SHIFTS, ids=lambda s: f"sx{s[0]}-sh{s[1]}")
def test_full_scale_values(driver, shifts, mode, cell, seed):
    rng = np.random.default_rng(seed)
    case = extreme_case(int(rng.integers(1, 129)), int(rng.integers(1, 65)), 5, *shifts, rng, cell)
    image = program.layer_image(CONFIG, case.cell, mode, case.steps)
    load(driver, image)
    _, h = run(driver, image, case.x_int)
    assert not mismatch(h, case.expected), f"{image.plan.describe()}: {mismatch(h, case.expected)}"


@pytest.mark.parametrize("mode", [0, 1], ids=["sequential", "overlapped"])
def test_cell_state_saturates(driver, mode, seed):
    rng = np.random.default_rng(seed)
    case = cell_saturating_case(17, 23, 40, rng)
    c = final_cell_state(case)
    form = STATE_FORMATS["c"]
    assert np.all((c == form.hi) | (c == form.lo)), f"the case does not reach the c clamp: {c}"
    image = program.layer_image(CONFIG, case.cell, mode, case.steps)
    load(driver, image)
    _, h = run(driver, image, case.x_int)
    assert not mismatch(h, case.expected), f"{image.plan.describe()}: {mismatch(h, case.expected)}"
