"""torch's batch layout (batch_first) is carried by the model: float, golden, Accelerator, file."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import sharp

SMALL = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)  # the builds the other host tests use
STACKS = [(1, False), (2, True)]  # one plain layer; stacked and bidirectional


def torch_lstm(seed, batch_first, layers, bidirectional, input_size=5, hidden=7):
    torch.manual_seed(seed)
    return torch.nn.LSTM(input_size, hidden, layers, bidirectional=bidirectional,
                         batch_first=batch_first).double()


def torch_output(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x))[0].numpy()


def torch_input(rng, batch_first, batch=3, steps=6, input_size=5):
    """A batch in torch's layout; T != B so a layout mix-up cannot pass."""
    x = rng.uniform(-2, 2, (batch, steps, input_size))
    return x if batch_first else np.ascontiguousarray(x.transpose(1, 0, 2))


@pytest.mark.parametrize("layers,bidirectional", STACKS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_float_model_matches_torch_in_its_layout(batch_first, layers, bidirectional, seed, rng):
    module = torch_lstm(seed, batch_first, layers, bidirectional)
    model = sharp.LSTM.from_torch(module)
    assert model.batch_first is batch_first
    x = torch_input(rng, batch_first)
    want = torch_output(module, x)
    got = model.forward(x)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-6, rtol=0)


@pytest.mark.parametrize("layers,bidirectional", STACKS)
def test_golden_model_honours_time_major(layers, bidirectional, seed, rng):
    module = torch_lstm(seed, False, layers, bidirectional)
    x = torch_input(rng, False)                  # (T, B, I)
    q = sharp.LSTM.from_torch(module).quantize(calibration=x)
    assert q.batch_first is False
    raw = q.forward(x, raw=True)
    assert raw.shape == (6, 3, 7 * (2 if bidirectional else 1))
    # each sequence alone, (T, I), gives its column of the batch: the layout is read right
    for b in range(x.shape[1]):
        np.testing.assert_array_equal(raw[:, b], q.forward(x[:, b], raw=True))
    assert np.max(np.abs(q.forward(x) - torch_output(module, x))) <= 2e-2


@pytest.mark.parametrize("backend", ["golden", "verilator"])
@pytest.mark.parametrize("layers,bidirectional", STACKS)
def test_accelerator_honours_time_major(backend, layers, bidirectional, seed, rng):
    module = torch_lstm(seed, False, layers, bidirectional)
    x = torch_input(rng, False)
    q = sharp.LSTM.from_torch(module).quantize(calibration=x)
    acc = sharp.Accelerator(backend, SMALL, progress=False)
    acc.load(q)
    raw = acc.run(x, raw=True)
    # the golden model, fed sequence by sequence, defines the bits
    want = np.stack([q.forward(x[:, b], raw=True) for b in range(x.shape[1])], axis=1)
    np.testing.assert_array_equal(raw, want)
    assert np.max(np.abs(acc.run(x) - torch_output(module, x))) <= 2e-2


def test_layout_is_saved_and_old_files_read_batch_first(tmp_path, seed, rng):
    module = torch_lstm(seed, False, 2, True)
    model = sharp.LSTM.from_torch(module)
    model.save(tmp_path / "tm.npz")
    back = sharp.LSTM.load(tmp_path / "tm.npz")
    assert back.batch_first is False
    x = torch_input(rng, False)
    np.testing.assert_allclose(back.forward(x), torch_output(module, x), atol=1e-6, rtol=0)
    # a format-1 file (written before batch_first existed) was always batch-first
    with np.load(tmp_path / "tm.npz") as f:
        data = {k: f[k] for k in f.files if k not in ("kind", "batch_first")}
    data["format_version"] = np.array(1)
    np.savez(tmp_path / "v1.npz", **data)
    assert sharp.LSTM.load(tmp_path / "v1.npz").batch_first is True


def test_shape_errors_name_the_layout(seed):
    model = sharp.LSTM.random(4, 5, seed=seed, batch_first=False)
    with pytest.raises(ValueError, match=r"\(T, B, 4\) \(time-major"):
        model.forward(np.zeros((2, 3, 4, 1)))
