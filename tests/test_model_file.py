"""sharp.LSTM save/load to .npz (no pickle) and the errors for bad files."""
from __future__ import annotations

import numpy as np
import pytest

import sharp


def test_save_load_round_trip(tmp_path, seed, rng):
    model = sharp.LSTM.random(5, 6, num_layers=2, bidirectional=True, seed=seed)
    path = tmp_path / "m.npz"
    model.save(path)
    back = sharp.LSTM.load(path)
    x = rng.standard_normal((2, 4, 5))
    np.testing.assert_array_equal(back(x), model(x))
    assert (back.num_layers, back.bidirectional) == (2, True)


def test_pickled_object_arrays_are_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, input_size=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="not a valid SHARP model file"):
        sharp.LSTM.load(path)


def test_not_an_npz(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"definitely not a zip")
    with pytest.raises(ValueError, match="junk.npz is not a valid SHARP model file"):
        sharp.LSTM.load(path)


def test_missing_tensor_is_named(tmp_path, seed):
    model = sharp.LSTM.random(3, 4, seed=seed)
    full = tmp_path / "full.npz"
    model.save(full)
    with np.load(full) as f:
        data = {k: f[k] for k in f.files if k != "l0_d0_w_hh"}
    cut = tmp_path / "cut.npz"
    np.savez(cut, **data)
    with pytest.raises(ValueError, match="l0_d0_w_hh"):
        sharp.LSTM.load(cut)


def test_wrong_tensor_shape_is_named(tmp_path, seed):
    model = sharp.LSTM.random(3, 4, seed=seed)
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as f:
        data = {k: f[k] for k in f.files}
    data["l0_d0_w_ih"] = np.zeros((16, 9))
    np.savez(tmp_path / "bad.npz", **data)
    with pytest.raises(ValueError, match=r"w_ih has shape \(16, 9\), expected \(16, 3\)"):
        sharp.LSTM.load(tmp_path / "bad.npz")
