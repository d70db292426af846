"""The numpy float GRU equals torch.nn.GRU (gate order r, z, n; b_hn inside r's product), and
from_torch says what it got and what it takes for every module it refuses."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import sharp

from test_float_reference import random_case, torch_output  # the LSTM's shapes and torch call


@pytest.mark.parametrize("case", range(20))
def test_float_gru_matches_torch(case, seed, rng):
    torch.manual_seed(seed)
    kw = random_case(rng)
    if case < 4:  # the always-present corners: stacked, bidirectional, both layouts
        kw.update(num_layers=1 + case % 2 + 1, bidirectional=True, batch_first=case < 2)
    module = torch.nn.GRU(**kw).double()
    model = sharp.GRU.from_torch(module)
    assert (model.num_layers, model.bidirectional, model.batch_first) == \
        (kw["num_layers"], kw["bidirectional"], kw["batch_first"])
    batch, steps = int(rng.integers(1, 4)), int(rng.integers(1, 12))
    x_btf = rng.standard_normal((batch, steps, kw["input_size"]))
    x = x_btf if kw["batch_first"] else x_btf.transpose(1, 0, 2)  # torch's layout
    expected = torch_output(module, x)
    got = model.forward(x)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0, err_msg=str(kw))
    first = expected[0] if kw["batch_first"] else expected[:, 0]
    np.testing.assert_allclose(model.forward(x_btf[0]), first, atol=1e-5, rtol=0)


def test_b_hn_stays_inside_the_reset_product(seed, rng):
    """Only b_hn is scaled by r: moving it into b_in (where an LSTM-style sum would put it)
    changes the output, and torch agrees with the model that keeps it inside."""
    torch.manual_seed(seed)
    module = torch.nn.GRU(3, 4, batch_first=True).double()
    with torch.no_grad():
        module.bias_hh_l0[8:] = 2.0  # b_hn, large so the difference shows
    model = sharp.GRU.from_torch(module)
    x = rng.standard_normal((2, 6, 3))
    np.testing.assert_allclose(model.forward(x), torch_output(module, x), atol=1e-5, rtol=0)
    w = model.layers[0][0]
    moved = sharp.GRU(3, 4, [[sharp.model.CellWeights(
        w.w_ih, w.w_hh, w.b_ih + np.r_[np.zeros(8), w.b_hh[8:]], np.r_[w.b_hh[:8], np.zeros(4)])]])
    assert np.max(np.abs(moved.forward(x) - model.forward(x))) > 1e-3


def test_random_uses_torch_default_range_and_3h_rows(seed):
    model = sharp.GRU.random(7, 25, num_layers=2, bidirectional=True, seed=seed)
    bound = 1 / np.sqrt(25)
    for dirs in model.layers:
        for w in dirs:
            for t in (w.w_ih, w.w_hh, w.b_ih, w.b_hh):
                assert np.all(np.abs(t) <= bound)
    assert model.layers[0][0].w_hh.shape == (75, 25)
    assert model.layers[1][0].w_ih.shape == (75, 50)
    assert repr(model).startswith("sharp.GRU(input_size=7, hidden_size=25, num_layers=2")


def test_weights_of_the_wrong_rows_are_refused_naming_the_cell(seed):
    lstm_weights = sharp.LSTM.random(3, 5, seed=seed).layers
    with pytest.raises(ValueError, match=r"w_ih has shape \(20, 3\), expected \(15, 3\) for a "
                                         r"GRU \(3·5 rows\)"):
        sharp.GRU(3, 5, lstm_weights)


@pytest.mark.parametrize("make,name,extra", [
    (lambda: torch.nn.LSTM(4, 5), "torch.nn.LSTM", "Pass it to sharp.LSTM.from_torch"),
    (lambda: torch.nn.RNN(4, 5), "torch.nn.RNN", "SHARP runs LSTM and GRU layers"),
    (lambda: torch.nn.GRUCell(4, 5), "torch.nn.GRUCell",
     "copy its weights into an nn.GRU(input_size, hidden_size)"),
    (lambda: torch.nn.Linear(4, 5), "torch.nn.Linear", ""),
    (lambda: torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.GRU(4, 5)),
     "torch.nn.Sequential", "contains an nn.GRU at '1': pass that submodule to sharp.GRU"),
    (lambda: torch.nn.Sequential(torch.nn.LSTM(4, 5)), "torch.nn.Sequential",
     "contains an nn.LSTM at '0': pass that submodule to sharp.LSTM.from_torch"),
])
def test_gru_from_torch_names_the_module_given_and_what_is_accepted(make, name, extra):
    with pytest.raises(TypeError, match=f"sharp.GRU.from_torch takes a torch.nn.GRU; got {name}"
                       ) as err:
        sharp.GRU.from_torch(make())
    assert extra in str(err.value)


def test_lstm_from_torch_points_a_gru_to_sharp_gru():
    with pytest.raises(TypeError, match=r"sharp\.LSTM\.from_torch takes a torch\.nn\.LSTM; got "
                                        r"torch\.nn\.GRU\. Pass it to sharp\.GRU\.from_torch"):
        sharp.LSTM.from_torch(torch.nn.GRU(4, 5))
    with pytest.raises(TypeError, match="contains an nn.GRU at 'rnn'"):
        sharp.LSTM.from_torch(torch.nn.ModuleDict({"rnn": torch.nn.GRU(4, 5)}))


@pytest.mark.parametrize("cls,make,message", [
    (sharp.LSTM, lambda: torch.nn.LSTM(4, 5, proj_size=3),
     r"torch\.nn\.LSTM with proj_size=3 is not supported: .*proj_size=0"),
    (sharp.GRU, lambda: torch.nn.GRU(4, 5, bias=False),
     r"torch\.nn\.GRU with bias=False is not supported: .*bias=True"),
])
def test_unsupported_options_name_the_value_and_what_is_taken(cls, make, message):
    with pytest.raises(ValueError, match=message):
        cls.from_torch(make())
