"""Batched RUNs (ARCHITECTURE.md §6, "Batched RUNs") in C simulation: a RUN of B sequences is
bit-exact with the golden model (sharp.golden.run_cell_carried on (B, T, I)), each of its
sequences equals that sequence run alone, its counters equal cycle_model.estimate(..., batch=B),
and a batch outside 1..MAX_BATCH is BAD_ARGS."""
from __future__ import annotations

import numpy as np
import pytest
from hls_builds import BATCH5, BUILDS
from test_hls_gru import finishes_two_beats_at_once
from test_hls_state import FLAGS, placement, random_layer

from sharp import HardwareConfig, cycle_model, hls_csim, program, regmap
from sharp.cells import cell_module
from sharp.config import STATE_FORMATS
from sharp.cycle_model import OVERLAPPED, SEQUENTIAL, elementwise_lanes
from sharp.driver import Driver
from sharp.golden import run_cell_carried
from sharp.hls_csim import LayerCase, Transaction
from sharp.ports.golden import GoldenPort
from sharp.ports.hls import HlsCsimPort

ALL_BUILDS = {**BUILDS, "16x4-batch5": BATCH5}
TIMEOUT_S = 30.0


def random_states(rng, kind: str, batch: int, hidden: int) -> tuple:
    """Each sequence's h_{-1} (any int16) and an LSTM's c_{-1} (any 25-bit value), (B, H) each."""
    return tuple(rng.integers(STATE_FORMATS[name].lo, STATE_FORMATS[name].hi + 1, (batch, hidden))
                 for name in cell_module(kind).STATE)


def random_inputs(rng, model, kind: str, batch: int, steps: int) -> np.ndarray:
    """(B, T, I) int16: an LSTM's quantized inputs, any int16 for a GRU (as test_hls_state)."""
    if kind == "lstm":
        x = model.quantize_input(rng.uniform(-4, 4, (batch * steps, model.input_size)))[0][0]
        return x.reshape(batch, steps, -1)
    return rng.integers(-1 << 15, 1 << 15, (batch, steps, model.input_size))


def batch_cases(rng, config) -> list[LayerCase]:
    """Both cells and modes; random B (MAX_BATCH and 1 among them), shapes (H = 1, off a
    multiple of 4 and of E, full capacity, random), groupings, bases and state flags; on E > 1 a
    GRU whose items each finish two beats in their last cycle, back to back (the output queue)."""
    k, n, e, top = config.lanes, config.tiles, elementwise_lanes(config), config.max_batch
    shapes = [(1, 1, 2), (k + 1, 4 * e + 1, 3), (3 * k - 1, n + 3, 2),
              (config.max_input, config.max_hidden, 1),
              (int(rng.integers(1, config.max_input + 1)), int(rng.integers(1, config.max_hidden + 1)),
               int(rng.integers(1, 4)))]
    cases = []
    for kind in ("lstm", "gru"):
        for index, (input_size, hidden, steps) in enumerate(shapes):
            model = random_layer(rng, kind, input_size, hidden, index)
            where = placement(rng, config, kind, input_size, hidden)
            for mode in (SEQUENTIAL, OVERLAPPED):
                batch = (top, 1)[mode] if index == 0 else int(rng.integers(1, top + 1))
                flags = int(rng.integers(0, 4))
                state_in, state_out = FLAGS.get(flags, (False, False))
                cases.append(LayerCase(config, model, random_inputs(rng, model, kind, batch, steps),
                                       mode, **where,
                                       initial=random_states(rng, kind, batch, hidden) if state_in else None,
                                       final_state=state_out))
    if e > 1:
        found = [(h, g) for h in range(2, config.max_hidden + 1) for g in range(config.max_group + 1)
                 if finishes_two_beats_at_once(config, h, g)]
        hidden, group_h = found[int(rng.integers(len(found)))]
        model = hls_csim.random_int_layer(rng, 1, hidden, "gru", weight_bits=10)
        cases.append(LayerCase(config, model, rng.integers(-1 << 15, 1 << 15, (top, 3, 1)), OVERLAPPED,
                               group_x=0, group_h=group_h, initial=random_states(rng, "gru", top, hidden),
                               final_state=True))
    return cases


