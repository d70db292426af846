"""Carried state on the RTL (ARCHITECTURE.md §8, "Carried state"): a RUN that starts from a given
h_{-1} (and c_{-1}) and returns its final state. Expected bits come from the golden model
(sharp.golden.run_cell_carried), cycles from sharp.cycle_model.estimate(state_in, state_out)."""
from __future__ import annotations

import numpy as np
import pytest

from sharp import program, regmap, stream
from sharp.cells import cell_module
from sharp.config import STATE_FORMATS
from sharp.cycle_model import estimate
from sharp.driver import Driver
from sharp.golden import run_cell_carried
from sharp.ports.verilator import VerilatorPort

from rtl_builds import BUILDS, WIDE_BUILDS
from rtl_cases import CELLS, beat_mismatch, random_case, random_image
from harness_run import TIMEOUT_S, load, load_tables

# an E = 1 build and an E = 4 one
STATE_BUILDS = {"8x16": BUILDS["8x16"], "32x4": WIDE_BUILDS["32x4"]}
# "out" first: its trailer's zero padding then follows a RUN of a larger H, which left state
# there (an initial state's padding would overwrite it with zeros)
FLAGS = {"out": (False, True), "in+out": (True, True), "in": (True, False)}


def random_state(cell, rng) -> tuple:
    """A state of the cell over each tensor's whole range: (h,) for a GRU, (h, c) for an LSTM."""
    return tuple(rng.integers(STATE_FORMATS[name].lo, STATE_FORMATS[name].hi + 1, cell.hidden_size)
                 for name in cell_module(cell.kind).STATE)


def golden(cell, x_int, initial, final_state: bool):
    """(expected out_stream beats, h (T, H), final state tuple) from the golden model."""
    h, final = run_cell_carried(cell, x_int[None],
                                None if initial is None else tuple(s[None] for s in initial))
    beats = stream.pack_int16(h[0])
    if final_state:   # the state buffer: c_{T-1} of an LSTM, h_{T-1} of a GRU
        beats = np.concatenate([beats, stream.final_state_beats(final[-1][0], cell.kind)])
    return beats, h[0], tuple(s[0] for s in final)


def run_state(driver, image, x_int, initial, final_state):
    """RUN with the state flags; returns (counters, beats)."""
    return driver.execute(image.run(x_int, initial=initial, final_state=final_state), TIMEOUT_S)


@pytest.mark.parametrize("build", sorted(STATE_BUILDS))
def test_state_bits_and_cycles(build, seed):
    """Every flag combination, both cells and schedules: the beats (trailer included) are the
    golden model's, TLAST is on the last beat only, and the counters are the cycle model's."""
    config = STATE_BUILDS[build]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    k, n = config.lanes, config.tiles
    # H falls, and is not a multiple of 4 after the first
    big = min(config.max_hidden, 4 * n + 2)
    shapes = [(min(config.max_input, k + 3), big), (7, min(big - 5, n + 1)), (2 * k - 1, 3)]
    for cell in CELLS:
        for mode in (0, 1):
            for input_size, hidden in shapes:
                case = random_case(input_size, hidden, int(rng.integers(2, 5)), rng, cell)
                image = random_image(config, case, mode, rng)
                load(driver, image)
                p = image.plan
                for name, (state_in, state_out) in FLAGS.items():
                    initial = random_state(case.cell, rng) if state_in else None
                    counters, beats = run_state(driver, image, case.x_int, initial, state_out)
                    want, _, _ = golden(case.cell, case.x_int, initial, state_out)
                    where = f"{cell} {name} {p.describe()} I={input_size} H={hidden} T={case.steps}"
                    assert not beat_mismatch(beats, want), f"{where}: {beat_mismatch(beats, want)}"
                    _, last = port.received_with_last()
                    assert last[-1] and not last[:-1].any(), \
                        f"{where}: TLAST on beats {np.flatnonzero(last)} of {last.size}"
                    est = estimate(config, input_size, hidden, case.steps, p.group_x, p.group_h,
                                   mode, cell, state_in, state_out)
                    got = (counters.cycles, counters.issue_cycles, counters.active_lane_cycles,
                           counters.stall_input, counters.stall_dependency, counters.stall_output)
                    assert got == (est.cycles, est.issue_cycles, est.active_lane_cycles,
                                   est.stall_input, est.stall_dependency, 0), \
                        f"{where}: RTL (cycles, issue, active, stalls) {got}, model {est}"


