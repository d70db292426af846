"""The GRU (cell = 1) in C simulation: bit-exact with the golden model (sharp.golden.run_cell on
sharp.cells.gru), every counter equal to sharp.cycle_model with R = 3H rows, on builds with one,
two and four elementwise lanes; next to a resident LSTM; stacked."""
from __future__ import annotations

import numpy as np
import pytest
from hls_builds import BUILDS

from sharp import hls_csim
from sharp.config import ZF
from sharp.cycle_model import OVERLAPPED, SEQUENTIAL, elementwise_lanes, l_mac, matrix_words
from sharp.hls_csim import LayerCase

GRU_ROWS = 3


def gru_layer(rng, input_size: int, hidden: int, full_range: bool):
    """Full-range weights saturate a, the sums and the indices; 10-bit ones mostly do not."""
    return hls_csim.random_int_layer(rng, input_size, hidden, "gru", weight_bits=16 if full_range else 10)


def random_x(rng, steps: int, input_size: int) -> np.ndarray:
    return rng.integers(-1 << 15, 1 << 15, (steps, input_size))


def placement(rng, config, input_size: int, hidden: int) -> dict:
    """Random groupings and bases for 3H rows that fit the build."""
    groups = range(config.max_group + 1)
    while True:
        gx, gh = int(rng.choice(groups)), int(rng.choice(groups))
        words = (matrix_words(config, GRU_ROWS * hidden, input_size, gx)
                 + matrix_words(config, GRU_ROWS * hidden, hidden, gh))
        if words <= config.weight_depth:
            return {"group_x": gx, "group_h": gh,
                    "wx_base": int(rng.integers(0, config.weight_depth - words + 1)),
                    "bias_base": int(rng.integers(0, config.bias_depth - hidden + 1))}


def finishes_two_beats_at_once(config, hidden: int, group_h: int) -> bool:
    """Does mode 1's last elementwise cycle of a step, by the contract's schedule (§6), take
    units of two out_stream beats, so that both beats complete in one cycle?"""
    e, parallel = elementwise_lanes(config), config.groups_in_parallel(group_h)
    chunks = -(-hidden // config.group_width(group_h))
    read = []
    for j in range(hidden):
        avail = ((GRU_ROWS * j + GRU_ROWS - 1) // parallel + 1) * chunks - 1 + l_mac(config)
        read.append(max(avail, read[-1] if read else 0, read[j - e] + 1 if j >= e else 0))
    first_of_last_cycle = read.index(read[-1])
    return first_of_last_cycle // 4 != (hidden - 1) // 4


def run_cases(config, cases: list[LayerCase]) -> list[str]:
    transactions = [hls_csim.tables_transaction()]
    for case in cases:
        transactions += [*case.load_transactions(), case.run_transaction()]
    result = hls_csim.run(transactions, config)
    failures = [f"{case.describe()}: {problem}" for case, outcome in zip(cases, result.outcomes[1:][2::3])
                for problem in hls_csim.run_failures(case, outcome)]
    if not result.testbench_passed:
        failures.append(result.log)
    return failures


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_gru_layers_match_golden_and_cycle_model(build, rng):
    config = BUILDS[build]
    k, n, e = config.lanes, config.tiles, elementwise_lanes(config)
    shapes = [(1, 1, 3), (k + 1, 4 * e + 1, 3), (3 * k - 1, n + 3, 2), (int(rng.integers(1, 9)), 6 * e - 1, 4),
              (config.max_input, config.max_hidden, 2),
              (int(rng.integers(1, config.max_input + 1)), int(rng.integers(1, config.max_hidden + 1)), 3)]
    cases = []
    for index, (input_size, hidden, steps) in enumerate(shapes):
        model = gru_layer(rng, input_size, hidden, full_range=index % 2 == 1)
        x = random_x(rng, steps, input_size)
        where = placement(rng, config, input_size, hidden)
        cases += [LayerCase(config, model, x, mode, **where) for mode in (SEQUENTIAL, OVERLAPPED)]
    assert not (failures := run_cases(config, cases)), "\n".join(failures)


@pytest.mark.parametrize("build", ["16x4", "32x4"])
def test_two_beats_finished_in_one_cycle(build, rng):
    """With E > 1 a GRU's units land 3 rows apart, so a cycle's units can start mid-beat; where
    the schedule's last cycle of a step finishes two out_stream beats, both reach the h buffer
    in that cycle and out_stream in order (the second one cycle later), at the model's cycles."""
    config = BUILDS[build]
    found = [(h, g) for h in range(2, config.max_hidden + 1) for g in range(config.max_group + 1)
             if finishes_two_beats_at_once(config, h, g)]
    assert found, "no shape of this build finishes two beats in one cycle"
    cases = []
    for index in rng.choice(len(found), 3, replace=False):
        hidden, group_h = found[index]
        model = gru_layer(rng, 3, hidden, full_range=False)
        cases.append(LayerCase(config, model, random_x(rng, 3, 3), OVERLAPPED, group_x=0, group_h=group_h))
    assert not (failures := run_cases(config, cases)), "\n".join(failures)


def test_gru_and_lstm_resident_side_by_side(rng):
    """An LSTM and a GRU loaded at different bases, run LSTM, GRU, LSTM, GRU: the cell register
    picks the datapath per RUN, and neither leaves state behind for the other."""
    config = BUILDS["8x16"]
    lstm_model = hls_csim.random_float_layer(rng, 20, 13)
    lstm_x = lstm_model.quantize_input(rng.uniform(-4, 4, (4, 20)))[0][0]
    lstm = LayerCase(config, lstm_model, lstm_x, OVERLAPPED)
    gru = LayerCase(config, gru_layer(rng, 11, 13, full_range=False), random_x(rng, 5, 11), OVERLAPPED,
                    wx_base=lstm.image.wh_base + lstm.plan.words_h, bias_base=lstm.plan.hidden_size)
    result = hls_csim.run([hls_csim.tables_transaction(), *lstm.load_transactions(), *gru.load_transactions(),
                           lstm.run_transaction(), gru.run_transaction(), lstm.run_transaction(),
                           gru.run_transaction()], config)
    for case, outcome in zip((lstm, gru, lstm, gru), result.outcomes[5:]):
        assert not hls_csim.run_failures(case, outcome), case.describe()
    assert result.testbench_passed, result.log


def test_stacked_gru_layers(rng):
    """Two GRU layers, the second fed the first's h (Q.15, frac_x = 15), both bit-exact."""
    config = BUILDS["2x4"]
    first = LayerCase(config, gru_layer(rng, 7, 9, full_range=False), random_x(rng, 4, 7), SEQUENTIAL)
    upper = gru_layer(rng, 9, 6, full_range=False)
    upper.layers[0][0].frac_x = 15
    # shift_x = frac_x + frac_wx - ZF must be >= 0, so frac_wx >= ZF - 15 (as the quantizer keeps it)
    upper.layers[0][0].frac_wx = int(rng.integers(ZF - 15, 25))
    second = LayerCase(config, upper, first.expected, OVERLAPPED, wx_base=first.image.wh_base + first.plan.words_h,
                       bias_base=first.plan.hidden_size)
    result = hls_csim.run([hls_csim.tables_transaction(), *first.load_transactions(), *second.load_transactions(),
                           first.run_transaction(), second.run_transaction()], config)
    for case, outcome in zip((first, second), result.outcomes[5:]):
        assert not hls_csim.run_failures(case, outcome), case.describe()
