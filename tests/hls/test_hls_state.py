"""Carried state (ARCHITECTURE.md §8, "Carried state") in C simulation: a RUN from a given h_{-1}
(and c_{-1}) and returning its final state is bit-exact with sharp.golden.run_cell_carried, the
trailer included, and its counters equal cycle_model.estimate(..., state_in, state_out); a
sequence cut into RUNs that carry the state gives the bits of one RUN; no state leaks."""
from __future__ import annotations

import numpy as np
import pytest
from hls_builds import BUILDS
from test_hls_gru import finishes_two_beats_at_once

from sharp import cycle_model, hls_csim, program, regmap
from sharp.cells import cell_module, gates
from sharp.config import STATE_FORMATS
from sharp.cycle_model import OVERLAPPED, SEQUENTIAL, elementwise_lanes, matrix_words
from sharp.driver import Driver
from sharp.golden import run_cell
from sharp.hls_csim import LayerCase, Transaction
from sharp.ports.hls import HlsCsimPort

TIMEOUT_S = 30.0
FLAGS = {regmap.STATE_IN: (True, False), regmap.STATE_OUT: (False, True),
         regmap.STATE_IN | regmap.STATE_OUT: (True, True)}


def random_state(rng, kind: str, hidden: int) -> tuple:
    """h_{-1} (Q.15, any int16) and an LSTM's c_{-1} (Q.20, any 25-bit value)."""
    return tuple(rng.integers(STATE_FORMATS[name].lo, STATE_FORMATS[name].hi + 1, hidden)
                 for name in cell_module(kind).STATE)


def random_layer(rng, kind: str, input_size: int, hidden: int, index: int):
    """LSTMs alternate torch-initialised and random integer cells; the integer cells (and every
    GRU) have 10-bit or full-range weights (saturating z, c, a and the table indices)."""
    if kind == "lstm" and index % 2 == 0:
        return hls_csim.random_float_layer(rng, input_size, hidden)
    return hls_csim.random_int_layer(rng, input_size, hidden, kind, weight_bits=10 if index % 3 else 16)


def placement(rng, config, kind: str, input_size: int, hidden: int) -> dict:
    groups = range(config.max_group + 1)
    rows = gates(kind) * hidden
    while True:
        gx, gh = int(rng.choice(groups)), int(rng.choice(groups))
        words = matrix_words(config, rows, input_size, gx) + matrix_words(config, rows, hidden, gh)
        if words <= config.weight_depth:
            return {"group_x": gx, "group_h": gh,
                    "wx_base": int(rng.integers(0, config.weight_depth - words + 1)),
                    "bias_base": int(rng.integers(0, config.bias_depth - hidden + 1))}


def carried_cases(rng, config) -> list[LayerCase]:
    """Both cells: H = 1, H off a multiple of 4 and of E, full capacity, random shapes; every
    flag combination; random groupings and bases; both modes."""
    k, n, e = config.lanes, config.tiles, elementwise_lanes(config)
    shapes = [(1, 1, 2), (k + 1, 4 * e + 1, 3), (3 * k - 1, n + 3, 2),
              (config.max_input, config.max_hidden, 2),
              (int(rng.integers(1, config.max_input + 1)), int(rng.integers(1, config.max_hidden + 1)),
               int(rng.integers(1, 5)))]
    cases = []
    for kind in ("lstm", "gru"):
        for index, (input_size, hidden, steps) in enumerate(shapes):
            model = random_layer(rng, kind, input_size, hidden, index)
            x = model.quantize_input(rng.uniform(-4, 4, (steps, input_size)))[0][0] if kind == "lstm" \
                else rng.integers(-1 << 15, 1 << 15, (steps, input_size))
            where = placement(rng, config, kind, input_size, hidden)
            for mode in (SEQUENTIAL, OVERLAPPED):
                state_in, state_out = FLAGS[[1, 2, 3][(index + mode) % 3] if index else 3]
                cases.append(LayerCase(config, model, x, mode, **where,
                                       initial=random_state(rng, kind, hidden) if state_in else None,
                                       final_state=state_out))
    if e > 1:  # a GRU whose last elementwise cycle finishes two beats: the trailer follows the held one
        found = [(h, g) for h in range(2, config.max_hidden + 1) for g in range(config.max_group + 1)
                 if finishes_two_beats_at_once(config, h, g)]
        hidden, group_h = found[int(rng.integers(len(found)))]
        model = hls_csim.random_int_layer(rng, 3, hidden, "gru", weight_bits=10)
        cases.append(LayerCase(config, model, rng.integers(-1 << 15, 1 << 15, (3, 3)), OVERLAPPED,
                               group_x=0, group_h=group_h, initial=random_state(rng, "gru", hidden),
                               final_state=True))
    return cases


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_carried_state_matches_golden_and_cycle_model(build, rng):
    config = BUILDS[build]
    cases = carried_cases(rng, config)
    transactions = [hls_csim.tables_transaction()]
    for case in cases:
        transactions += [*case.load_transactions(), case.run_transaction()]
    result = hls_csim.run(transactions, config)
    runs = result.outcomes[1:][2::3]
    failures = [f"{case.describe()}: {problem}" for case, outcome in zip(cases, runs)
                for problem in hls_csim.run_failures(case, outcome)]
    assert not failures, "\n".join(failures)
    assert result.testbench_passed, result.log
    for case, outcome in zip(cases, runs):
        if case.final_state and case.cell == "gru":  # the GRU's state buffer is h_{T-1} again
            hidden, state = program.decode_final_state(outcome.beats, *case.expected.shape, "gru")
            assert np.array_equal(state, hidden[-1]), case.describe()
    # the initial states were not ignored: the golden h from zero differs for most of them
    carried = [c for c in cases if c.initial is not None]
    differs = [not np.array_equal(run_cell(c.model.layers[0][0], c.x_int[None])[0], c.expected) for c in carried]
    assert sum(differs) > len(carried) // 2


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_chunks_carrying_state_equal_one_run(kind, rng):
    """A sequence cut into random chunks, each RUN starting from the state the previous one
    returned (h from its last h beats, an LSTM's c from its trailer), gives bit for bit the h
    of one RUN over the whole sequence; every chunk's cycles are the model's."""
    config = BUILDS["16x4"]
    input_size, hidden, steps = int(rng.integers(1, 20)), int(rng.integers(1, 30)), int(rng.integers(6, 12))
    model = hls_csim.random_int_layer(rng, input_size, hidden, kind, weight_bits=10)
    cell = model.layers[0][0]
    x = rng.integers(-1 << 15, 1 << 15, (steps, input_size))
    mode = int(rng.integers(0, 2))
    cuts = np.sort(rng.choice(np.arange(1, steps), int(rng.integers(2, 5)), replace=False))
    chunks = np.split(x, cuts)
    print(f"{kind} I={input_size} H={hidden} T={steps} mode {mode}, chunks of {[len(c) for c in chunks]}")
    image = program.layer_image(config, cell, mode, steps)
    with HlsCsimPort(config) as port:
        driver = Driver(port)
        for op in (program.load_tables(), *image.load_operations()):
            driver.execute(op, TIMEOUT_S)
        _, beats = driver.execute(image.run(x), TIMEOUT_S)
        whole = program.decode_hidden(beats, steps, hidden)
        pieces, state = [], None
        for chunk in chunks:
            counters, beats = driver.execute(image.run(chunk, state, final_state=True), TIMEOUT_S)
            h, state_buffer = program.decode_final_state(beats, len(chunk), hidden, kind)
            p = image.plan
            assert counters.cycles == cycle_model.estimate(config, input_size, hidden, len(chunk), p.group_x,
                                                           p.group_h, mode, kind, state_in=state is not None,
                                                           state_out=True).cycles
            pieces.append(h)
            state = (h[-1], state_buffer) if kind == "lstm" else (h[-1],)
            if kind == "gru":
                assert np.array_equal(state_buffer, h[-1])
    assert np.array_equal(np.concatenate(pieces), whole)
    assert np.array_equal(whole, run_cell(cell, x[None])[0])


