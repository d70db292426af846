"""sharp.Accelerator end to end: bit-exact with the golden model on every backend, and usable after errors."""
from __future__ import annotations

import numpy as np
import pytest

import sharp
from sharp import regmap
from sharp.config import HF

from register_log import started

SMALL = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)      # shares the harness engineer's builds
DEFAULT = sharp.HardwareConfig(8, 16, 128, 128, 2048, 128)
BACKENDS = ["golden", "verilator"]


def make(backend, config=SMALL, **kw):
    return sharp.Accelerator(backend, config, progress=False, **kw)


def quantized(seed, input_size, hidden, layers=1, bidirectional=False, x=None):
    model = sharp.LSTM.random(input_size, hidden, layers, bidirectional, seed=seed)
    return model.quantize(calibration=x)


def golden(q, x):
    x_int, batched = q.quantize_input(x)
    out = q.run_int(x_int)
    return out if batched else out[0]


def useful_macs(q, batch, steps):
    """Lane-cycles the runs must count as active: 4H*(I+H) per cell per step, independently."""
    return batch * steps * sum(4 * c.hidden_size * (c.input_size + c.hidden_size)
                               for dirs in q.layers for c in dirs)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, False), (1, True), (2, True)])
def test_bit_exact_with_golden(backend, layers, bidirectional, rng, seed):
    x = rng.standard_normal((9, 12))
    q = quantized(seed, 12, 20, layers, bidirectional, x)
    acc = make(backend)
    acc.load(q)
    raw = acc.run(x, raw=True)
    assert raw.dtype == np.int16 and raw.shape == (9, 20 * q.num_directions)
    np.testing.assert_array_equal(raw, golden(q, x))
    np.testing.assert_array_equal(acc.run(x), raw.astype(np.float64) / (1 << HF))
    s = acc.stats
    assert s.runs == layers * q.num_directions and s.sequences == 1
    assert s.active_lane_cycles == useful_macs(q, 1, 9)
    assert s.cycles >= s.issue_cycles + s.stall_input + s.stall_dependency + s.stall_output
    assert 0 < s.utilization <= 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_is_split_into_runs_of_at_most_the_batch_limit(backend, rng, seed):
    x = rng.standard_normal((11, 6, 10))
    q = quantized(seed, 10, 16, 2, x=x)
    for limit, runs in ((None, 2), (4, 3), (1, 11)):   # None: the build's MAX_BATCH, 8
        acc = make(backend, DEFAULT, batch=limit)
        acc.load(q)
        raw = acc.run(x, raw=True)
        np.testing.assert_array_equal(raw, golden(q, x))
        assert acc.stats.runs == runs * 2 and acc.stats.sequences == 11
        assert acc.stats.active_lane_cycles == useful_macs(q, 11, 6)


@pytest.mark.parametrize("limit", [0, 9, 2.0, True])
def test_a_batch_limit_outside_the_build_is_refused(limit):
    with pytest.raises(ValueError, match=rf"batch={limit!r} is outside 1\.\.8"):
        sharp.Accelerator("golden", DEFAULT, batch=limit)