def alone(case: LayerCase, b: int) -> LayerCase:
    """Sequence b of a batched case as a RUN of its own (B = 1), from its own initial state."""
    initial = None if case.initial is None else tuple(np.asarray(s)[b] for s in case.initial)
    return LayerCase(case.config, case.model, case.x_int[b], case.mode, case.plan.group_x,
                     case.plan.group_h, case.wx_base, case.bias_base, initial, case.final_state)


@pytest.mark.parametrize("build", sorted(ALL_BUILDS))
def test_batched_runs_match_golden_sequences_alone_and_cycle_model(build, rng):
    config = ALL_BUILDS[build]
    cases = batch_cases(rng, config)
    assert {c.sequences for c in cases} >= {1, config.max_batch}
    transactions, runs = [hls_csim.tables_transaction()], []
    for case in cases:
        singles = [alone(case, b) for b in range(case.sequences)]
        transactions += [*case.load_transactions(), case.run_transaction(),
                         *(s.run_transaction() for s in singles)]
        runs.append((case, len(transactions) - 1 - len(singles), singles))
    result = hls_csim.run(transactions, config)
    failures = []
    for case, at, singles in runs:
        failures += [f"{case.describe()}: {p}" for p in hls_csim.run_failures(case, result.outcomes[at])]
        for b, single in enumerate(singles):
            failures += [f"{case.describe()} sequence {b} alone: {p}"
                         for p in hls_csim.run_failures(single, result.outcomes[at + 1 + b])]
    assert not failures, "\n".join(failures)
    assert result.testbench_passed, result.log
    for case, at, singles in runs:
        steps, hidden = case.steps, case.expected.shape[-1]
        batched = result.outcomes[at].beats
        if case.final_state:
            h, state = program.decode_final_state(batched, steps, hidden, case.cell, case.sequences)
        else:
            h = program.decode_hidden(batched, steps, hidden, case.sequences)
        for b, single in enumerate(singles):
            beats = result.outcomes[at + 1 + b].beats
            if case.final_state:
                h_alone, state_alone = program.decode_final_state(beats, steps, hidden, case.cell)
                assert np.array_equal(state[b], state_alone), (case.describe(), b)
            else:
                h_alone = program.decode_hidden(beats, steps, hidden)
            assert np.array_equal(h[b], h_alone), (case.describe(), b)
    # a batch waits less than its sequences one after the other: the overlap is the point (§6)
    overlapped = [(case, at, singles) for case, at, singles in runs
                  if case.mode == OVERLAPPED and case.sequences > 1]
    assert overlapped
    for case, at, singles in overlapped:
        assert result.outcomes[at].cycles <= sum(result.outcomes[at + 1 + b].cycles for b in range(len(singles)))


def test_the_golden_port_gives_the_kernels_beats_and_counters(rng):
    """The same batched operations through the lead's GoldenPort (its own stream order and
    estimate) and through the C simulation give the same beats and counters."""
    config = BATCH5
    cases = [c for c in batch_cases(rng, config) if c.sequences > 1][:4]
    with HlsCsimPort(config) as hls:
        drivers = [Driver(hls), Driver(GoldenPort(config))]
        for case in cases:
            for driver in drivers:
                for op in (program.load_tables(), *case.image.load_operations()):
                    driver.execute(op, TIMEOUT_S)
            op = case.run_transaction().op
            (got_counters, got), (want_counters, want) = (d.execute(op, TIMEOUT_S) for d in drivers)
            assert np.array_equal(got, want), case.describe()
            assert got_counters == want_counters, case.describe()


