"""The RTL's counters against sharp.cycle_model (fast Verilator harness, no backpressure).

cycles must be within 2% of the model (ARCHITECTURE.md §6), and equal to it on the builds with
E > 1 elementwise lanes and for every GRU. issue_cycles and the useful
lane-cycles are fixed by the contract, and so is the stall accounting (§7: each busy cycle
before the last issue is an issue or a stall of one named cause): all must be exact.
h must be bit-exact.
"""
from __future__ import annotations

import numpy as np
import pytest

import sharp
from sharp import program
from sharp.cycle_model import OVERLAPPED, SEQUENTIAL, estimate
from sharp.driver import Driver
from sharp.ports.verilator import VerilatorPort

from rtl_builds import BUILDS, WIDE_BUILDS
from rtl_cases import CELLS, random_case
from harness_run import load, load_tables, mismatch, run

# (input, hidden, steps, group_x, group_h); None = the dispatcher's choice
SHAPES = {
    "2x4": [(40, 23, 5, None, None), (9, 13, 6, 0, 1), (64, 8, 3, 1, 0), (3, 2, 4, 1, 1)],
    "8x16": [(40, 100, 6, None, None), (40, 100, 6, 0, 0), (40, 100, 6, 3, 3),
             (128, 128, 4, None, None), (7, 9, 8, 1, 2), (33, 20, 5, 2, 0), (1, 1, 3, 0, 3)],
    # the default build, with the benchmark's shapes at a few steps
    "default": [(40, 100, 8, None, None), (40, 100, 8, 0, 0), (256, 256, 3, None, None),
                (256, 256, 3, 0, 0)],
    # E = 2: H odd, H < E, H = 4E + 1; groupings from full-width batches to one unit a batch
    "16x4": [(9, 1, 3, 0, 0), (17, 13, 4, 1, 2), (64, 64, 3, 0, 0), (30, 5, 5, 4, 4),
             (40, 33, 3, 2, 0), (3, 22, 4, 3, 1)],
    # E = 4: H < E, H not a multiple of E, H = 64
    "32x4": [(20, 3, 4, None, None), (13, 7, 5, 0, 5), (64, 64, 3, 0, 0), (33, 30, 4, 2, 3),
             (5, 1, 3, 0, 0), (40, 62, 3, 5, 1), (64, 18, 4, 1, 0), (7, 41, 3, 3, 4)],
    # N = 64: E capped at 4
    "64x4": [(64, 64, 3, 0, 0), (21, 37, 4, 6, 2), (9, 2, 3, 0, 1), (50, 23, 3, 3, 0)],
}
CONFIGS = {**BUILDS, **WIDE_BUILDS, "default": sharp.HardwareConfig()}
CASES = [(build, shape) for build, shapes in SHAPES.items() for shape in shapes]


@pytest.fixture(scope="module")
def drivers():
    """One port per build, built on first use; no gaps or stalls, so nothing random in it."""
    cache = {}

    def get(build):
        if build not in cache:
            cache[build] = Driver(VerilatorPort(CONFIGS[build], seed=0))
            load_tables(cache[build])
        return cache[build]
    return get


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("mode", [SEQUENTIAL, OVERLAPPED], ids=["sequential", "overlapped"])
@pytest.mark.parametrize("build,shape", CASES,
                         ids=[f"{b}-" + "x".join(map(str, s)).replace("None", "auto") for b, s in CASES])
def test_counters_match_cycle_model(drivers, build, shape, mode, cell, seed):
    config = CONFIGS[build]
    driver = drivers(build)
    input_size, hidden, steps, gx, gh = shape
    rng = np.random.default_rng(seed)
    case = random_case(input_size, hidden, steps, rng, cell)
    image = program.layer_image(config, case.cell, mode, steps, gx, gh)
    load(driver, image)
    counters, h = run(driver, image, case.x_int)

    assert not mismatch(h, case.expected), mismatch(h, case.expected)
    p = image.plan
    est = estimate(config, input_size, hidden, steps, p.group_x, p.group_h, mode, cell=cell)
    print(f"{p.describe()}\n  RTL cycles {counters.cycles}, model {est.cycles} "
          f"({100 * (counters.cycles / est.cycles - 1):+.2f}%)")
    assert counters.issue_cycles == est.issue_cycles, (counters, est)
    assert counters.active_lane_cycles == est.active_lane_cycles, (counters, est)
    assert abs(counters.cycles - est.cycles) <= 0.02 * est.cycles, \
        f"RTL cycles {counters.cycles} vs cycle model {est.cycles}: more than 2% apart"
    if build in WIDE_BUILDS or cell == "gru":
        assert counters.cycles == est.cycles, (counters, est)
    assert (counters.stall_input, counters.stall_dependency, counters.stall_output) == \
        (est.stall_input, est.stall_dependency, 0), (counters, est)