def test_no_state_leaks_into_a_later_run(rng):
    """After a RUN that brought and returned a state, a RUN without STATE_IN starts from zero,
    for the same layer and for a GRU loaded beside it."""
    config = BUILDS["8x16"]
    lstm_model = hls_csim.random_float_layer(rng, 9, 11)
    x = lstm_model.quantize_input(rng.uniform(-4, 4, (3, 9)))[0][0]
    carried = LayerCase(config, lstm_model, x, OVERLAPPED, initial=random_state(rng, "lstm", 11), final_state=True)
    plain = LayerCase(config, lstm_model, x, OVERLAPPED)
    gru = LayerCase(config, hls_csim.random_int_layer(rng, 9, 11, "gru", weight_bits=10),
                    rng.integers(-1 << 15, 1 << 15, (3, 9)), SEQUENTIAL,
                    wx_base=carried.image.wh_base + carried.plan.words_h, bias_base=11)
    gru_carried = LayerCase(config, gru.model, gru.x_int, SEQUENTIAL, wx_base=gru.wx_base, bias_base=11,
                            initial=random_state(rng, "gru", 11), final_state=True)
    order = (carried, plain, gru_carried, gru, carried, gru)
    result = hls_csim.run([hls_csim.tables_transaction(), *carried.load_transactions(), *gru.load_transactions(),
                           *(c.run_transaction() for c in order)], config)
    for case, outcome in zip(order, result.outcomes[5:]):
        assert hls_csim.run_failures(case, outcome) == [], case.describe()
    assert not np.array_equal(carried.expected, plain.expected)


def test_an_initial_state_cut_short_never_finishes_and_tlast_in_it_is_flagged(rng):
    """A stream that ends inside the initial state leaves the RUN waiting (the C simulation
    reports how many of S_in + T ceil(I/4) beats came); TLAST on a state beat is EARLY_TLAST, the
    beat is still used, so the RUN is bit-exact; the next RUN is exact."""
    config = BUILDS["2x4"]
    model = hls_csim.random_float_layer(rng, 6, 7)
    x = model.quantize_input(rng.uniform(-4, 4, (3, 6)))[0][0]
    case = LayerCase(config, model, x, OVERLAPPED, initial=random_state(rng, "lstm", 7), final_state=True)
    run = case.run_transaction()
    s_in = cycle_model.state_beats(7, "lstm")[0]
    assert len(run.op.send) == s_in + 3 * 2
    cut = int(rng.integers(0, s_in))
    short = Transaction(program.Operation(run.op.args, run.op.send[:cut]))
    flags = np.zeros(len(run.op.send), dtype=bool)
    flags[[int(rng.integers(0, s_in)), -1]] = True
    early = Transaction(run.op, last=flags)
    outcomes = hls_csim.run([hls_csim.tables_transaction(), *case.load_transactions(), short, early, run],
                            config).outcomes
    assert outcomes[3].stuck == (cut, len(run.op.send))
    assert outcomes[4].regs["status"] == regmap.STATUS_EARLY_TLAST
    outcomes[4].regs["status"] = 0  # just checked
    assert hls_csim.run_failures(case, outcomes[4]) == []
    assert hls_csim.run_failures(case, outcomes[5]) == []
