"""A randomized sweep on the fast harness: cells (LSTM and GRU layers in one sequence of RUNs),
shapes, steps, groupings, buffer bases, schedule and stream traffic all drawn from the logged
seed; every run bit-exact and its counters consistent."""
from __future__ import annotations

import numpy as np
import pytest

from sharp import program
from sharp.cycle_model import matrix_words
from sharp.driver import Driver
from sharp.ports.verilator import VerilatorPort

from rtl_builds import BUILDS, WIDE_BUILDS
from rtl_cases import CELLS, random_case
from harness_run import load, load_tables, mismatch, run

LAYERS = 40
SWEPT = {**BUILDS, **WIDE_BUILDS}


def random_layer_image(config, rng):
    """A random layer of a random cell whose weights fit somewhere in the buffer, at a random base."""
    cell = CELLS[int(rng.integers(len(CELLS)))]
    gates = 3 if cell == "gru" else 4
    while True:
        input_size = int(rng.integers(1, config.max_input + 1))
        hidden = int(rng.integers(1, config.max_hidden + 1))
        gx, gh = (int(rng.integers(config.max_group + 1)) for _ in range(2))
        words = (matrix_words(config, gates * hidden, input_size, gx)
                 + matrix_words(config, gates * hidden, hidden, gh))
        if words <= config.weight_depth:
            break
    case = random_case(input_size, hidden, int(rng.integers(1, 9)), rng, cell)
    mode = int(rng.integers(2))
    wx_base = int(rng.integers(config.weight_depth - words + 1))
    bias_base = int(rng.integers(config.bias_depth - hidden + 1))
    return case, program.layer_image(config, case.cell, mode, case.steps, gx, gh, wx_base,
                                     bias_base)


@pytest.mark.parametrize("build", sorted(SWEPT))
def test_random_sweep(build, seed):
    config = SWEPT[build]
    rng = np.random.default_rng(seed)
    in_gap, out_stall = rng.uniform(0, 0.6, 2)
    port = VerilatorPort(config, in_gap_prob=in_gap, out_stall_prob=out_stall, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    for _ in range(LAYERS):
        case, image = random_layer_image(config, rng)
        p = image.plan
        where = (f"{case.cell.kind} {p.describe()} I={p.input_size} H={p.hidden_size} T={p.steps} "
                 f"wx_base={image.wx_base} bias_base={image.bias_base} "
                 f"gaps in/out {in_gap:.2f}/{out_stall:.2f}")
        load(driver, image)
        counters, h = run(driver, image, case.x_int)
        assert not mismatch(h, case.expected), f"{where}: {mismatch(h, case.expected)}"
        assert counters.issue_cycles == p.estimate.issue_cycles, where
        assert counters.active_lane_cycles == p.estimate.active_lane_cycles, where
        stalls = counters.stall_input + counters.stall_dependency + counters.stall_output
        assert counters.cycles >= counters.issue_cycles + stalls, f"{where}: {counters}"
        assert counters.cycles >= p.estimate.cycles * 0.98, \
            f"{where}: {counters.cycles} cycles, faster than the model's {p.estimate.cycles}"


# (input, hidden, steps, group_x, group_h): H < E, H not a multiple of E, unit groups that start
# anywhere in a beat and wrap round the row-sum banks once out_stream backpressure splits them
WIDE_SHAPES = [(47, 52, 4, 5, 1), (10, 13, 3, 0, 0), (9, 3, 3, 1, 2), (64, 64, 3, 0, 0),
               (5, 1, 4, 0, 0), (20, 30, 3, 2, 3)]


@pytest.mark.parametrize("mode", [0, 1], ids=["sequential", "overlapped"])
@pytest.mark.parametrize("build", sorted(WIDE_BUILDS))
def test_wide_elementwise_under_backpressure(build, mode, seed):
    config = WIDE_BUILDS[build]
    rng = np.random.default_rng(seed)
    # no input gaps: every cycle beyond the model's is out_stream backpressure
    driver = Driver(VerilatorPort(config, in_gap_prob=0.0, out_stall_prob=0.5, seed=seed))
    load_tables(driver)
    held = 0
    for n, (input_size, hidden, steps, gx, gh) in enumerate(WIDE_SHAPES):
        gx, gh = min(gx, config.max_group), min(gh, config.max_group)
        # alternate the cells: the GRU's unit groups straddle row batches and beats
        case = random_case(input_size, hidden, steps, rng, CELLS[n % 2])
        bias_base = int(rng.integers(config.bias_depth - hidden + 1))
        image = program.layer_image(config, case.cell, mode, steps, gx, gh, 0, bias_base)
        load(driver, image)
        counters, h = run(driver, image, case.x_int)
        where = f"{case.cell.kind} {image.plan.describe()} H={hidden} bias_base={bias_base}"
        assert not mismatch(h, case.expected), f"{where}: {mismatch(h, case.expected)}"
        assert counters.issue_cycles == image.plan.estimate.issue_cycles, where
        assert counters.cycles >= image.plan.estimate.cycles, where
        held += counters.cycles - image.plan.estimate.cycles
    assert held > 0, "out_stream backpressure never held the elementwise unit"
