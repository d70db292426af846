"""torch's calling convention with carried state (sharp.state) on the float and the golden
quantized models of both cells: out, (h_n, c_n) = m(x, (h0, c0)) and out, h_n = m(x, h0)
against torch.nn.LSTM / nn.GRU for stacked and bidirectional models in both layouts, variable-
length batches (a list, lengths=, a PackedSequence) against torch's pack_padded_sequence, and
the state's errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import sharp

FLOAT = {"lstm": sharp.LSTM, "gru": sharp.GRU}
TORCH = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
QUANTIZED_TOLERANCE = 2e-2  # the quantized models' distance to torch in the other tests


def torch_case(cell, rng, seed, layers=2, bidirectional=True, batch_first=False, i=5, h=8):
    torch.manual_seed(seed)
    module = TORCH[cell](i, h, layers, bidirectional=bidirectional,
                         batch_first=batch_first).double()
    return module, FLOAT[cell].from_torch(module)


def random_state(cell, rng, shape):
    """h0 in (-1, 1), c0 beyond tanh's range, as carried c may be."""
    h0 = rng.uniform(-0.95, 0.95, shape)
    return (h0, rng.uniform(-3, 3, shape)) if cell == "lstm" else h0


def torch_call(module, x, state):
    as_t = lambda a: torch.from_numpy(np.asarray(a))
    hx = tuple(map(as_t, state)) if isinstance(state, tuple) else as_t(state)
    with torch.no_grad():
        out, final = module(x if isinstance(x, torch.nn.utils.rnn.PackedSequence) else as_t(x),
                            hx)
    final = tuple(f.numpy() for f in final) if isinstance(final, tuple) else final.numpy()
    return out, final


def tensors(state):
    return state if isinstance(state, tuple) else (state,)


