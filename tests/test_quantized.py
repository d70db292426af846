"""The quantized (golden fixed-point) LSTM stays close to float, and reports saturation."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import sharp
from sharp.config import HF

SHAPES = [(8, 32), (40, 100), (64, 64), (1, 17), (16, 50), (128, 128), (120, 320)]


@pytest.mark.parametrize("input_size,hidden", SHAPES)
def test_quantized_close_to_float_over_100_steps(input_size, hidden, seed, rng):
    torch.manual_seed(seed)
    model = sharp.LSTM.from_torch(torch.nn.LSTM(input_size, hidden))
    x = rng.standard_normal((100, input_size))
    q = model.quantize(calibration=x)
    err = np.max(np.abs(q.forward(x) - model.forward(x)))
    print(f"max |dh| over T=100 for ({input_size}, {hidden}): {err:.2e}")
    assert err <= 2e-2
    assert q.last_input_saturated == 0
    assert sum(q.saturated.values()) == 0


def test_stacked_bidirectional_quantized_close_to_float(seed, rng):
    model = sharp.LSTM.random(12, 24, num_layers=2, bidirectional=True, seed=seed)
    x = rng.standard_normal((3, 50, 12))
    q = model.quantize(calibration=x)
    err = np.max(np.abs(q.forward(x) - model.forward(x)))
    print(f"max |dh| stacked bidirectional: {err:.2e}")
    assert err <= 2e-2


def test_raw_output_is_q15_int16(seed, rng):
    q = sharp.LSTM.random(5, 9, seed=seed).quantize()
    x = rng.standard_normal((7, 5))
    raw = q.forward(x, raw=True)
    assert raw.dtype == np.int16 and raw.shape == (7, 9)
    np.testing.assert_array_equal(q.forward(x), raw.astype(np.float64) / (1 << HF))


def test_input_saturation_is_counted(seed):
    q = sharp.LSTM.random(4, 4, seed=seed).quantize(calibration=np.ones((2, 4)))
    x = np.full((3, 4), 1e6)
    with pytest.warns(sharp.SaturationWarning):
        q.forward(x)
    assert q.last_input_saturated == x.size


def test_weight_saturation_is_counted(seed):
    model = sharp.LSTM.random(4, 4, seed=seed)
    # no int16 scale holds a weight of 1e6 next to small ones: it must saturate, and be counted
    model.layers[0][0].w_ih[0, 0] = 1e6
    with pytest.warns(sharp.SaturationWarning) as record:
        q = model.quantize()
    assert any("l0_d0_w_ih: 1 of 64 values saturated" in str(w.message) for w in record)
    assert q.saturated["l0_d0_w_ih"] >= 1


def inputs_with_outliers(rng, shape, count, value=3.0):
    """Values in [-0.5, 0.5] and `count` of them set to `value`."""
    x = rng.uniform(-0.5, 0.5, shape)
    x.flat[rng.choice(x.size, count, replace=False)] = value
    return x


def test_inputs_beyond_the_calibrated_range_warn_with_tensor_count_and_range(seed, rng):
    q = sharp.LSTM.random(5, 6, seed=seed).quantize(calibration=np.full((1, 5), 0.9))
    assert q.input_range == (-1.0, (2**15 - 1) / 2**15)  # 0.9 fits Q.15
    x = inputs_with_outliers(rng, (4, 7, 5), 9)
    with pytest.warns(sharp.SaturationWarning, match=r"input: 9 of 140 values saturated: they lie "
                      r"outside the range \[-1, 0\.999969\].*largest \|value\| 3\b"
                      r".*calibration data with largest \|x\| 0\.9"):
        q.forward(x)
    assert (q.last_input.saturated, q.last_input.size) == (9, 140)


def test_calibration_data_100x_too_small_is_reported_at_the_run(seed, rng):
    model = sharp.LSTM.random(5, 6, seed=seed)
    x = rng.integers(-16, 17, (3, 10, 5)) / 4  # quarters in [-4, 4]: none near a rounding edge
    q = model.quantize(calibration=x / 100)
    # calibration max <= 0.04: Q.15, which holds [-1, 1 - 2^-15]; -1 itself fits
    want = int(np.count_nonzero((x >= 1) | (x < -1)))
    with pytest.warns(sharp.SaturationWarning, match=rf"input: {want} of 150 values saturated"):
        q.forward(x)


def test_an_outlier_weight_that_zeroes_its_tensor_is_reported(seed):
    model = sharp.LSTM.random(40, 40, seed=seed)
    model.layers[0][0].w_hh[7, 3] = 1e5  # the case: 6399 of 6400 W_h entries became 0
    with pytest.warns(sharp.SaturationWarning) as record:
        q = model.quantize()
    text = " ".join(str(w.message) for w in record)
    assert "l0_d0_w_hh: 6399 of 6400 values became 0" in text
    assert "l0_d0_w_hh: 1 of 6400 values saturated" in text and "[-32768, 32767]" in text
    assert q.zeroed["l0_d0_w_hh"] == 6399 and q.saturated["l0_d0_w_hh"] == 1


def test_saturation_on_the_accelerator_is_warned_and_counted(seed, rng):
    q = sharp.LSTM.random(5, 6, seed=seed).quantize(calibration=np.full((1, 5), 0.9))
    acc = sharp.Accelerator("golden", progress=False)
    acc.load(q)
    x = inputs_with_outliers(rng, (2, 6, 5), 4)
    with pytest.warns(sharp.SaturationWarning, match="input: 4 of 60 values saturated"):
        acc.run(x)
    assert q.last_input.saturated == 4


def test_ordinary_model_and_inputs_raise_no_warning(seed, rng):
    torch.manual_seed(seed)
    model = sharp.LSTM.from_torch(torch.nn.LSTM(16, 50, 2, bidirectional=True))
    x = rng.standard_normal((60, 3, 16))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = model.quantize(calibration=x)
        q.forward(x)
    assert sum(q.zeroed.values()) <= 0.01 * sum(r.size for r in q.weight_quantization.values())


def test_variable_length_sequences_are_named_with_their_lengths(seed):
    """forward() and run() take one length; the error points to the call, which takes more."""
    model = sharp.LSTM.random(3, 4, seed=seed)
    ragged = [np.zeros((5, 3)), np.zeros((7, 3)), np.zeros((5, 3))]
    acc = sharp.Accelerator("golden", progress=False)
    acc.load(model.quantize())
    for run in (model.forward, model.quantize().forward, acc.run):
        with pytest.raises(ValueError, match=r"must all have one length, and lengths 5, 7 were "
                                             r"found.*model\(xs\) or acc\(xs\), takes"):
            run(ragged)


def test_bad_inputs_name_the_value(seed):
    q = sharp.LSTM.random(6, 5, seed=seed).quantize()
    with pytest.raises(ValueError, match=r"feature size 7 .* input_size 6"):
        q.forward(np.zeros((3, 7)))
    with pytest.raises(ValueError, match=r"shape \(6,\)"):
        q.forward(np.zeros(6))
    bad = np.zeros((3, 6))
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN or Inf .*\(1, 2\)"):
        q(bad)
    with pytest.raises(ValueError, match="dtype"):
        q.forward(np.array([["a"] * 6]))
