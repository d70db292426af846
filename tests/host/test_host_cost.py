"""The driver's register cut (only changed arguments written, counters read only when wanted)
and the host-cost count of bench/host_cost.py on the fake-pynq replay."""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import sharp
from sharp import program, regmap
from sharp.cells import cell_module
from sharp.driver import Driver
from sharp.ports import RecordingPort, open_port
from sharp.toolchain import REPO

from register_log import started

sys.path.insert(0, str(REPO / "bench"))
import host_cost  # noqa: E402
from bits import assert_same  # noqa: E402

SMALL = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)
ARG_OFFSETS = {regmap.OFFSETS[name] for name in regmap.ARGUMENTS}
START = ("write", regmap.CTRL, regmap.AP_START)
TIMEOUT_S = 1.0


def writes(log) -> list[tuple]:
    return [e for e in log if e[0] == "write"]


def expected_writes(previous: dict | None, args: dict) -> list[tuple]:
    """The writes of an operation after `previous` (None: nothing known): every argument
    whose value differs, in offset order, then ap_start."""
    changed = [n for n in regmap.ARGUMENTS if previous is None or previous[n] != args[n]]
    return [("write", regmap.OFFSETS[n], args[n]) for n in changed] + [START]


def random_ops(rng, seed, count: int) -> list[program.Operation]:
    """Valid operations of two random cells (an LSTM and a GRU), in a random order."""
    pool = [program.info(), program.load_tables()]
    for k, model in enumerate((sharp.LSTM, sharp.GRU)):
        i, h = int(rng.integers(1, 12)), int(rng.integers(1, 12))
        q = model.random(i, h, seed=seed + k).quantize(rng.standard_normal((6, i)))
        image = program.layer_image(SMALL, q.layers[0][0], int(rng.integers(0, 2)), 4)
        pool += image.load_operations()
        state = tuple(rng.integers(-1 << 14, 1 << 14, h).astype(np.int16)
                      for _ in cell_module(q.cell).STATE)
        for steps in (2, 3):
            x = rng.integers(-1 << 14, 1 << 14, (steps, i)).astype(np.int16)
            pool += [image.run(x), image.run(x, state, True)]
    return [pool[j] for j in rng.integers(0, len(pool), count)]


def test_each_operation_writes_the_arguments_that_differ_from_the_last(rng, seed):
    port = RecordingPort(open_port("golden", SMALL))
    driver = Driver(port)
    previous = None
    for op in random_ops(rng, seed, 40):
        start = len(port.log)
        driver.execute(op, TIMEOUT_S)
        assert writes(port.log[start:]) == expected_writes(previous, op.args), op.name
        previous = op.args
    assert started(port.log)[-1] == {n: int(v) for n, v in op.args.items()}


def run_op(seed, rng):
    x = rng.standard_normal((5, 7))
    q = sharp.LSTM.random(7, 9, seed=seed).quantize(x)
    image = program.layer_image(SMALL, q.layers[0][0], 1, 5)
    return image, image.run(q.quantize_input(x)[0][0])


def test_a_second_identical_run_writes_only_ap_start_and_a_reset_writes_all_again(rng, seed):
    port = RecordingPort(open_port("golden", SMALL))
    driver = Driver(port)
    _, op = run_op(seed, rng)
    driver.execute(op, TIMEOUT_S)
    assert writes(port.log) == expected_writes(None, op.args)
    start = len(port.log)
    driver.execute(op, TIMEOUT_S)
    assert writes(port.log[start:]) == [START]
    driver.reset()
    start = len(port.log)
    driver.execute(op, TIMEOUT_S)
    assert writes(port.log[start:]) == expected_writes(None, op.args)


