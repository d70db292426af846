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
    np.testing.assert_array_equal(back.forward(x), model.forward(x))
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


def saved_arrays(tmp_path, seed, **kw):
    sharp.LSTM.random(3, 4, seed=seed, **kw).save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as f:
        return {k: f[k] for k in f.files}


def test_a_text_file_is_named_and_no_pickle_is_suggested(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("input_size = 3\n")
    with pytest.raises(ValueError) as err:
        sharp.load(path)
    text = str(err.value)
    assert "notes.txt is not a valid SHARP model file" in text and "zip archive" in text
    assert "pickle" not in text


def test_an_npy_array_passed_as_a_model_is_named(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"x\.npy is not a valid SHARP model file .*single \.npy"):
        sharp.LSTM.load(tmp_path / "x.npy")


@pytest.mark.parametrize("value", [np.array("abc"), np.array(2.5), np.array([1, 2])])
def test_a_format_version_that_is_not_an_integer_names_the_file(value, tmp_path, seed):
    data = saved_arrays(tmp_path, seed)
    data["format_version"] = value
    np.savez(tmp_path / "fv.npz", **data)
    with pytest.raises(ValueError, match=r"fv\.npz: format_version must be an integer scalar, found"):
        sharp.LSTM.load(tmp_path / "fv.npz")


def test_an_unknown_format_version_names_the_readable_ones(tmp_path, seed):
    data = saved_arrays(tmp_path, seed)
    data["format_version"] = np.array(9)
    np.savez(tmp_path / "v9.npz", **data)
    with pytest.raises(ValueError, match=r"v9\.npz has format_version 9; .* reads 1, 2"):
        sharp.LSTM.load(tmp_path / "v9.npz")


@pytest.mark.parametrize("key,value", [("num_layers", 1), ("num_directions", 1)])
def test_tensors_beyond_num_layers_or_directions_are_refused(key, value, tmp_path, seed):
    data = saved_arrays(tmp_path, seed, num_layers=2, bidirectional=True)
    data[key] = np.array(value)
    np.savez(tmp_path / "short.npz", **data)
    with pytest.raises(ValueError, match=r"short\.npz holds arrays that num_layers=.* do not "
                                         r"account for: l\d_d\d_b_hh"):
        sharp.LSTM.load(tmp_path / "short.npz")


def test_a_size_that_disagrees_with_the_tensors_names_the_file(tmp_path, seed):
    data = saved_arrays(tmp_path, seed)
    data["hidden_size"] = np.array(5)
    np.savez(tmp_path / "hs.npz", **data)
    with pytest.raises(ValueError, match=r"hs\.npz: layer 0 direction 0: w_ih has shape"):
        sharp.LSTM.load(tmp_path / "hs.npz")