def test_cells_stay_resident_at_disjoint_bases_when_they_fit(seed):
    q = quantized(seed, 12, 8, 2, True)
    acc = make("golden")
    acc.load(q)
    assert acc.resident
    spans = sorted((im.wx_base, im.wx_base + im.words) for im in acc.images)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert spans[-1][1] <= SMALL.weight_depth
    biases = sorted(im.bias_base for im in acc.images)
    assert biases == [8 * k for k in range(4)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_cells_reloaded_when_they_do_not_fit_together(backend, rng, seed):
    # 4 cells of H=20 need 80 bias units; the build has 64.
    x = rng.standard_normal((2, 5, 12))
    q = quantized(seed, 12, 20, 2, True, x)
    acc = make(backend)
    acc.load(q)
    assert not acc.resident
    assert all(im.wx_base == 0 and im.bias_base == 0 for im in acc.images)
    np.testing.assert_array_equal(acc.run(x, raw=True), golden(q, x))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode,group_x,group_h", [(0, None, None), (1, 0, 0), (0, 1, 1), (1, 1, 0)])
def test_every_mode_and_grouping_gives_the_same_bits(backend, mode, group_x, group_h, rng, seed):
    x = rng.standard_normal((7, 9))
    q = quantized(seed, 9, 13, x=x)
    acc = make(backend, mode=mode, group_x=group_x, group_h=group_h)
    acc.load(q, steps_hint=7)
    np.testing.assert_array_equal(acc.run(x, raw=True), golden(q, x))
    p = acc.images[0].plan
    assert p.mode == mode
    assert group_x is None or (p.group_x, p.group_h) == (group_x, group_h)


def test_golden_backend_counters_follow_the_cycle_model(rng, seed):
    x = rng.standard_normal((11, 12))
    q = quantized(seed, 12, 20, x=x)
    acc = make("golden")
    acc.load(q)
    acc.run(x)
    p = acc.images[0].plan
    want = sharp.cycle_model.estimate(SMALL, 12, 20, 11, p.group_x, p.group_h, 1)
    assert acc.stats.cycles == want.cycles
    assert acc.stats.stall_dependency == want.stall_dependency
    assert acc.stats.projected_ms(200) == pytest.approx(want.cycles / 200e3)
    with pytest.raises(ValueError, match="clock_mhz=0"):
        acc.stats.projected_ms(0)


# -- errors, and the accelerator stays usable after each ----------------------------------

@pytest.fixture(params=BACKENDS)
def loaded(request, rng, seed):
    x = rng.standard_normal((6, 12))
    q = quantized(seed, 12, 20, 1, False, x)
    acc = make(request.param)
    acc.load(q)
    return acc, q, x


def still_exact(acc, q, x):
    np.testing.assert_array_equal(acc.run(x, raw=True), golden(q, x))


def test_timeout_from_a_sequence_cut_short_resets_and_recovers(loaded):
    acc, q, x = loaded
    x_int, _ = q.quantize_input(x)
    op = acc.images[0].run(x_int[0])
    op.send = op.send[:-3]  # the DMA stops three beats early
    with pytest.raises(sharp.OperationTimeout, match=r"RUN did not finish.*CTRL=0x"):
        acc.driver.execute(op, timeout_s=1e-3)
    assert acc.needs_reload
    still_exact(acc, q, x)
    assert not acc.needs_reload


def test_status_error_names_the_bits_and_recovers(loaded):
    acc, q, x = loaded
    x_int, _ = q.quantize_input(x)
    op = acc.images[0].run(x_int[0])
    op.args["hidden_size"] = SMALL.max_hidden + 4
    # A refused RUN never sends its output; the ports stop waiting for it at the timeout.
    with pytest.raises(sharp.HardwareError, match="BAD_ARGS"):
        acc.driver.execute(op, timeout_s=1e-3)
    still_exact(acc, q, x)


def test_extra_beats_report_missing_tlast_and_recover(loaded):
    acc, q, x = loaded
    x_int, _ = q.quantize_input(x)
    op = acc.images[0].run(x_int[0])
    op.send = np.concatenate([op.send, op.send[:1]])
    with pytest.raises(sharp.HardwareError, match="MISSING_TLAST"):
        acc.driver.execute(op, timeout_s=1.0)
    still_exact(acc, q, x)


def test_bad_opcode_is_reported(loaded):
    acc, q, x = loaded
    op = sharp.program.info()
    op.args["opcode"] = 7
    with pytest.raises(sharp.HardwareError, match="BAD_OPCODE"):
        acc.driver.execute(op, timeout_s=1.0)
    still_exact(acc, q, x)


@pytest.mark.parametrize("bad,message", [
    (np.zeros((6, 11)), "feature size 11 does not match the model's input_size 12"),
    (np.zeros((2, 3, 6, 12)), r"shape \(2, 3, 6, 12\)"),
    (np.full((6, 12), np.nan), "NaN"),
    (np.zeros((0, 12)), "at least one"),
    (np.array([["a"] * 12]), "not numeric"),
])
def test_bad_input_is_refused_before_the_hardware(loaded, bad, message):
    acc, q, x = loaded
    with pytest.raises(ValueError, match=message):
        acc.run(bad)
    still_exact(acc, q, x)


def test_bad_file_and_too_large_model_leave_the_loaded_model_running(loaded, tmp_path, seed):
    acc, q, x = loaded
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a valid SHARP model file"):
        acc.load(sharp.LSTM.load(bad).quantize())
    with pytest.raises(ValueError, match=r"input_size=80 is outside 1..64"):
        acc.load(quantized(seed, 80, 8))
    with pytest.raises(TypeError, match="QuantizedLSTM"):
        acc.load(sharp.LSTM.random(12, 20, seed=seed))
    still_exact(acc, q, x)


def test_weights_that_exceed_the_buffer_are_refused(seed):
    # A 64x64 layer on 8 MAC lanes needs 2 x 2048 words at any grouping; this build has 16.
    tiny = sharp.HardwareConfig(2, 4, 64, 64, 16, 64)
    acc = sharp.Accelerator("golden", tiny, progress=False)
    with pytest.raises(ValueError, match=r"needs at least \d+ weight words; the budget is 16"):
        acc.load(quantized(seed, 64, 64))


def test_host_config_must_match_the_hardware():
    from sharp.ports.golden import GoldenPort
    with pytest.raises(ValueError, match=r"host config .*tiles=8.* does not match .*tiles=2"):
        sharp.Accelerator(GoldenPort(SMALL), DEFAULT, progress=False)


def test_run_before_load_and_bad_options_are_refused():
    with pytest.raises(RuntimeError, match="no model is loaded"):
        make("golden").run(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="mode=2"):
        make("golden", mode=2)
    with pytest.raises(ValueError, match="unknown backend 'fpga'"):
        sharp.Accelerator("fpga")
    with pytest.raises(RuntimeError, match="needs the pynq package"):  # off a board
        sharp.Accelerator("pynq")


def test_register_traffic_uses_only_contract_offsets(loaded):
    acc, q, x = loaded
    allowed = set(regmap.OFFSETS.values()) | {regmap.CTRL}
    seen = []
    port = acc.driver.port
    real_write, real_read = port.write, port.read
    port.write = lambda off, v: (seen.append(off), real_write(off, v))[1]
    port.read = lambda off: (seen.append(off), real_read(off))[1]
    still_exact(acc, q, x)
    assert seen and set(seen) <= allowed


def test_verilator_backend_stays_exact_under_stream_gaps_and_backpressure(rng, seed):
    from sharp.ports.verilator import VerilatorPort
    x = rng.standard_normal((3, 8, 12))
    q = quantized(seed, 12, 20, 2, x=x)
    port = VerilatorPort(SMALL, in_gap_prob=0.3, out_stall_prob=0.5, seed=seed)
    acc = sharp.Accelerator(port, SMALL, progress=False)
    acc.load(q)
    np.testing.assert_array_equal(acc.run(x, raw=True), golden(q, x))
    s = acc.stats
    unstalled = sum(sharp.cycle_model.estimate(SMALL, im.cell.input_size, im.cell.hidden_size, 8,
                                               im.plan.group_x, im.plan.group_h, 1,
                                               batch=3).cycles   # one RUN of the three
                    for im in acc.images)
    assert s.stall_input > 0 and s.cycles > unstalled
    assert s.cycles >= s.issue_cycles + s.stall_input + s.stall_dependency + s.stall_output


@pytest.mark.parametrize("backend", BACKENDS)
def test_switching_models_reloads_weights_but_not_tables(backend, rng, seed):
    from sharp.ports import open_port
    from sharp.ports import RecordingPort
    port = RecordingPort(open_port(backend, SMALL))
    acc = sharp.Accelerator(port, SMALL, progress=False)
    xa, xb = rng.standard_normal((5, 12)), rng.standard_normal((2, 4, 7))
    qa, qb = quantized(seed, 12, 20, x=xa), quantized(seed + 1, 7, 9, 2, True, xb)
    for q, x in ((qa, xa), (qb, xb), (qa, xa)):
        acc.load(q)
        np.testing.assert_array_equal(acc.run(x, raw=True), golden(q, x))
    opcodes = [args["opcode"] for args in started(port.log)]
    assert opcodes.count(regmap.OP_LOAD_TABLES) == 1
    assert opcodes.count(regmap.OP_LOAD_WEIGHTS) == 1 + 4 + 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_port_has_the_port_interface(backend):
    from sharp.ports import open_port
    from sharp.ports import Port, RecordingPort
    port = open_port(backend, SMALL)
    assert isinstance(port, Port) and isinstance(RecordingPort(port), Port)
    assert not isinstance(object(), Port)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("layers,size,resident", [
    (4, 16, True),    # 4 x 256 words and 4 x 16 bias units: exactly the 2x4 build's 1024 and 64
    (2, 32, False),   # 2 x 1024 words: each cell fills the weight buffer alone
])
def test_placement_at_the_buffer_limits(backend, layers, size, resident, rng, seed):
    x = rng.standard_normal((6, size))
    q = quantized(seed, size, size, layers, x=x)
    acc = make(backend)
    acc.load(q)
    assert acc.resident == resident
    if resident:
        last = acc.images[-1]
        assert last.wx_base + last.words == SMALL.weight_depth
        assert last.bias_base + size == SMALL.bias_depth
    np.testing.assert_array_equal(acc.run(x, raw=True), golden(q, x))
