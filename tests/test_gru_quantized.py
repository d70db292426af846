"""The quantized GRU: close to torch's float GRU, its file (cell "gru"), and files of one cell
type refused by the classes of the other, naming what was found and what is read."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import sharp
from sharp.config import CONTRACT_VERSION, ZF


def arrays(path):
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def rewrite(tmp_path, path, name="bad.npz", **changes):
    data = arrays(path)
    for k, v in changes.items():
        if v is None:
            del data[k]
        else:
            data[k] = v
    out = tmp_path / name
    np.savez(out, **data)
    return out


@pytest.mark.parametrize("shape", [(1, 1, 1, False), (16, 64, 2, True), (40, 128, 1, False)])
def test_quantized_gru_tracks_torch_over_100_steps(shape, seed, rng):
    i, h, layers, bidirectional = shape
    torch.manual_seed(seed)
    module = torch.nn.GRU(i, h, layers, bidirectional=bidirectional, batch_first=True).double()
    x = rng.standard_normal((2, 100, i))
    with torch.no_grad():
        want = module(torch.from_numpy(x))[0].numpy()
    q = sharp.GRU.from_torch(module).quantize(calibration=x)
    assert isinstance(q, sharp.QuantizedGRU) and q.cell == "gru"
    assert np.max(np.abs(q.forward(x) - want)) <= 2e-2


def test_quantized_biases_follow_the_contract(seed):
    model = sharp.GRU.random(5, 6, seed=seed)
    w = model.layers[0][0]
    cell = model.quantize().layers[0][0]
    assert cell.kind == "gru" and cell.gates == 3 and cell.w_x.shape == (18, 5)
    b_r, b_u, b_in = np.split(w.b_ih, 3)
    h_r, h_u, b_hn = np.split(w.b_hh, 3)
    q12 = lambda v: np.floor(v * (1 << ZF) + 0.5).astype(np.int64)  # §3's quantizing rule
    np.testing.assert_array_equal(cell.bias, q12(np.r_[b_r + h_r, b_u + h_u, b_in]))
    np.testing.assert_array_equal(cell.bias_hn, q12(b_hn))
    assert set(cell.quantization) == {"w_ih", "w_hh", "bias", "bias_hn"}


def gru_file(tmp_path, seed, rng, batch_first=True):
    model = sharp.GRU.random(6, 9, num_layers=2, bidirectional=True, seed=seed,
                             batch_first=batch_first)
    q = model.quantize(calibration=rng.uniform(-3, 3, (4, 7, 6)))
    return model, q, q.save(tmp_path / "gru_q.npz"), model.save(tmp_path / "gru_f.npz")


@pytest.mark.parametrize("batch_first", [True, False])
def test_gru_files_round_trip_bit_identically(batch_first, tmp_path, seed, rng):
    model, q, qpath, fpath = gru_file(tmp_path, seed, rng, batch_first)
    data = arrays(qpath)
    assert (int(data["format_version"]), str(data["kind"]), str(data["cell"])) == \
        (3, "quantized", "gru")
    assert int(data["contract_version"]) == CONTRACT_VERSION
    assert data["l1_d1_bias_hn"].dtype == np.int32 and data["l1_d1_bias_hn"].shape == (9,)
    assert data["l0_d0_w_h"].shape == (27, 9)
    assert str(arrays(fpath)["cell"]) == "gru"
    back = sharp.QuantizedGRU.load(qpath)
    assert isinstance(sharp.load(qpath), sharp.QuantizedGRU)
    assert back.batch_first == batch_first and back.input_frac == q.input_frac
    x = rng.uniform(-3, 3, (3, 8, 6))
    np.testing.assert_array_equal(back.forward(x, raw=True), q.forward(x, raw=True))
    assert back.saturated == q.saturated and back.zeroed == q.zeroed
    floats = sharp.GRU.load(fpath)
    assert isinstance(sharp.load(fpath), sharp.GRU)
    np.testing.assert_array_equal(floats.forward(x), model.forward(x))


def test_a_file_of_one_cell_is_refused_by_the_other_cells_classes(tmp_path, seed, rng):
    _, _, gq, gf = gru_file(tmp_path, seed, rng)
    lstm = sharp.LSTM.random(6, 9, seed=seed)
    lf = lstm.save(tmp_path / "lstm_f.npz")
    lq = lstm.quantize().save(tmp_path / "lstm_q.npz")
    for reader, path, use in [(sharp.LSTM, gf, "sharp.GRU"), (sharp.QuantizedLSTM, gq,
                                                             "sharp.QuantizedGRU"),
                              (sharp.QuantizedLSTM, gf, "sharp.GRU")]:
        with pytest.raises(ValueError, match=rf"{path.name} holds a GRU model \(cell 'gru'\), "
                           rf"and sharp\.{reader.__name__}\.load reads LSTM models \(cell "
                           rf"'lstm'\); load it with {use}\.load"):
            reader.load(path)
    for reader, path, use in [(sharp.GRU, lf, "sharp.LSTM"), (sharp.QuantizedGRU, lq,
                                                             "sharp.QuantizedLSTM")]:
        with pytest.raises(ValueError, match=rf"{path.name} holds a LSTM model \(cell 'lstm'\), "
                           rf"and sharp\.{reader.__name__}\.load reads GRU models \(cell "
                           rf"'gru'\); load it with {use}\.load"):
            reader.load(path)
    with pytest.raises(ValueError, match="is a quantized model file; load it with "
                                         r"sharp\.QuantizedGRU\.load"):
        sharp.GRU.load(gq)
    with pytest.raises(ValueError, match=r"is a float model file; quantize it first: "
                                         r"sharp\.GRU\.load\(path\)\.quantize"):
        sharp.QuantizedGRU.load(gf)
    with pytest.raises(TypeError, match=r"sharp\.QuantizedLSTM\.from_float takes a float "
                                        r"sharp\.LSTM; got a sharp\.GRU"):
        sharp.QuantizedLSTM.from_float(sharp.GRU.random(2, 3, seed=seed))


def test_lstm_files_of_older_versions(tmp_path, seed, rng):
    """Contract version 2 changed the LSTM's number format (Q.16 biases): a quantized file of
    version 1 is refused with the way out; a float file of format 2 (no `cell`) still loads."""
    lstm = sharp.LSTM.random(6, 9, seed=seed)
    q = lstm.quantize()
    v1 = rewrite(tmp_path, q.save(tmp_path / "q.npz"), "v1.npz", format_version=np.array(2),
                 cell=None, contract_version=np.array(1))
    x = rng.uniform(-3, 3, (2, 5, 6))
    with pytest.raises(ValueError, match=r"quantized for contract version 1; .* reads LSTM files "
                                         r"of versions 2\.\.2 .*quantize the float model again"):
        sharp.load(v1)
    f2 = rewrite(tmp_path, lstm.save(tmp_path / "f.npz"), "f2.npz", format_version=np.array(2),
                 cell=None)
    assert isinstance(sharp.LSTM.load(f2), sharp.LSTM)
    np.testing.assert_array_equal(sharp.load(f2).forward(x), lstm.forward(x))


@pytest.mark.parametrize("changes,message", [
    ({"contract_version": np.array(1)}, r"quantized for contract version 1; this host speaks "
                                        r"version 2 and reads GRU files of versions 2\.\.2"),
    ({"cell": np.array("rnn")}, "cell must be one of lstm, gru, found 'rnn'"),
    ({"cell": None}, "cell must be one of lstm, gru, found nothing"),
    ({"l0_d1_bias_hn": None}, "missing l0_d1_bias_hn"),
    ({"l0_d0_bias_hn": np.zeros(8, dtype=np.int32)},
     r"l0_d0_bias_hn has shape \(8,\), expected \(9,\)"),
    ({"l0_d0_bias_hn": np.zeros(9, dtype=np.int64)}, "l0_d0_bias_hn must be int32"),
    ({"l0_d0_w_x": np.zeros((36, 6), dtype=np.int16)},
     r"l0_d0_w_x has shape \(36, 6\), expected \(27, 6\)"),
    ({"l0_d0_saturated": np.zeros(3, dtype=np.int64)}, "must each hold 4 numbers "
                                                       r"\(w_ih, w_hh, bias, bias_hn\)"),
])
def test_bad_gru_files_name_the_file_and_the_problem(changes, message, tmp_path, seed, rng):
    _, _, qpath, _ = gru_file(tmp_path, seed, rng)
    bad = rewrite(tmp_path, qpath, **changes)
    with pytest.raises(ValueError, match=message) as err:
        sharp.load(bad)
    assert "bad.npz" in str(err.value)


def test_loading_a_gru_file_repeats_its_quantization_warnings(tmp_path, seed):
    model = sharp.GRU.random(8, 10, seed=seed)
    model.layers[0][0].b_hh[25] = 1e7  # b_hn of unit 5: beyond int32 in Q.12
    with pytest.warns(sharp.SaturationWarning, match="l0_d0_bias_hn: 1 of 10 values saturated"):
        q = model.quantize()
    path = q.save(tmp_path / "q.npz")
    with pytest.warns(sharp.SaturationWarning, match=r"l0_d0_bias_hn: 1 of 10 .*recorded in"):
        sharp.QuantizedGRU.load(path)
