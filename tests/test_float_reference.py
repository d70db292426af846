"""The numpy float LSTM equals torch.nn.LSTM (gate order i, f, g, o; both biases)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import sharp

SIZES = [1, 3, 17, 100, 257]


def random_case(rng):
    input_size = int(rng.choice(SIZES + list(rng.integers(1, 64, 3))))
    hidden = int(rng.choice(SIZES + list(rng.integers(1, 64, 3))))
    return dict(input_size=input_size, hidden_size=hidden, num_layers=int(rng.integers(1, 4)),
                bidirectional=bool(rng.integers(0, 2)), batch_first=bool(rng.integers(0, 2)))


def torch_output(module, x: np.ndarray) -> np.ndarray:
    """torch's output for x in torch's own layout (the module's batch_first)."""
    with torch.no_grad():
        out, _ = module(torch.from_numpy(x))
    return out.numpy()


@pytest.mark.parametrize("case", range(24))
def test_float_model_matches_torch(case, seed, rng):
    torch.manual_seed(seed)
    kw = random_case(rng)
    module = torch.nn.LSTM(**kw).double()
    model = sharp.LSTM.from_torch(module)
    batch, steps = int(rng.integers(1, 4)), int(rng.integers(1, 12))
    x_btf = rng.standard_normal((batch, steps, kw["input_size"]))
    x = x_btf if kw["batch_first"] else x_btf.transpose(1, 0, 2)  # torch's layout
    expected = torch_output(module, x)
    got = model.forward(x)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0, err_msg=str(kw))
    # an unbatched (T, I) input gives the first sequence, in either layout
    first = expected[0] if kw["batch_first"] else expected[:, 0]
    np.testing.assert_allclose(model.forward(x_btf[0]), first, atol=1e-5, rtol=0)


@pytest.mark.parametrize("shape", [(1, 1), (3, 17), (100, 257), (257, 100)])
def test_fixed_sizes_match_torch(shape, seed, rng):
    torch.manual_seed(seed)
    module = torch.nn.LSTM(shape[0], shape[1], batch_first=True).double()
    x = rng.standard_normal((2, 5, shape[0]))
    np.testing.assert_allclose(sharp.LSTM.from_torch(module).forward(x), torch_output(module, x),
                               atol=1e-5, rtol=0)


def test_random_uses_torch_default_range(seed):
    model = sharp.LSTM.random(7, 25, num_layers=2, bidirectional=True, seed=seed)
    bound = 1 / np.sqrt(25)
    for dirs in model.layers:
        for cell in dirs:
            for w in (cell.w_ih, cell.w_hh, cell.b_ih, cell.b_hh):
                assert np.all(np.abs(w) <= bound)
    assert model.layers[1][0].w_ih.shape == (100, 50)


@pytest.mark.parametrize("make,name,extra", [
    (lambda: torch.nn.GRU(4, 5), "torch.nn.GRU", "Pass it to sharp.GRU.from_torch"),
    (lambda: torch.nn.RNN(4, 5), "torch.nn.RNN", "RNN layers are not supported yet"),
    (lambda: torch.nn.LSTMCell(4, 5), "torch.nn.LSTMCell", "copy its weights into an nn.LSTM"),
    (lambda: torch.nn.Linear(4, 5), "torch.nn.Linear", ""),
    (lambda: torch.nn.Sequential(torch.nn.LSTM(4, 5)), "torch.nn.Sequential",
     "contains an nn.LSTM at '0': pass that submodule"),
])
def test_from_torch_names_the_module_given_and_what_is_accepted(make, name, extra):
    with pytest.raises(TypeError, match=f"from_torch takes a torch.nn.LSTM; got {name}") as err:
        sharp.LSTM.from_torch(make())
    assert extra in str(err.value)
