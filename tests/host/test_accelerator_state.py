"""sharp.Accelerator with carried state: acc(x, state) bit for bit the golden model's, final
states included; variable-length batches each as their sequences alone; a stream equal to one
call on the golden and the Verilator backends; the state on the wire (STATE_IN, STATE_OUT);
saturation counted; errors that leave the accelerator and the stream usable."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

import sharp
from sharp import regmap
from sharp.cycle_model import state_beats
from sharp.cells import cell_module
from sharp.config import STATE_FORMATS
from sharp.ports import RecordingPort, open_port

from bits import assert_same
from register_log import started

SMALL = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)  # the RTL tests' build, cached
FLOAT = {"lstm": sharp.LSTM, "gru": sharp.GRU}


def make(backend="golden", port=None, **kw):
    return sharp.Accelerator(port or backend, SMALL, progress=False, **kw)


def loaded(cell, seed, rng, layers=2, bidirectional=True, batch_first=True, i=6, h=5,
           backend="golden", port=None):
    model = FLOAT[cell].random(i, h, layers, bidirectional, seed=seed, batch_first=batch_first)
    q = model.quantize(calibration=rng.standard_normal((40, i)))
    acc = make(backend, port)
    acc.load(q)
    return acc, q


def random_state(cell, rng, shape):
    h0 = rng.uniform(-0.95, 0.95, shape)
    return (h0, rng.uniform(-3, 3, shape)) if cell == "lstm" else h0


def tensors(state):
    return state if isinstance(state, tuple) else (state,)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("batch_first", [True, False])
def test_call_with_state_is_the_golden_models_bit_for_bit(cell, batch_first, rng, seed):
    acc, q = loaded(cell, seed, rng, batch_first=batch_first)
    x = rng.standard_normal((3, 7, 6) if batch_first else (7, 3, 6))
    state = random_state(cell, rng, (4, 3, 5))
    assert_same(acc(x, state, raw=True), q(x, state, raw=True))
    assert_same(acc(x, state), q(x, state))
    assert_same(acc(x), q(x))  # from zeros: torch's tuple too
    np.testing.assert_array_equal(acc(x)[0], acc.run(x))
    one = x[0] if batch_first else x[:, 0]
    one_state = tuple(s[:, 0] for s in tensors(state))
    assert_same(acc(one, one_state if cell == "lstm" else one_state[0], raw=True),
                q(one, one_state if cell == "lstm" else one_state[0], raw=True))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_variable_lengths_are_each_sequence_alone(cell, rng, seed):
    acc, q = loaded(cell, seed, rng)
    lengths = [int(n) for n in rng.integers(1, 9, 3)]
    seqs = [rng.standard_normal((n, 6)) for n in lengths]
    state = random_state(cell, rng, (4, 3, 5))
    outs, final = acc(seqs, state, raw=True)
    # the three share RUNs up to the shortest one's end, then the longer ones carry their state:
    # one RUN per distinct length and cell
    assert acc.stats.runs == len(set(lengths)) * 4 and acc.stats.sequences == 3
    assert_same((outs, final), q(seqs, state, raw=True))
    for b, s in enumerate(seqs):
        alone = acc(s, tuple(t[:, b] for t in tensors(state)) if cell == "lstm"
                    else state[:, b], raw=True)
        assert_same(outs[b], alone[0])
        assert_same(tuple(t[:, b] for t in tensors(final)), tensors(alone[1]))
    padded = np.zeros((3, max(lengths), 6))
    for b, s in enumerate(seqs):
        padded[b, :len(s)] = s
    packed = pack_padded_sequence(torch.from_numpy(padded), lengths, batch_first=True,
                                  enforce_sorted=False)
    got, got_state = acc(packed, state)
    want, want_state = q(packed, state)
    assert isinstance(got, torch.nn.utils.rnn.PackedSequence)
    assert torch.equal(got.data, want.data) and torch.equal(got.batch_sizes, want.batch_sizes)
    assert_same(got_state, want_state)
    assert_same(acc(padded, state, lengths=np.array(lengths)), q(padded, state, lengths=lengths))


def state_registers(port, since=0):
    """The `state` register of each operation started from log entry `since` on."""
    return [args["state"] for args in started(port.log)[since:]]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_state_travels_as_state_in_and_an_lstms_c_as_state_out(cell, rng, seed):
    port = RecordingPort(open_port("golden", SMALL))
    acc, q = loaded(cell, seed, rng, layers=1, bidirectional=False, port=port)
    x = rng.standard_normal((2, 4, 6))
    acc.run(x)
    assert state_registers(port)[-2:] == [0, 0]  # run(): no state in, none out
    before = len(started(port.log))
    acc(x, random_state(cell, rng, (1, 2, 5)))
    trailer = regmap.STATE_OUT if cell == "lstm" else 0  # a GRU's h_{T-1} is its last output
    assert state_registers(port, before) == [regmap.STATE_IN | trailer]  # one RUN of both
    s_in, s_out = state_beats(5, cell)
    ops = acc.stats.operations["RUN"]
    assert ops.bytes_in == 8 * 2 * (s_in + 4 * 2)  # the state, then 4 steps of 2 beats
    assert ops.bytes_out == 8 * 2 * (4 * 2 + (s_out if cell == "lstm" else 0))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_state_saturation_is_counted_in_the_stats(cell, rng, seed):
    acc, q = loaded(cell, seed, rng, layers=1, bidirectional=False)
    h0 = np.zeros((1, 1, 5))
    h0[0, 0, :2] = [1.0, -2.0]
    with pytest.warns(sharp.SaturationWarning, match="h0: 2 of 5 values saturated"):
        acc(np.zeros((3, 6)), (h0[:, 0], np.zeros((1, 5))) if cell == "lstm" else h0[:, 0])
    assert acc.stats.saturation == {"h0": 2}
    acc(np.zeros((3, 6)))
    assert acc.stats.saturation == {}


def chunks(rng, steps):
    cuts = sorted({int(c) for c in rng.integers(1, steps, 3)})
    return list(zip([0, *cuts], [*cuts, steps]))


def check_stream_equals_one_call(acc, cell, rng, steps=9):
    """Random chunks of a batch, then frame by frame of one sequence, against one call."""
    q = acc.model
    x = rng.standard_normal((2, steps, q.input_size))
    state = random_state(cell, rng, (q.num_layers, 2, q.hidden_size))
    whole, final = acc(x, state, raw=True)
    assert_same((whole, final), q(x, state, raw=True))
    stream = acc.stream(state)
    parts = []
    for a, b in chunks(rng, steps):
        parts.append(stream.step(x[:, a:b], raw=True))
        assert acc.stats.runs == q.num_layers and acc.stats.cycles > 0  # one RUN holds both
    assert_same(np.concatenate(parts, axis=1), whole)
    forms = [STATE_FORMATS[name] for name in cell_module(cell).STATE]
    assert_same(tuple(np.round(s * 2 ** form.frac).astype(form.dtype)
                      for s, form in zip(tensors(stream.state), forms)), tensors(final))
    one = acc.stream()
    frames = np.stack([one.step(x[1, t], raw=True) for t in range(steps)])
    assert_same(frames, acc(x[1], raw=True)[0])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_golden_backend_stream_equals_one_call(cell, rng, seed):
    acc, _ = loaded(cell, seed, rng, layers=2, bidirectional=False)
    check_stream_equals_one_call(acc, cell, rng)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_verilator_backend_stream_equals_one_call(cell, rng, seed):
    acc, _ = loaded(cell, seed, rng, layers=1, bidirectional=False, backend="verilator")
    check_stream_equals_one_call(acc, cell, rng, steps=6)


class CutOnce(RecordingPort):
    """Drops the last beats of the n-th RUN's in_stream: the RUN times out."""

    def __init__(self, port, n):
        super().__init__(port)
        self.runs_left = n

    def stream(self, send, recv_beats):
        opcode = [v for k, o, v in (e for e in self.log if e[0] == "write")
                  if o == regmap.OFFSETS["opcode"]][-1]
        if opcode == regmap.OP_RUN:
            self.runs_left -= 1
            if self.runs_left == 0:
                send = send[:-1]
        super().stream(send, recv_beats)


