"""The quantized model file: int16 weights and every scale, no pickle, a format version; a run
from the file is bit-identical to one from the in-memory model."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import sharp

SMALL = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)


def quantized_pair(tmp_path, seed, rng, batch_first=True):
    model = sharp.LSTM.random(6, 9, num_layers=2, bidirectional=True, seed=seed,
                              batch_first=batch_first)
    q = model.quantize(calibration=rng.uniform(-3, 3, (4, 7, 6)))
    path = tmp_path / "q.npz"
    q.save(path)
    return q, path


def arrays(path):
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def test_file_holds_int16_weights_every_scale_and_a_version(tmp_path, seed, rng):
    q, path = quantized_pair(tmp_path, seed, rng)
    assert q.save(tmp_path / "named") == tmp_path / "named.npz"  # as np.savez names it
    data = arrays(path)  # allow_pickle=False: nothing in it needs pickle
    assert int(data["format_version"]) == 3 and str(data["kind"]) == "quantized"
    assert str(data["cell"]) == "lstm"
    assert int(data["contract_version"]) == sharp.config.CONTRACT_VERSION
    assert all(a.dtype != object for a in data.values())
    for li, dirs in enumerate(q.layers):
        for d, cell in enumerate(dirs):
            p = f"l{li}_d{d}_"
            assert data[p + "w_x"].dtype == np.int16 and data[p + "w_h"].dtype == np.int16
            assert data[p + "bias"].dtype == np.int32
            np.testing.assert_array_equal(data[p + "w_x"], cell.w_x)
            assert (int(data[p + "frac_x"]), int(data[p + "frac_wx"]), int(data[p + "frac_wh"])) \
                == (cell.frac_x, cell.frac_wx, cell.frac_wh)


@pytest.mark.parametrize("batch_first", [True, False])
def test_loaded_model_is_bit_identical_on_golden(batch_first, tmp_path, seed, rng):
    q, path = quantized_pair(tmp_path, seed, rng, batch_first)
    back = sharp.QuantizedLSTM.load(path)
    assert isinstance(sharp.load(path), sharp.QuantizedLSTM)
    assert (back.batch_first, back.input_frac, back.calibration_max_abs) == \
        (batch_first, q.input_frac, q.calibration_max_abs)
    x = rng.uniform(-3, 3, (5, 8, 6))
    np.testing.assert_array_equal(back.forward(x, raw=True), q.forward(x, raw=True))
    assert back.saturated == q.saturated and back.zeroed == q.zeroed


def test_loaded_model_is_bit_identical_on_verilator(tmp_path, seed, rng):
    q, path = quantized_pair(tmp_path, seed, rng)
    x = rng.uniform(-3, 3, (2, 5, 6))
    outputs = []
    for model in (q, sharp.QuantizedLSTM.load(path)):
        acc = sharp.Accelerator("verilator", SMALL, progress=False)
        acc.load(model)
        outputs.append(acc.run(x, raw=True))
    np.testing.assert_array_equal(outputs[1], outputs[0])
    np.testing.assert_array_equal(outputs[0], q.forward(x, raw=True))


def test_one_loader_for_both_kinds_and_each_class_refuses_the_other(tmp_path, seed, rng):
    model = sharp.LSTM.random(6, 9, seed=seed)
    model.save(tmp_path / "f.npz")
    _, qpath = quantized_pair(tmp_path, seed, rng)
    assert isinstance(sharp.load(tmp_path / "f.npz"), sharp.LSTM)
    with pytest.raises(ValueError, match="f.npz is a float model file; quantize it first"):
        sharp.QuantizedLSTM.load(tmp_path / "f.npz")
    with pytest.raises(ValueError, match="q.npz is a quantized model file"):
        sharp.LSTM.load(qpath)


def tampered(tmp_path, path, **changes):
    data = arrays(path)
    for k, v in changes.items():
        if v is None:
            del data[k]
        else:
            data[k] = v
    out = tmp_path / "bad.npz"
    np.savez(out, **data)
    return out


@pytest.mark.parametrize("changes,message", [
    ({"l0_d0_frac_wx": np.array(30)}, r"l0_d0_frac_wx=30 is outside \d+\.\.24"),
    ({"l1_d0_frac_x": np.array(11)}, r"l1_d0_frac_x=11 is outside 15\.\.15"),
    ({"l0_d1_w_h": np.zeros((36, 9), dtype=np.int64)}, "l0_d1_w_h must be int16, found dtype int64"),
    ({"l0_d0_bias": np.zeros(35, dtype=np.int32)}, r"l0_d0_bias has shape \(35,\), expected \(36,\)"),
    ({"num_layers": np.array(1)}, "num_layers=1 and num_directions=2 do not account for: l1_d0_"),
    ({"contract_version": np.array(7)}, "quantized for contract version 7"),
    ({"l0_d0_w_x": None}, "missing l0_d0_w_x"),
    ({"kind": np.array("int8")}, "kind must be one of float, quantized"),
])
def test_bad_quantized_files_name_the_file_and_the_problem(changes, message, tmp_path, seed, rng):
    _, path = quantized_pair(tmp_path, seed, rng)
    bad = tampered(tmp_path, path, **changes)
    with pytest.raises(ValueError, match=message) as err:
        sharp.load(bad)
    assert "bad.npz" in str(err.value)


def test_loading_repeats_the_files_quantization_warnings(tmp_path, seed):
    model = sharp.LSTM.random(8, 10, seed=seed)
    model.layers[0][0].w_hh[3, 4] = 1e5  # an outlier: the rest of W_h rounds to 0
    with pytest.warns(sharp.SaturationWarning, match="l0_d0_w_hh"):
        q = model.quantize()
    q.save(tmp_path / "q.npz")
    with pytest.warns(sharp.SaturationWarning) as record:
        sharp.QuantizedLSTM.load(tmp_path / "q.npz")
    text = [str(w.message) for w in record]
    assert any(re.search(r"l0_d0_w_hh: 399 of 400 values became 0.*recorded in .*q\.npz", t)
               for t in text), text
    assert any("l0_d0_w_hh: 1 of 400 values saturated" in t for t in text), text


def test_a_clean_model_loads_without_warnings(tmp_path, seed, rng):
    _, path = quantized_pair(tmp_path, seed, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sharp.load(path)