@pytest.mark.parametrize("build", ["8x16", "16x4-batch5"])
def test_batch_outside_one_to_max_batch_is_bad_args_and_the_next_run_is_exact(build, rng):
    config = ALL_BUILDS[build]
    model = hls_csim.random_int_layer(rng, 5, 6, "lstm", weight_bits=10)
    good = LayerCase(config, model, rng.integers(-1 << 15, 1 << 15, (2, 3, 5)), OVERLAPPED)
    run = good.run_transaction()
    transactions = [hls_csim.tables_transaction(), *good.load_transactions()]
    for batch in (0, config.max_batch + 1, (1 << 32) - 1):
        # the beats a RUN of `batch` sequences would send: none may be read
        transactions += [Transaction(program.Operation(dict(run.op.args, batch=batch), run.op.send),
                                     expect=np.zeros(0, np.uint64), expect_status=regmap.STATUS_BAD_ARGS),
                         run]
    result = hls_csim.run(transactions, config)
    assert result.testbench_passed, result.log
    for bad, after in zip(result.outcomes[3::2], result.outcomes[4::2]):
        assert bad.regs["status"] == regmap.STATUS_BAD_ARGS
        assert bad.leftover == len(run.op.send) and len(bad.beats) == 0
        assert bad.regs["issue_cycles"] == 0
        assert hls_csim.run_failures(good, after) == []


@pytest.mark.parametrize("build", ["8x16", "16x4-batch5"])
def test_info_reports_max_batch(build):
    config = ALL_BUILDS[build]
    regs = hls_csim.run([Transaction(program.info())], config).outcomes[0].regs
    assert regs["max_batch"] == config.max_batch
    assert HardwareConfig.from_info(regs["build_info"], regs["capacity_info"], regs["weight_depth"],
                                    regs["bias_depth"], regs["max_batch"]) == config


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_batch_cut_into_runs_carrying_its_states_equals_one_run(kind, rng):
    """B sequences cut into chunks of steps, each RUN from the (B, H) states the previous one
    returned, give the bits of one batched RUN and of the golden model; every chunk's cycles are
    the model's."""
    config = BATCH5
    batch = int(rng.integers(2, config.max_batch + 1))
    input_size, hidden, steps = int(rng.integers(1, 20)), int(rng.integers(1, 30)), int(rng.integers(4, 8))
    model = hls_csim.random_int_layer(rng, input_size, hidden, kind, weight_bits=10)
    cell = model.layers[0][0]
    x = rng.integers(-1 << 15, 1 << 15, (batch, steps, input_size))
    mode = int(rng.integers(0, 2))
    cuts = np.sort(rng.choice(np.arange(1, steps), int(rng.integers(1, 4)), replace=False))
    print(f"{kind} I={input_size} H={hidden} T={steps} B={batch} mode {mode}, cuts {cuts}")
    image = program.layer_image(config, cell, mode, steps, batch=batch)
    p = image.plan
    with HlsCsimPort(config) as port:
        driver = Driver(port)
        for op in (program.load_tables(), *image.load_operations()):
            driver.execute(op, TIMEOUT_S)
        _, beats = driver.execute(image.run(x), TIMEOUT_S)
        whole = program.decode_hidden(beats, steps, hidden, batch)
        pieces, state = [], None
        for chunk in np.split(x, cuts, axis=1):
            counters, beats = driver.execute(image.run(chunk, state, final_state=True), TIMEOUT_S)
            h, buffers = program.decode_final_state(beats, chunk.shape[1], hidden, kind, batch)
            assert counters.cycles == cycle_model.estimate(
                config, input_size, hidden, chunk.shape[1], p.group_x, p.group_h, mode, kind,
                state_in=state is not None, state_out=True, batch=batch).cycles
            pieces.append(h)
            state = (h[:, -1], buffers) if kind == "lstm" else (h[:, -1],)
    assert np.array_equal(np.concatenate(pieces, axis=1), whole)
    assert np.array_equal(whole, run_cell_carried(cell, x, None)[0])