def test_a_failed_step_leaves_the_stream_and_the_accelerator_usable(rng, seed):
    model = sharp.LSTM.random(6, 5, 2, seed=seed)
    q = model.quantize(calibration=rng.standard_normal((40, 6)))
    port = CutOnce(open_port("golden", SMALL), 4)  # the second step's second layer
    acc = sharp.Accelerator(port, SMALL, progress=False, timeout_s=1e-3)
    acc.load(q)
    x = rng.standard_normal((8, 6))
    stream = acc.stream()
    first = stream.step(x[:3])
    before = stream.state
    with pytest.raises(sharp.OperationTimeout):
        stream.step(x[3:6])
    assert acc.stats.state == "incomplete"
    assert_same(stream.state, before)
    with pytest.raises(ValueError, match=r"frame has shape \(5,\); expected \(6,\)"):
        stream.step(x[3, :5])
    with pytest.raises(ValueError, match="carries the state of 1 sequence"):
        stream.step(np.stack([x[3:6]] * 2))
    assert_same(stream.state, before)
    rest = stream.step(x[3:])
    assert_same(np.concatenate([first, rest]), q(x)[0])
    stream.reset()
    assert stream.state is None
    assert_same(stream.step(x), q(x)[0])


def test_a_stream_refuses_to_step_after_another_model_is_loaded(rng, seed):
    acc, q = loaded("gru", seed, rng, layers=1, bidirectional=False)
    x = rng.standard_normal((5, 6))
    stream = acc.stream()
    stream.step(x[:2])
    with pytest.raises(ValueError, match=r"input_size=80 is outside"):
        acc.load(sharp.GRU.random(80, 5, seed=seed).quantize())  # refused: the old model stays
    stream.step(x[2:])
    other = sharp.LSTM.random(6, 5, seed=seed).quantize()
    acc.load(other)
    with pytest.raises(RuntimeError, match="another model was loaded since this stream"):
        stream.step(x)
    with pytest.raises(RuntimeError, match="another model was loaded since this stream"):
        stream.reset()
    assert_same(acc.stream().step(x), other(x)[0])
    with pytest.raises(ValueError, match="bidirectional model cannot stream"):
        acc.load(sharp.GRU.random(6, 5, bidirectional=True, seed=seed).quantize())
        acc.stream()


def test_bad_states_are_refused_before_the_hardware(rng, seed):
    acc, q = loaded("lstm", seed, rng, layers=1, bidirectional=True)
    x = rng.standard_normal((3, 4, 6))
    good = random_state("lstm", rng, (2, 3, 5))
    for bad, message in [
        (good[0], r"an LSTM's state is the pair \(h0, c0\), each of shape \(2, 3, 5\)"),
        ((good[0][:, :1], good[1]), r"h0 has shape \(2, 1, 5\); expected \(2, 3, 5\) for a "
                                    r"batch of 3"),
        ((good[0], torch.zeros(2, 3, 5, dtype=torch.int32)), r"c0 has dtype int32"),
        ((good[0] * np.inf, good[1]), r"h0 contains NaN or Inf"),
    ]:
        with pytest.raises(ValueError, match=message):
            acc(x, bad)
    with pytest.raises(ValueError, match=r"lengths\[0\]=5 is longer than the padded batch's 4"):
        acc(x, good, lengths=[5, 1, 1])
    with pytest.raises(RuntimeError, match="no model is loaded"):
        make()(x)
    assert_same(acc(x, good, raw=True), q(x, good, raw=True))