@pytest.mark.parametrize("error", ["timeout", "bad_args"])
def test_after_an_error_every_argument_is_written_again(error, rng, seed):
    port = RecordingPort(open_port("golden", SMALL))
    driver = Driver(port)
    _, op = run_op(seed, rng)
    driver.execute(op, TIMEOUT_S)
    bad = program.Operation(dict(op.args), op.send, op.recv_beats)
    if error == "timeout":
        bad.send = op.send[:-1]
        with pytest.raises(sharp.OperationTimeout):
            driver.execute(bad, TIMEOUT_S)
    else:
        bad.args["group_x"] = SMALL.max_group + 1
        with pytest.raises(sharp.HardwareError, match="BAD_ARGS"):
            driver.execute(bad, TIMEOUT_S)
    start = len(port.log)
    driver.execute(op, TIMEOUT_S)
    assert writes(port.log[start:]) == expected_writes(None, op.args)


def test_an_error_inside_a_port_write_forgets_what_was_written(rng, seed):
    """A write the port refuses (a value beyond 32 bits on the RTL; here the golden port masks,
    so a failing port stands in) leaves the registers unknown."""
    class Failing(RecordingPort):
        fail_at = None

        def write(self, offset, value):
            if offset == self.fail_at:
                raise OSError(f"bus error at 0x{offset:02x}")
            super().write(offset, value)

    port = Failing(open_port("golden", SMALL))
    driver = Driver(port)
    _, op = run_op(seed, rng)
    driver.execute(op, TIMEOUT_S)
    port.fail_at = regmap.OFFSETS["steps"]
    other = program.Operation(dict(op.args, steps=op.args["steps"] - 1, mode=1 - op.args["mode"]),
                              op.send, op.recv_beats)
    with pytest.raises(OSError, match="bus error"):
        driver.execute(other, TIMEOUT_S)
    port.fail_at = None
    start = len(port.log)
    driver.execute(op, TIMEOUT_S)
    assert writes(port.log[start:]) == expected_writes(None, op.args)


def test_results_stay_bit_exact_across_models_lengths_and_resets(rng, seed):
    port = RecordingPort(open_port("golden", SMALL))
    acc = sharp.Accelerator(port, SMALL, progress=False)
    x = rng.standard_normal((3, 6, 7))
    lstm = sharp.LSTM.random(7, 9, 2, True, seed=seed).quantize(x)
    gru = sharp.GRU.random(7, 6, seed=seed + 1).quantize(x)
    for q in (lstm, gru, lstm):
        acc.load(q)
        want = q.run_int(q.quantize_input(x)[0])
        np.testing.assert_array_equal(acc.run(x, raw=True), want)
        np.testing.assert_array_equal(acc.run(x, raw=True), want)  # the GRU's: no argument
        lengths = rng.integers(1, 7, 3)  # RUNs of different steps and batches in turn
        assert_same(acc(x, lengths=lengths), q(x, lengths=lengths))
        acc.driver.reset()
        np.testing.assert_array_equal(acc.run(x, raw=True), want)
    # The cut was in force: some operations wrote fewer than every argument.
    per_op, count = [], 0
    for e in port.log:
        if e[0] == "write" and e[1] in ARG_OFFSETS:
            count += 1
        elif e == START:
            per_op.append(count)
            count = 0
    assert min(per_op) == 0 and max(per_op) == len(regmap.ARGUMENTS)


def test_counters_off_reads_only_status_and_still_reports_errors(rng, seed):
    port = RecordingPort(open_port("golden", SMALL))
    acc = sharp.Accelerator(port, SMALL, progress=False, counters=False)
    assert acc.config == SMALL  # INFO still reads its info registers
    info_reads = [e[1] for e in port.log if e[0] == "read"]
    assert info_reads == [regmap.OFFSETS[n] for n in ("status", "build_info", "capacity_info",
                                                      "weight_depth", "bias_depth", "max_batch")]
    x = rng.standard_normal((2, 5, 7))
    q = sharp.LSTM.random(7, 9, seed=seed).quantize(x)
    start = len(port.log)
    acc.load(q)
    np.testing.assert_array_equal(acc.run(x, raw=True), q.run_int(q.quantize_input(x)[0]))
    ops = len(started(port.log[start:]))
    assert ops == 1 + 2 + 1  # LOAD_TABLES, LOAD_WEIGHTS, LOAD_BIAS, one RUN of both
    assert [e[1] for e in port.log[start:] if e[0] == "read"] == [regmap.OFFSETS["status"]] * ops
    with pytest.raises(RuntimeError, match=r"stats needs the performance counters.*counters=False"):
        acc.stats
    bad = acc.images[0].run(q.quantize_input(x)[0])
    bad.args["hidden_size"] = SMALL.max_hidden + 1
    with pytest.raises(sharp.HardwareError, match="BAD_ARGS"):
        acc.driver.execute(bad, TIMEOUT_S)
    assert acc.needs_reload
    np.testing.assert_array_equal(acc.run(x, raw=True), q.run_int(q.quantize_input(x)[0]))


