"""The quantized (golden fixed-point) LSTM stays close to float, and reports saturation."""
from __future__ import annotations

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
    err = np.max(np.abs(q(x) - model(x)))
    print(f"max |dh| over T=100 for ({input_size}, {hidden}): {err:.2e}")
    assert err <= 2e-2
    assert q.last_input_saturated == 0
    assert sum(q.saturated.values()) == 0


def test_stacked_bidirectional_quantized_close_to_float(seed, rng):
    model = sharp.LSTM.random(12, 24, num_layers=2, bidirectional=True, seed=seed)
    x = rng.standard_normal((3, 50, 12))
    q = model.quantize(calibration=x)
    err = np.max(np.abs(q(x) - model(x)))
    print(f"max |dh| stacked bidirectional: {err:.2e}")
    assert err <= 2e-2


def test_raw_output_is_q15_int16(seed, rng):
    q = sharp.LSTM.random(5, 9, seed=seed).quantize()
    x = rng.standard_normal((7, 5))
    raw = q(x, raw=True)
    assert raw.dtype == np.int16 and raw.shape == (7, 9)
    np.testing.assert_array_equal(q(x), raw.astype(np.float64) / (1 << HF))


def test_input_saturation_is_counted(seed):
    q = sharp.LSTM.random(4, 4, seed=seed).quantize(calibration=np.ones((2, 4)))
    x = np.full((3, 4), 1e6)
    q(x)
    assert q.last_input_saturated == x.size


def test_weight_saturation_is_counted(seed):
    model = sharp.LSTM.random(4, 4, seed=seed)
    # no int16 scale holds a weight of 1e6 next to small ones: it must saturate, and be counted
    model.layers[0][0].w_ih[0, 0] = 1e6
    q = model.quantize()
    assert q.saturated["l0_d0_w_ih"] >= 1


def test_bad_inputs_name_the_value(seed):
    q = sharp.LSTM.random(6, 5, seed=seed).quantize()
    with pytest.raises(ValueError, match=r"feature size 7 .* input_size 6"):
        q(np.zeros((3, 7)))
    with pytest.raises(ValueError, match=r"shape \(6,\)"):
        q(np.zeros(6))
    bad = np.zeros((3, 6))
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN or Inf .*\(1, 2\)"):
        q(bad)
    with pytest.raises(ValueError, match="dtype"):
        q(np.array([["a"] * 6]))