def assert_close(got, want, atol):
    for g, w in zip(tensors(got), tensors(want)):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, atol=atol, rtol=0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_float_model_with_state_matches_torch(cell, batch_first, rng, seed):
    module, model = torch_case(cell, rng, seed, batch_first=batch_first)
    batch, steps = 3, 7
    x = rng.standard_normal((batch, steps, 5) if batch_first else (steps, batch, 5))
    state = random_state(cell, rng, (4, batch, 8))
    want_out, want_state = torch_call(module, x, state)
    out, final = model(x, state)
    np.testing.assert_allclose(out, want_out.numpy(), atol=1e-6, rtol=0)
    assert_close(final, want_state, 1e-6)
    # torch tensors are taken too, and an unbatched (T, I) input has (L*D, H) states
    one = x[0] if batch_first else x[:, 0]
    one_state = tuple(torch.from_numpy(s[:, 0]) for s in tensors(state))
    out1, final1 = model(torch.from_numpy(one), one_state if cell == "lstm" else one_state[0])
    np.testing.assert_allclose(out1, torch_call(module, one, tuple(
        s.numpy() for s in one_state) if cell == "lstm" else one_state[0].numpy())[0].numpy(),
        atol=1e-6, rtol=0)
    assert_close(final1, tuple(s[:, 0] for s in tensors(want_state)), 1e-6)
    # without a state: torch's zeros, and forward() keeps giving the outputs alone
    out0, final0 = model(x)
    np.testing.assert_allclose(out0, model.forward(x), atol=0, rtol=0)
    assert_close(final0, torch_call(module, x, tuple(np.zeros((4, batch, 8)) for _ in
                                                     tensors(state)) if cell == "lstm"
                                    else np.zeros((4, batch, 8)))[1], 1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_quantized_model_with_state_tracks_torch(cell, rng, seed):
    module, model = torch_case(cell, rng, seed, batch_first=True)
    x = rng.standard_normal((2, 30, 5))
    state = random_state(cell, rng, (4, 2, 8))
    q = model.quantize(calibration=x)
    out, final = q(x, state)
    want_out, want_state = torch_call(module, x, state)
    assert np.max(np.abs(out - want_out.numpy())) <= QUANTIZED_TOLERANCE
    assert_close(final, want_state, QUANTIZED_TOLERANCE)
    # raw: int16 outputs, int16 h and int32 c (Q.20, §3) whose floats are the values returned
    raw_out, raw_final = q(x, state, raw=True)
    assert raw_out.dtype == np.int16
    assert [s.dtype for s in tensors(raw_final)] == [np.int16, np.int32][:len(tensors(raw_final))]
    np.testing.assert_array_equal(raw_out / 2 ** 15, out)
    for r, f, frac in zip(tensors(raw_final), tensors(final), (15, 20)):
        np.testing.assert_array_equal(r / 2 ** frac, f)
    assert all(np.all(np.abs(r) < 2 ** 24) for r in tensors(raw_final))  # c within 25 bits


def padded(seqs):
    out = np.zeros((len(seqs), max(map(len, seqs)), seqs[0].shape[1]))
    for b, s in enumerate(seqs):
        out[b, :len(s)] = s
    return out


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_variable_lengths_match_torch_packed_sequences(cell, rng, seed):
    module, model = torch_case(cell, rng, seed, batch_first=True)
    lengths = [int(n) for n in rng.integers(1, 10, 4)]
    seqs = [rng.standard_normal((n, 5)) for n in lengths]
    state = random_state(cell, rng, (4, 4, 8))
    packed = pack_padded_sequence(torch.from_numpy(padded(seqs)), lengths, batch_first=True,
                                  enforce_sorted=False)
    want_packed, want_state = torch_call(module, packed, state)
    want, _ = pad_packed_sequence(want_packed, batch_first=True)
    # a PackedSequence in, a PackedSequence out, as torch
    got_packed, got_state = model(packed, state)
    assert isinstance(got_packed, torch.nn.utils.rnn.PackedSequence)
    torch.testing.assert_close(got_packed.batch_sizes, want_packed.batch_sizes)
    np.testing.assert_allclose(got_packed.data.numpy(), want_packed.data.numpy(), atol=1e-6,
                               rtol=0)
    assert_close(got_state, want_state, 1e-6)
    # a list: a list of outputs, each of its own length
    outs, list_state = model(seqs, state)
    for b, n in enumerate(lengths):
        np.testing.assert_allclose(outs[b], want[b, :n].numpy(), atol=1e-6, rtol=0)
    assert_close(list_state, want_state, 1e-6)
    # a padded batch with lengths: zeros past each length, as pad_packed_sequence
    pad_out, pad_state = model(padded(seqs), state, lengths=lengths)
    np.testing.assert_allclose(pad_out[:, :want.shape[1]], want.numpy(), atol=1e-6, rtol=0)
    assert not pad_out[:, want.shape[1]:].any()
    assert_close(pad_state, want_state, 1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_golden_variable_lengths_are_each_sequence_alone(cell, rng, seed):
    """Every sequence of a batch gets the bits it gets alone, final state included; the
    reverse direction reversed within its own length; what pads it does not matter."""
    _, model = torch_case(cell, rng, seed, batch_first=False)
    lengths = [int(n) for n in rng.integers(1, 9, 3)]
    seqs = [rng.standard_normal((n, 5)) for n in lengths]
    q = model.quantize(calibration=np.concatenate(seqs))
    state = random_state(cell, rng, (4, 3, 8))
    outs, final = q(seqs, state, raw=True)
    garbage = rng.standard_normal((max(lengths), 3, 5))  # time-major, as the model
    for b, s in enumerate(seqs):
        garbage[:len(s), b] = s
    pad_out, pad_final = q(garbage, state, lengths=np.array(lengths), raw=True)
    for b, s in enumerate(seqs):
        alone_out, alone_final = q(s, tuple(t[:, b] for t in tensors(state)) if cell == "lstm"
                                   else state[:, b], raw=True)
        np.testing.assert_array_equal(outs[b], alone_out)
        np.testing.assert_array_equal(pad_out[:lengths[b], b], alone_out)
        for got, pad, want in zip(tensors(final), tensors(pad_final), tensors(alone_final)):
            np.testing.assert_array_equal(got[:, b], want)
            np.testing.assert_array_equal(pad[:, b], want)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_float_and_golden_streams_equal_one_call(cell, rng, seed):
    _, model = torch_case(cell, rng, seed, bidirectional=False, batch_first=True)
    x = rng.standard_normal((2, 13, 5))
    q = model.quantize(calibration=x)
    state = random_state(cell, rng, (2, 2, 8))
    cuts = sorted({int(c) for c in rng.integers(1, 13, 4)})
    for m, exact in ((model, False), (q, True)):
        whole, final = m(x, state)
        stream = m.stream(state)
        parts = [stream.step(x[:, a:b]) for a, b in zip([0, *cuts], [*cuts, 13])]
        if exact:
            np.testing.assert_array_equal(np.concatenate(parts, axis=1), whole)
            for got, want in zip(tensors(stream.state), tensors(final)):
                np.testing.assert_array_equal(got, want)
        else:
            np.testing.assert_allclose(np.concatenate(parts, axis=1), whole, atol=1e-12, rtol=0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_state_saturation_is_counted_and_warned(cell, rng, seed):
    _, model = torch_case(cell, rng, seed, layers=1, bidirectional=False, batch_first=True)
    q = model.quantize()
    x = rng.uniform(-1, 1, (2, 4, 5))
    h0 = np.zeros((1, 2, 8))
    h0[0, 0, :3] = [1.0, -1.5, 7.0]  # 1.0 is one step beyond Q.15's largest, -1.5 below -1
    state = (h0, np.full((1, 2, 8), -20.0)) if cell == "lstm" else h0  # c: Q4.11, [-16, 16)
    with pytest.warns(sharp.SaturationWarning) as caught:
        _, final = q(x, state, raw=True)
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("h0: 3 of 16 values saturated") for m in messages)
    assert q.last_state["h0"].saturated == 3
    if cell == "lstm":
        assert q.last_state["c0"].saturated == 16
        assert any(m.startswith("c0: 16 of 16 values saturated") for m in messages)
    # clipped, not wrapped: the same as starting from the saturated values
    clipped = np.clip(h0, -1, 1 - 2 ** -15)
    want = q(x, (clipped, np.full((1, 2, 8), -16.0)) if cell == "lstm" else clipped, raw=True)
    for got, w in zip(tensors(final), tensors(want[1])):
        np.testing.assert_array_equal(got, w)


@pytest.mark.parametrize("bad,message", [
    (lambda s: s[0], r"an LSTM's state is the pair \(h0, c0\), each of shape \(2, 3, 6\).*got "
                     r"one array of shape \(2, 3, 6\) \(a GRU's h0\?\)"),
    (lambda s: (s[0],), r"got a tuple of 1"),
    (lambda s: (s[0][:, :2], s[1]), r"h0 has shape \(2, 2, 6\); expected \(2, 3, 6\) for a batch "
                                    r"of 3 sequences"),
    (lambda s: (s[0], s[1][..., :5]), r"c0 has shape \(2, 3, 5\); expected \(2, 3, 6\)"),
    (lambda s: (s[0].astype(np.int16), s[1]), r"h0 has dtype int16; the state must be floating"),
    (lambda s: (s[0], np.where(s[1] > 0, np.nan, s[1])), r"c0 contains NaN or Inf"),
])
def test_bad_lstm_states_name_the_value_and_the_expected_shape(bad, message, rng, seed):
    q = sharp.LSTM.random(4, 6, 2, seed=seed).quantize()
    x = rng.standard_normal((3, 5, 4))
    state = (rng.uniform(-1, 1, (2, 3, 6)), rng.uniform(-1, 1, (2, 3, 6)))
    for m in (q, sharp.LSTM.random(4, 6, 2, seed=seed)):
        with pytest.raises(ValueError, match=message):
            m(x, bad(state))


def test_bad_gru_states_and_lengths_name_the_value(rng, seed):
    q = sharp.GRU.random(4, 6, seed=seed, bidirectional=True).quantize()
    x = rng.standard_normal((3, 5, 4))
    h0 = rng.uniform(-1, 1, (2, 3, 6))
    with pytest.raises(ValueError, match=r"a GRU's state is one array h0 of shape \(2, 3, 6\).*"
                                         r"got a tuple of 2 \(an LSTM's \(h0, c0\)\?\)"):
        q(x, (h0, h0))
    with pytest.raises(ValueError, match=r"h0 has shape \(2, 6\); expected \(2, 3, 6\)"):
        q(x, h0[:, 0])
    with pytest.raises(ValueError, match=r"lengths\[1\]=0: every sequence needs at least one"):
        q(x, h0, lengths=[5, 0, 2])
    with pytest.raises(ValueError, match=r"lengths\[2\]=6 is longer than the padded batch's 5"):
        q(x, lengths=[5, 1, 6])
    with pytest.raises(ValueError, match=r"lengths has shape \(2,\); expected \(3,\)"):
        q(x, lengths=[5, 1])
    with pytest.raises(ValueError, match=r"lengths must be integers, got dtype float64"):
        q(x, lengths=[5.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"lengths= needs a padded batch"):
        q(x[0], lengths=[5])
    with pytest.raises(ValueError, match=r"sequence 1 of the list: input feature size 3"):
        q([x[0], x[1, :, :3]])
    with pytest.raises(ValueError, match="bidirectional model cannot stream"):
        q.stream()
    with pytest.raises(ValueError, match="raw=True gives a quantized model's int16"):
        sharp.GRU.random(4, 6, seed=seed)(x, raw=True)
