"""sharp.Accelerator with GRU models: bit-exact with the quantized model's golden forward, beside
LSTM layers, with capacity errors that name the value and the limit, and usable after each."""
from __future__ import annotations

import numpy as np
import pytest

import sharp
from sharp import regmap
from sharp.config import HF
from sharp.ports import RecordingPort, open_port

from register_log import started

SMALL = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)
BACKENDS = ["golden", "verilator", "hls"]
# each backend on a build its other tests compile anyway (the RTL's 2x4, the HLS tests' 8x16)
BUILDS = {"golden": SMALL, "verilator": SMALL,
          "hls": sharp.HardwareConfig(8, 16, 64, 64, 1024, 128)}


def make(backend, config=None, **kw):
    return sharp.Accelerator(backend, config or BUILDS[backend], progress=False, **kw)


def quantized_gru(seed, input_size, hidden, layers=1, bidirectional=False, x=None):
    return sharp.GRU.random(input_size, hidden, layers, bidirectional, seed=seed).quantize(
        calibration=x)


def golden(q, x):
    x_int, batched = q.quantize_input(x)
    out = q.run_int(x_int)
    return out if batched else out[0]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, True)])
def test_gru_bit_exact_with_golden(backend, layers, bidirectional, rng, seed):
    x = rng.standard_normal((3, 9, 12))
    q = quantized_gru(seed, 12, 20, layers, bidirectional, x)
    acc = make(backend)
    acc.load(q)
    raw = acc.run(x, raw=True)
    assert raw.dtype == np.int16 and raw.shape == (3, 9, 20 * q.num_directions)
    np.testing.assert_array_equal(raw, golden(q, x))
    np.testing.assert_array_equal(acc.run(x), raw.astype(np.float64) / (1 << HF))
    s = acc.stats
    assert s.runs == layers * q.num_directions and s.sequences == 3   # a RUN of all three
    # 3H rows: no lane-cycles counted for a fourth gate
    assert s.active_lane_cycles == 3 * 9 * sum(3 * c.hidden_size * (c.input_size + c.hidden_size)
                                               for dirs in q.layers for c in dirs)
    assert "GRU 12->20" in acc.describe()


def test_a_gru_run_starts_with_the_cell_register_set_to_gru(rng, seed):
    port = RecordingPort(open_port("golden", SMALL))
    acc = sharp.Accelerator(port, SMALL, progress=False)
    x = rng.standard_normal((4, 6))
    acc.load(quantized_gru(seed, 6, 5, x=x))
    acc.run(x)
    runs = [args for args in started(port.log) if args["opcode"] == regmap.OP_RUN]
    assert len(runs) == 1 and runs[0]["cell"] == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_lstm_and_gru_models_alternate_on_one_accelerator(backend, rng, seed):
    x = rng.standard_normal((2, 5, 7))
    gru = quantized_gru(seed, 7, 9, 2, True, x)
    lstm = sharp.LSTM.random(7, 9, 2, True, seed=seed).quantize(calibration=x)
    acc = make(backend)
    for q in (gru, lstm, gru):
        acc.load(q)
        assert acc.resident
        np.testing.assert_array_equal(acc.run(x, raw=True), golden(q, x))


def test_golden_backend_counters_follow_the_cycle_model_for_3h_rows(rng, seed):
    x = rng.standard_normal((11, 12))
    q = quantized_gru(seed, 12, 20, x=x)
    acc = make("golden")
    acc.load(q, steps_hint=11)
    acc.run(x)
    p = acc.images[0].plan
    assert p.cell == "gru" and p.rows == 60
    want = sharp.cycle_model.estimate(SMALL, 12, 20, 11, p.group_x, p.group_h, 1, "gru")
    assert (acc.stats.run_cycles, acc.stats.issue_cycles, acc.stats.stall_dependency) == \
        (want.cycles, want.issue_cycles, want.stall_dependency)


def test_a_gru_beyond_the_weight_buffer_is_refused_and_the_loaded_model_keeps_running(rng, seed):
    # A 64x64 GRU on the 8 MAC lanes of a 2x4 build: 192 rows x 64 columns take 1536 words per
    # matrix at either grouping (192/2 batches x 64/4 chunks, or 192 x 64/8), 3072 in all; an
    # LSTM of the same shape would take 4096.
    fits = sharp.HardwareConfig(2, 4, 64, 64, 3072, 64)
    acc = make("golden", fits)
    big = quantized_gru(seed, 64, 64)
    acc.load(big)
    assert acc.images[0].words == 3072
    tight = make("golden", sharp.HardwareConfig(2, 4, 64, 64, 3071, 64))
    x = rng.standard_normal((4, 8))
    small = quantized_gru(seed, 8, 6, x=x)
    tight.load(small)
    with pytest.raises(ValueError, match=r"layer 0 direction 0: a 64x64 GRU layer needs at "
                                         r"least 3072 weight words; the budget is 3071"):
        tight.load(big)
    np.testing.assert_array_equal(tight.run(x, raw=True), golden(small, x))
    with pytest.raises(ValueError, match=r"hidden_size=65 is outside 1\.\.64"):
        tight.load(quantized_gru(seed, 8, 65))
    with pytest.raises(TypeError, match="takes a sharp.QuantizedLSTM or sharp.QuantizedGRU, "
                                        "not GRU"):
        tight.load(sharp.GRU.random(8, 6, seed=seed))
    np.testing.assert_array_equal(tight.run(x, raw=True), golden(small, x))
    assert tight.model is small


def test_a_stacked_gru_too_large_to_stay_resident_is_reloaded_per_cell(rng, seed):
    # two 32x32 GRU cells of 768 words each (96 rows x 32 columns at 8 lanes): one fits the
    # 1024-word buffer, two do not
    x = rng.standard_normal((2, 4, 32))
    q = quantized_gru(seed, 32, 32, 2, x=x)
    acc = make("golden")
    acc.load(q)
    assert not acc.resident and [im.words for im in acc.images] == [768, 768]
    np.testing.assert_array_equal(acc.run(x, raw=True), golden(q, x))
    assert acc.stats.operations["LOAD_WEIGHTS"].count >= 1
