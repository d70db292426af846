"""Batched RUNs on the RTL (ARCHITECTURE.md §6 "Batched RUNs", §7 `batch`/`max_batch`, §8): B
sequences interleaved item by item. Expected bits come from the golden model
(sharp.golden.run_cell_carried, packed in the stream order of §8), counters from
sharp.cycle_model.estimate(batch=B); nothing expected is taken from the RTL."""
from __future__ import annotations

import numpy as np
import pytest

from sharp import program, regmap, stream
from sharp.cells import cell_module, gates
from sharp.config import STATE_FORMATS
from sharp.cycle_model import estimate, matrix_words
from sharp.driver import Driver
from sharp.golden import run_cell_carried
from sharp.ports.verilator import VerilatorPort

from rtl_builds import BATCH_BUILDS, BUILDS, WIDE_BUILDS
from rtl_cases import CELLS, beat_mismatch, random_case, random_image
from harness_run import TIMEOUT_S, load, load_tables

# E = 1 (2x4, 8x16), E = 2 (16x4), E = 4 with batches of at most 5
SWEEP_BUILDS = {"2x4": BUILDS["2x4"], "8x16": BUILDS["8x16"], "16x4": WIDE_BUILDS["16x4"],
                **BATCH_BUILDS}


def random_states(cell, batch: int, rng) -> tuple:
    """B states over each tensor's whole range: (h,) of a GRU, (h, c) of an LSTM, each (B, H)."""
    return tuple(rng.integers(STATE_FORMATS[name].lo, STATE_FORMATS[name].hi + 1,
                              (batch, cell.hidden_size))
                 for name in cell_module(cell.kind).STATE)


def golden_beats(cell, x_int, initial, final_state: bool) -> np.ndarray:
    """out_stream of a RUN of x_int (B, T, I) from the golden model: the h of the items in order
    (h_t of sequences 0..B-1, then h_{t+1}), then with STATE_OUT each sequence's state buffer."""
    batch, steps, _ = x_int.shape
    h, final = run_cell_carried(cell, x_int, initial)
    beats = [stream.pack_int16(h.transpose(1, 0, 2).reshape(steps * batch, -1))]
    if final_state:   # the state buffer: c_{T-1} of an LSTM, h_{T-1} of a GRU
        beats += [stream.final_state_beats(final[-1][b], cell.kind) for b in range(batch)]
    return np.concatenate(beats)


def fits(config, rows: int, input_size: int, hidden: int) -> bool:
    """Some grouping pair's words fit the weight buffer."""
    words = [min(matrix_words(config, rows, cols, g) for g in range(config.max_group + 1))
             for cols in (input_size, hidden)]
    return sum(words) <= config.weight_depth


def random_batch(config, rng, max_size: int = 40):
    """A random layer of either cell that fits the build, and a random batch: (case,
    x (B, T, I), mode, state flags)."""
    cell = CELLS[int(rng.integers(2))]
    while True:
        # half of them with a short phase A, so that a sequence's own recurrent wait shows
        short = rng.random() < 0.5
        input_size = int(rng.integers(1, min(config.max_input, config.lanes if short else max_size) + 1))
        hidden = int(rng.integers(1, min(config.max_hidden, max_size) + 1))
        if fits(config, gates(cell) * hidden, input_size, hidden):
            break
    steps = int(rng.integers(1, 5))
    batch = int(rng.integers(1, config.max_batch + 1))
    case = random_case(input_size, hidden, steps, rng, cell)
    x = rng.integers(-2**14, 2**14, (batch, steps, input_size)).astype(np.int16)
    return case, x, int(rng.integers(2)), bool(rng.integers(2)), bool(rng.integers(2))


def check_tlast(port, where: str) -> None:
    _, last = port.received_with_last()
    assert last.size and last[-1] and not last[:-1].any(), \
        f"{where}: TLAST on beats {np.flatnonzero(last)} of {last.size}"


def run_random_batch(config, driver, port, rng, traffic: str = ""):
    """Load a random layer and run a random batch of it: its beats are the golden model's, with
    TLAST on the last only. -> (image, x, initial, state_out, counters, beats, the cycle model's
    estimate, a description for failures)."""
    case, x, mode, state_in, state_out = random_batch(config, rng)
    image = random_image(config, case, mode, rng)
    load(driver, image)
    batch, steps, _ = x.shape
    initial = random_states(case.cell, batch, rng) if state_in else None
    p = image.plan
    where = (f"{case.cell.kind} mode {mode} {p.describe()} I={case.cell.input_size} "
             f"H={case.cell.hidden_size} T={steps} B={batch} state_in={state_in} "
             f"state_out={state_out}{traffic}")
    counters, beats = driver.execute(image.run(x, initial=initial, final_state=state_out),
                                     TIMEOUT_S)
    want = golden_beats(case.cell, x, initial, state_out)
    assert not beat_mismatch(beats, want), f"{where}: {beat_mismatch(beats, want)}"
    check_tlast(port, where)
    est = estimate(config, case.cell.input_size, case.cell.hidden_size, steps, p.group_x,
                   p.group_h, mode, case.cell.kind, state_in, state_out, batch=batch)
    return image, x, initial, state_out, counters, beats, est, where