@pytest.mark.parametrize("build", sorted(STATE_BUILDS))
def test_chunks_carrying_state_equal_one_run(build, seed):
    """ACCEPTANCE: a sequence cut into random chunks, each RUN starting from the state the last
    one returned (h from its last output, c from its trailer), gives the bits of one RUN over
    the whole sequence, under input gaps and output backpressure."""
    config = STATE_BUILDS[build]
    rng = np.random.default_rng(seed)
    in_gap, out_stall = rng.uniform(0.1, 0.5, 2)
    port = VerilatorPort(config, in_gap_prob=in_gap, out_stall_prob=out_stall, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    for cell in CELLS:
        steps = int(rng.integers(6, 12))
        case = random_case(config.lanes + 5, min(config.max_hidden - 1, 2 * config.tiles + 3),
                           steps, rng, cell)
        image = random_image(config, case, int(rng.integers(2)), rng)
        load(driver, image)
        start = random_state(case.cell, rng) if rng.random() < 0.5 else None
        where = (f"{cell} {image.plan.describe()} T={steps} from "
                 f"{'a random' if start else 'the zero'} state, gaps in/out {in_gap:.2f}/{out_stall:.2f}")

        _, whole = run_state(driver, image, case.x_int, start, True)
        want, want_h, want_final = golden(case.cell, case.x_int, start, True)
        assert not beat_mismatch(whole, want), f"{where}, one RUN: {beat_mismatch(whole, want)}"

        cuts = np.sort(rng.choice(np.arange(1, steps), size=int(rng.integers(2, 5)), replace=False))
        state, pieces = start, []
        for chunk in np.split(case.x_int, cuts):
            _, beats = run_state(driver, image, chunk, state, True)
            h, buffer = program.decode_final_state(beats, chunk.shape[0], case.cell.hidden_size,
                                                   cell)
            pieces.append(h)
            if cell == "gru":
                assert np.array_equal(buffer, h[-1]), f"{where}: the GRU's trailer is not h_{{T-1}}"
                state = (h[-1],)
            else:
                state = (h[-1], buffer)
        chunked = np.concatenate(pieces)
        bad = np.argwhere(chunked != want_h)
        assert not bad.size, (f"{where}, chunks {np.split(np.arange(steps), cuts)}: {len(bad)} h "
                              f"differ from one RUN, first at (t, j) = {tuple(bad[0])}")
        for got, expect in zip(state, want_final):
            assert np.array_equal(got, expect), f"{where}: the carried final state differs"


def start_run(port, op, recv_beats):
    for name, value in op.args.items():
        port.write(regmap.OFFSETS[name], value)
    port.stream(op.send, recv_beats)
    port.write(regmap.CTRL, regmap.AP_START)


def test_bad_state_and_no_stale_state(seed):
    """BAD_ARGS for state > 3; a RUN without STATE_IN starts from zero after a RUN that carried
    state and after a reset in the middle of one (in its prefix, its steps or its trailer);
    TLAST inside the prefix is EARLY_TLAST and the beats still count."""
    config = STATE_BUILDS["8x16"]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    for cell in CELLS:
        case = random_case(config.lanes + 2, config.tiles + 5, 3, rng, cell)
        image = random_image(config, case, 1, rng)
        load(driver, image)
        plain, _, _ = golden(case.cell, case.x_int, None, False)
        initial = random_state(case.cell, rng)
        carried, _, _ = golden(case.cell, case.x_int, initial, True)
        with_state = image.run(case.x_int, initial=initial, final_state=True)

        for bad in (4, 2**31):
            start_run(port, program.Operation(dict(with_state.args, state=bad)), 1)
            port.wait(TIMEOUT_S)
            status = port.read(regmap.OFFSETS["status"])
            assert status == regmap.STATUS_BAD_ARGS, \
                f"{cell} RUN with state={bad}: status {regmap.describe_status(status)}, want BAD_ARGS"
            port.run(100)
            assert port.beats_received == 0, f"a RUN with state={bad} wrote to out_stream"
        driver.forget()  # start_run wrote the argument registers behind the driver's back

        _, beats = driver.execute(with_state, TIMEOUT_S)
        assert not beat_mismatch(beats, carried), f"{cell} with state: {beat_mismatch(beats, carried)}"
        _, beats = driver.execute(image.run(case.x_int), TIMEOUT_S)
        assert not beat_mismatch(beats, plain), \
            f"{cell}: a RUN without STATE_IN after one with it: {beat_mismatch(beats, plain)}"

        s_in = with_state.send.size - image.run(case.x_int).send.size
        cycles = estimate(config, case.cell.input_size, case.cell.hidden_size, case.steps,
                          image.plan.group_x, image.plan.group_h, 1, cell, True, True).cycles
        for cut in (s_in // 2, cycles // 2, cycles - 3):   # in the prefix, the steps, near the end
            start_run(port, with_state, with_state.recv_beats)
            port.run(cut)
            driver.reset()  # through the driver: the reset clears the argument registers
            _, beats = driver.execute(image.run(case.x_int), TIMEOUT_S)
            assert not beat_mismatch(beats, plain), \
                f"{cell}: reset {cut} cycles into a RUN with state, then one without: " \
                f"{beat_mismatch(beats, plain)}"
            _, beats = driver.execute(with_state, TIMEOUT_S)
            assert not beat_mismatch(beats, carried), f"{cell} after reset: {beat_mismatch(beats, carried)}"

        flags = np.zeros(with_state.send.size, np.uint8)
        flags[[s_in - 1, -1]] = 1
        for name, value in with_state.args.items():
            port.write(regmap.OFFSETS[name], value)
        port.stream(with_state.send, with_state.recv_beats, last=flags)
        port.write(regmap.CTRL, regmap.AP_START)
        port.wait(TIMEOUT_S)
        status = port.read(regmap.OFFSETS["status"])
        assert status == regmap.STATUS_EARLY_TLAST, \
            f"{cell}: TLAST on the prefix's last beat gave {regmap.describe_status(status)}"
        assert not beat_mismatch(port.received(), carried), \
            f"{cell}: early TLAST in the prefix: {beat_mismatch(port.received(), carried)}"
        driver.forget()
