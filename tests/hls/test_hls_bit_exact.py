"""sharp_top in C simulation against the golden model: random layers and shapes under both
schedules, bit-exact with QuantizedLSTM.run_int, counters equal to sharp.cycle_model."""
from __future__ import annotations

import numpy as np
import pytest
from hls_builds import BUILDS

from sharp import cycle_model, hls_csim
from sharp.cycle_model import OVERLAPPED, SEQUENTIAL, elementwise_lanes, matrix_words
from sharp.hls_csim import LayerCase

SHAPES_PER_BUILD = 13


def random_shapes(rng: np.random.Generator, config) -> list[tuple[int, int, int]]:
    """Edge shapes first (I or H = 1, sizes off the K and N grid, H below and off a multiple of
    the elementwise width E), then random ones."""
    k, n, e = config.lanes, config.tiles, elementwise_lanes(config)

    def some_input() -> int:
        return int(rng.integers(1, config.max_input + 1))

    shapes = [(1, 1, 3), (1, int(rng.integers(2, config.max_hidden + 1)), 2),
              (int(rng.integers(2, config.max_input + 1)), 1, 4),
              (k + 1, min(4 * n + 1, config.max_hidden - 1), 3), (3 * k - 1, n + 3, 2),
              (config.max_input, config.max_hidden, 2),
              (some_input(), max(1, e - 1), 3), (some_input(), 4 * e + 1, 3),
              (some_input(), 6 * e - 1, 2)]
    while len(shapes) < SHAPES_PER_BUILD:
        shapes.append((int(rng.integers(1, config.max_input + 1)),
                       int(rng.integers(1, config.max_hidden + 1)), int(rng.integers(1, 6))))
    return shapes


def random_placement(rng: np.random.Generator, config, input_size: int, hidden: int) -> dict:
    """Random groupings and buffer bases that fit the build."""
    groups = range(config.max_group + 1)
    while True:
        gx, gh = int(rng.choice(groups)), int(rng.choice(groups))
        words = (matrix_words(config, 4 * hidden, input_size, gx)
                 + matrix_words(config, 4 * hidden, hidden, gh))
        if words <= config.weight_depth:
            return {"group_x": gx, "group_h": gh,
                    "wx_base": int(rng.integers(0, config.weight_depth - words + 1)),
                    "bias_base": int(rng.integers(0, config.bias_depth - hidden + 1))}


def make_cases(rng: np.random.Generator, config) -> list[LayerCase]:
    cases = []
    for index, (input_size, hidden, steps) in enumerate(random_shapes(rng, config)):
        make = hls_csim.random_int_layer if index % 3 == 2 else hls_csim.random_float_layer
        model = make(rng, input_size, hidden)
        x = model.quantize_input(rng.uniform(-6, 6, (steps, input_size)))[0][0]
        placement = random_placement(rng, config, input_size, hidden)
        cases += [LayerCase(config, model, x, mode, **placement) for mode in (SEQUENTIAL, OVERLAPPED)]
    return cases


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_random_layers_match_golden_and_cycle_model(build, rng):
    config = BUILDS[build]
    cases = make_cases(rng, config)
    transactions = [hls_csim.tables_transaction()]
    for case in cases:
        transactions += [*case.load_transactions(), case.run_transaction()]
    result = hls_csim.run(transactions, config)
    runs = result.outcomes[1:][2::3]  # each case is LOAD_WEIGHTS, LOAD_BIAS, RUN
    failures = [f"{case.describe()}: {problem}" for case, outcome in zip(cases, runs)
                for problem in hls_csim.run_failures(case, outcome)]
    assert not failures, "\n".join(failures)
    assert result.testbench_passed, result.log
    for outcome in result.outcomes[:1] + [o for i, o in enumerate(result.outcomes[1:]) if i % 3 != 2]:
        assert outcome.regs["status"] == 0 and outcome.leftover == 0 and len(outcome.beats) == 0
    print(f"{build}: {len(cases)} runs bit-exact, C simulation {result.seconds:.2f} s")


def test_the_schedule_changes_cycles_not_bits(rng):
    """The same layer under both modes: identical beats, and mode 1 is faster once T > 1."""
    config = BUILDS["8x16"]
    model = hls_csim.random_float_layer(rng, 40, 60)
    x = model.quantize_input(rng.uniform(-4, 4, (6, 40)))[0][0]
    cases = [LayerCase(config, model, x, mode, group_x=0, group_h=0) for mode in (SEQUENTIAL, OVERLAPPED)]
    result = hls_csim.run([hls_csim.tables_transaction(), *cases[0].load_transactions(),
                           cases[0].run_transaction(), cases[1].run_transaction()], config)
    sequential, overlapped = result.outcomes[3], result.outcomes[4]
    assert np.array_equal(sequential.beats, overlapped.beats)
    assert overlapped.cycles < sequential.cycles
    assert overlapped.regs["stall_dependency"] == 0 < sequential.regs["stall_dependency"]
    assert overlapped.regs["issue_cycles"] == sequential.regs["issue_cycles"]


@pytest.mark.parametrize("build", ["16x4", "32x4"])
def test_the_elementwise_unit_finishes_e_units_a_cycle(build, rng, monkeypatch):
    """Mode 0 drains all H units after the last row of each step: on a build with E > 1 the
    kernel's cycles are the model's at that E, and fewer than one unit a cycle would take."""
    config = BUILDS[build]
    hidden = 8 * elementwise_lanes(config) + 3
    model = hls_csim.random_float_layer(rng, 9, hidden)
    x = model.quantize_input(rng.uniform(-4, 4, (3, 9)))[0][0]
    case = LayerCase(config, model, x, SEQUENTIAL, group_x=0, group_h=0)
    outcome = hls_csim.run([hls_csim.tables_transaction(), *case.load_transactions(),
                            case.run_transaction()], config).outcomes[-1]
    assert not hls_csim.run_failures(case, outcome)
    monkeypatch.setattr(cycle_model, "elementwise_lanes", lambda config: 1)
    assert outcome.cycles < case.estimate.cycles