@pytest.mark.parametrize("build", sorted(SWEEP_BUILDS))
def test_batches_bits_counters_and_sequences_alone(build, seed):
    """Random B, shapes, cells, modes, groupings and state flags: the beats are the golden
    model's, every counter is the cycle model's with batch=B, and each sequence's h (and final
    state) equals that sequence run alone on the RTL."""
    config = SWEEP_BUILDS[build]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    batches = []
    for _ in range(16):
        image, x, initial, state_out, counters, beats, est, where = run_random_batch(
            config, driver, port, rng)
        batch, steps, _ = x.shape
        cell, hidden = image.cell.kind, image.cell.hidden_size
        got = (counters.cycles, counters.issue_cycles, counters.active_lane_cycles,
               counters.stall_input, counters.stall_dependency, counters.stall_output)
        assert got == (est.cycles, est.issue_cycles, est.active_lane_cycles, est.stall_input,
                       est.stall_dependency, 0), \
            f"{where}: RTL (cycles, issue, active, stalls) {got}, model {est}"
        batches.append(batch)

        # up to two of its sequences alone, from the same initial states
        if state_out:
            h, final = program.decode_final_state(beats, steps, hidden, cell, batch)
        else:
            h, final = program.decode_hidden(beats, steps, hidden, batch), None
        for b in rng.choice(batch, size=min(batch, 2), replace=False):
            alone = image.run(x[b], initial=None if initial is None else tuple(s[b] for s in initial),
                              final_state=state_out)
            _, beats_b = driver.execute(alone, TIMEOUT_S)
            if state_out:
                h_b, final_b = program.decode_final_state(beats_b, steps, hidden, cell)
                assert np.array_equal(final_b, final[b]), f"{where}: sequence {b}'s final state alone differs"
            else:
                h_b = program.decode_hidden(beats_b, steps, hidden)
            assert np.array_equal(h_b, h[b]), f"{where}: sequence {b} alone differs from its batch"
    print(f"{build}: batches {batches}")


@pytest.mark.parametrize("build", ["8x16", "32x4-batch5"])
def test_batches_under_gaps_and_backpressure(build, seed):
    """Random batches with in_stream gaps and out_stream backpressure: the bits are exact and the
    issue and useful-lane counts are the contract's (only cycles and stalls may grow)."""
    config = SWEEP_BUILDS[build]
    rng = np.random.default_rng(seed)
    in_gap, out_stall = rng.uniform(0.1, 0.6, 2)
    port = VerilatorPort(config, in_gap_prob=in_gap, out_stall_prob=out_stall, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    for _ in range(6):
        *_, counters, _, est, where = run_random_batch(
            config, driver, port, rng, f", gaps in/out {in_gap:.2f}/{out_stall:.2f}")
        assert (counters.issue_cycles, counters.active_lane_cycles) == \
            (est.issue_cycles, est.active_lane_cycles), f"{where}: {counters} vs {est}"
        assert counters.cycles >= est.cycles, f"{where}: {counters.cycles} < model {est.cycles}"


@pytest.mark.parametrize("build", ["2x4", "32x4-batch5"])
def test_batch_outside_the_build_is_bad_args_and_the_next_run_is_correct(build, seed):
    """batch = 0 and batch = MAX_BATCH + 1: status BAD_ARGS, nothing streamed; then a correct
    RUN of MAX_BATCH sequences gives the golden model's bits."""
    config = SWEEP_BUILDS[build]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    case = random_case(int(rng.integers(1, 20)), int(rng.integers(1, 20)), 3, rng,
                       CELLS[int(rng.integers(2))])
    image = random_image(config, case, int(rng.integers(2)), rng)
    load(driver, image)
    x = rng.integers(-2**14, 2**14, (config.max_batch, 3, case.cell.input_size)).astype(np.int16)
    good = image.run(x)
    for bad in (0, config.max_batch + 1):
        for arg, value in good.args.items():
            port.write(regmap.OFFSETS[arg], value)
        port.write(regmap.OFFSETS["batch"], bad)
        port.stream(np.zeros(0, np.uint64), 0)
        port.write(regmap.CTRL, regmap.AP_START)
        assert port.wait(TIMEOUT_S) & regmap.AP_DONE
        status = port.read(regmap.OFFSETS["status"])
        assert status == regmap.STATUS_BAD_ARGS, f"batch={bad}: {regmap.describe_status(status)}"
        assert port.beats_received == 0, f"batch={bad}: {port.beats_received} beats sent"
    driver.forget()   # the registers were written behind the driver's back
    _, beats = driver.execute(good, TIMEOUT_S)
    want = golden_beats(case.cell, x, None, False)
    assert not beat_mismatch(beats, want), f"after BAD_ARGS: {beat_mismatch(beats, want)}"


@pytest.mark.parametrize("build", ["2x4", "32x4-batch5"])
def test_info_reports_max_batch(build, seed):
    config = SWEEP_BUILDS[build]
    port = VerilatorPort(config, seed=seed)
    assert Driver(port).read_config(TIMEOUT_S) == config
    assert port.read(regmap.OFFSETS["max_batch"]) == config.max_batch
