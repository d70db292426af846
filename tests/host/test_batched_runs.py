"""Batched RUNs (ARCHITECTURE.md §6): a sequence's bits do not depend on its batch or its place
in it, on every backend; bad batches are refused and the accelerator stays usable."""
from __future__ import annotations

import numpy as np
import pytest

import sharp
from sharp import regmap
from sharp.cells import cell_module

from bits import assert_same

SMALL = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)   # the RTL and HLS tests' build, cached
BACKENDS = ["golden", "verilator", "hls"]
MODELS = {"lstm": sharp.LSTM, "gru": sharp.GRU}
TIMEOUT_S = 10.0


def quantized(cell, seed, rng, layers=1, bidirectional=False, i=6, h=7):
    x = rng.standard_normal((4, 6, i))
    return MODELS[cell].random(i, h, layers, bidirectional, seed=seed).quantize(calibration=x)


def random_state(q, rng, batch):
    shape = (q.num_layers * q.num_directions, batch, q.hidden_size)
    tensors = tuple(rng.uniform(-0.9, 0.9, shape) for _ in cell_module(q.cell).STATE)
    return tensors if q.cell == "lstm" else tensors[0]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_every_sequence_of_a_batch_is_that_sequence_alone(backend, cell, rng, seed):
    q = quantized(cell, seed, rng, layers=2, bidirectional=cell == "gru")
    sequences = int(rng.integers(2, 12))
    limit = int(rng.integers(2, SMALL.max_batch + 1))
    print(f"{sequences} sequences in RUNs of at most {limit}")
    x = rng.standard_normal((sequences, int(rng.integers(1, 7)), q.input_size))
    state = random_state(q, rng, sequences)
    batched = sharp.Accelerator(backend, SMALL, progress=False, batch=limit)
    batched.load(q)
    out, final = batched(x, state, raw=True)
    assert_same((out, final), q(x, state, raw=True))   # the golden model, batch by batch
    cells = q.num_layers * q.num_directions
    assert batched.stats.runs == cells * -(-sequences // limit)
    alone = sharp.Accelerator(backend, SMALL, progress=False, batch=1)
    alone.load(q)
    for b in range(sequences):
        one = tuple(s[:, b] for s in state) if cell == "lstm" else state[:, b]
        got, got_final = alone(x[b], one, raw=True)
        assert_same(out[b], got)
        assert_same(final[0][:, b] if cell == "lstm" else final[:, b],
                    got_final[0] if cell == "lstm" else got_final)


@pytest.mark.parametrize("backend", BACKENDS)
def test_sequences_of_different_lengths_share_runs_until_the_shortest_ends(backend, rng, seed):
    q = quantized("lstm", seed, rng)
    lengths = [5, 2, 7, 2]
    seqs = [rng.standard_normal((n, q.input_size)) for n in lengths]
    acc = sharp.Accelerator(backend, SMALL, progress=False)
    acc.load(q)
    outs, final = acc(seqs, raw=True)
    assert_same((outs, final), q(seqs, raw=True))
    # RUNs of 4 sequences (2 steps), then 2 (3 steps), then 1 (2 steps)
    assert acc.stats.runs == len(set(lengths))
    assert acc.stats.active_lane_cycles == 4 * 7 * (6 + 7) * sum(lengths)


def test_a_run_holds_sequences_of_one_length_and_states_of_its_batch(rng, seed):
    q = quantized("lstm", seed, rng)
    acc = sharp.Accelerator("golden", SMALL, progress=False)
    acc.load(q)
    image = acc.images[0]
    x_int = q.quantize_input(rng.standard_normal((3, 4, q.input_size)))[0]
    with pytest.raises(ValueError, match=r"one length .* got lengths \[3, 4\]"):
        image.run([x_int[0], x_int[1, :3]])
    h = np.zeros((2, q.hidden_size), dtype=np.int16)
    c = np.zeros((2, q.hidden_size), dtype=np.int32)
    with pytest.raises(ValueError, match=r"initial h has shape \(2, 7\); this RUN of 3 "
                                         r"sequence\(s\) needs \(3, 7\)"):
        image.run(x_int, (h, c))
    with pytest.raises(ValueError, match=r"batch=9 is outside 1\.\.8"):
        image.run(np.concatenate([x_int] * 3))
    x = rng.standard_normal((3, 4, q.input_size))
    assert_same(acc.run(x, raw=True), q.run_int(q.quantize_input(x)[0]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_register_outside_the_build_is_bad_args_and_the_core_stays_usable(backend, rng,
                                                                                  seed):
    q = quantized("gru", seed, rng)
    acc = sharp.Accelerator(backend, SMALL, progress=False)
    assert acc.config.max_batch == SMALL.max_batch   # INFO reports MAX_BATCH
    acc.load(q)
    x = rng.standard_normal((2, 3, q.input_size))
    want = q.run_int(q.quantize_input(x)[0])
    for bad in (0, SMALL.max_batch + 1):
        op = acc.images[0].run(q.quantize_input(x)[0])
        op.args["batch"] = bad
        with pytest.raises(sharp.HardwareError, match="BAD_ARGS"):
            acc.driver.execute(op, TIMEOUT_S)
        assert_same(acc.run(x, raw=True), want)


def test_info_reports_max_batch_of_the_build():
    config = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64, max_batch=3)
    acc = sharp.Accelerator("golden", config, progress=False)
    assert acc.config.max_batch == 3 and acc.batch == 3
    assert regmap.OFFSETS["max_batch"] == 0x100 and regmap.ADDR_WIDTH == 9