def test_counters_must_be_true_or_false():
    with pytest.raises(TypeError, match="counters='no' must be True or False"):
        sharp.Accelerator("golden", SMALL, counters="no")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("batch", [1, 4])
def test_host_cost_counts_on_the_fake_board_match_the_operations(cell, batch, seed):
    """Counted at the fake pynq calls; expected from regmap, the operations' arguments and the
    shape: per RUN of `batch` sequences, 1 + (arguments that differ) writes, every output or
    only `status` read, one transfer each way; per sequence, a batch-th of that."""
    sequences = 8
    input_size, hidden, steps = host_cost.SHAPE
    x = np.random.default_rng(seed).standard_normal((sequences, steps, input_size))
    q = host_cost.MODELS[cell].random(input_size, hidden, seed=seed).quantize(calibration=x)
    planner = sharp.Accelerator("golden", progress=False, batch=batch)  # the bench board's plan
    planner.load(q, steps_hint=steps)
    image = planner.images[0]
    last_load, run = image.load_operations()[-1], image.run(q.quantize_input(x)[0][:batch])
    differ = sum(last_load.args[n] != run.args[n] for n in regmap.ARGUMENTS)
    assert 0 < differ < len(regmap.ARGUMENTS)
    bytes_in = 8 * steps * math.ceil(input_size / 4)   # per sequence: int16, four to a beat
    bytes_out = 8 * steps * math.ceil(hidden / 4)
    projected = {}
    for variant, (cache, counters) in host_cost.VARIANTS.items():
        r = host_cost.measure(cell, variant, sequences, seed, batch=batch)
        assert r["bit_exact"] and r["batch"] == batch
        first, each = r["first_run"], r["per_sequence"]
        reads = len(regmap.OUTPUTS) if counters else 1
        assert first["register_writes"] == 1 + (differ if cache else len(regmap.ARGUMENTS))
        assert each["register_writes"] * batch == (1 if cache else 1 + len(regmap.ARGUMENTS))
        for c, per in ((first, 1), (each, batch)):   # c counts one RUN, or a batch-th of one
            assert c["register_reads"] * per == reads and c["ap_done_polls"] * per == 1
            assert c["dma_send_transfers"] * per == c["dma_recv_transfers"] * per == 1
            assert (c["dma_send_bytes"] * per, c["dma_recv_bytes"] * per) == \
                (batch * bytes_in, batch * bytes_out)
            assert c["allocations"] * per == 2
            assert c["gpio_writes"] == c["dma_register_accesses"] == 0
        projected[variant] = r["projected_us_per_sequence"]
    # every argument fewer written, then all outputs but status fewer read, per RUN
    mmio = host_cost.MMIO_ACCESS_US
    assert projected["before"] - projected["after"] == \
        pytest.approx(len(regmap.ARGUMENTS) * mmio / batch)
    assert projected["after"] - projected["after, counters=False"] == \
        pytest.approx((len(regmap.OUTPUTS) - 1) * mmio / batch)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_digits_at_batch_8_needs_a_quarter_of_the_transfers_and_accesses_per_sequence(cell, seed):
    """Issue 15's acceptance, counted by the replayed driver: batch 8 against batch 1."""
    at = {b: host_cost.measure(cell, "after", 16, seed, batch=b)["per_sequence"] for b in (1, 8)}
    assert host_cost.transfers(at[1]) >= 4 * host_cost.transfers(at[8]) > 0
    assert host_cost.register_accesses(at[1]) >= 4 * host_cost.register_accesses(at[8]) > 0
