"""The RTL's counters against sharp.cycle_model (fast Verilator harness, no backpressure).

cycles must be within 2% of the model (ARCHITECTURE.md §6); issue_cycles and the useful
lane-cycles are fixed by the contract and must be exact; h must be bit-exact.
"""
from __future__ import annotations

import numpy as np
import pytest

from sharp import program
from sharp.cycle_model import OVERLAPPED, SEQUENTIAL, estimate
from sharp.driver import Driver
from sharp.sim import VerilatorPort

from builds import BUILDS
from cases import random_case
from harness_run import load, load_tables, mismatch, run

CONFIG = BUILDS["8x16"]
# (input, hidden, steps, group_x, group_h); None = the dispatcher's choice
SHAPES = [(40, 100, 6, None, None), (40, 100, 6, 0, 0), (40, 100, 6, 3, 3),
          (128, 128, 4, None, None), (7, 9, 8, 1, 2), (33, 20, 5, 2, 0), (1, 1, 3, 0, 3)]


@pytest.fixture(scope="module")
def driver():
    port = VerilatorPort(CONFIG, seed=0)  # no gaps or stalls: nothing random in the port
    d = Driver(port)
    load_tables(d)
    return d


@pytest.mark.parametrize("mode", [SEQUENTIAL, OVERLAPPED], ids=["sequential", "overlapped"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)).replace("None", "auto"))
def test_counters_match_cycle_model(driver, shape, mode, seed):
    input_size, hidden, steps, gx, gh = shape
    rng = np.random.default_rng(seed)
    case = random_case(input_size, hidden, steps, rng)
    image = program.layer_image(CONFIG, case.cell, mode, steps, gx, gh)
    load(driver, image)
    counters, h = run(driver, image, case.x_int)

    assert not mismatch(h, case.expected), mismatch(h, case.expected)
    p = image.plan
    est = estimate(CONFIG, input_size, hidden, steps, p.group_x, p.group_h, mode)
    print(f"{p.describe()}\n  RTL cycles {counters.cycles}, model {est.cycles} "
          f"({100 * (counters.cycles / est.cycles - 1):+.2f}%)")
    assert counters.issue_cycles == est.issue_cycles, (counters, est)
    assert counters.active_lane_cycles == est.active_lane_cycles, (counters, est)
    assert abs(counters.cycles - est.cycles) <= 0.02 * est.cycles, \
        f"RTL cycles {counters.cycles} vs cycle model {est.cycles}: more than 2% apart"
    assert counters.stall_output == 0, f"stall_output={counters.stall_output} without backpressure"
    stalls = counters.stall_input + counters.stall_dependency + counters.stall_output
    assert counters.cycles >= counters.issue_cycles + stalls, counters
