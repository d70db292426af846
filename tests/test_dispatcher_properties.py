"""Property tests of packing and planning (hypothesis)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from sharp import HardwareConfig, dispatcher
from sharp.cycle_model import matrix_words, padding_limit
from sharp.packing import deinterleave_gates, interleave_gates, pack, unpack

configs = st.builds(
    HardwareConfig,
    tiles=st.sampled_from([1, 2, 4, 8, 16, 32]),
    lanes=st.sampled_from([4, 8, 16, 32]),
    max_input=st.sampled_from([64, 256, 512]),
    max_hidden=st.sampled_from([64, 256, 512]),
    weight_depth=st.integers(1, 20000),
    bias_depth=st.just(4096),
)


@settings(max_examples=200, deadline=None)
@given(config=configs, rows=st.integers(1, 300), cols=st.integers(1, 300), data=st.data())
def test_pack_then_unpack_is_identity(config, rows, cols, data):
    group = data.draw(st.integers(0, config.max_group))
    seed = data.draw(st.integers(0, 2**32 - 1))
    matrix = np.random.default_rng(seed).integers(-32768, 32768, (rows, cols)).astype(np.int16)
    words = pack(matrix, group, config)
    assert words.shape == (matrix_words(config, rows, cols, group), config.macs)
    np.testing.assert_array_equal(unpack(words, rows, cols, group, config), matrix)
    # every real weight appears once; all other lanes are zero padding
    assert np.count_nonzero(words) == np.count_nonzero(matrix)


@settings(max_examples=100, deadline=None)
@given(hidden=st.integers(1, 200), cols=st.integers(1, 50), gates=st.sampled_from([4, 3]))
def test_gate_interleave_round_trips(hidden, cols, gates):
    w = np.arange(gates * hidden * cols).reshape(gates * hidden, cols)
    inter = interleave_gates(w, gates)
    np.testing.assert_array_equal(deinterleave_gates(inter, gates), w)
    # row Q*j+g of the interleaved matrix is row g*H+j of torch's layout
    j, g = hidden - 1, 2
    np.testing.assert_array_equal(inter[gates * j + g], w[g * hidden + j])


@settings(max_examples=150, deadline=None)
@given(config=configs, data=st.data())
def test_plan_respects_capacity_and_grouping(config, data):
    input_size = data.draw(st.integers(1, config.max_input))
    hidden = data.draw(st.integers(1, config.max_hidden))
    steps = data.draw(st.integers(1, 20))
    mode = data.draw(st.sampled_from([0, 1]))
    try:
        p = dispatcher.plan(config, input_size, hidden, steps, mode)
    except ValueError as exc:
        # the only allowed refusal: no grouping fits the weight buffer, and the error says so
        assert "weight words" in str(exc) and str(config.weight_depth) in str(exc)
        smallest = sum(min(matrix_words(config, 4 * hidden, c, g)
                           for g in range(config.max_group + 1)) for c in (input_size, hidden))
        assert smallest > config.weight_depth
        return
    assert 0 <= p.group_x <= config.max_group and 0 <= p.group_h <= config.max_group
    assert p.words <= config.weight_depth
    assert p.estimate.utilization <= padding_limit(config, input_size, hidden) + 1e-12
    # the dispatcher's choice is at least as fast as both fixed baselines that fit
    for g in (0, config.max_group):
        words = matrix_words(config, 4 * hidden, input_size, g) + \
            matrix_words(config, 4 * hidden, hidden, g)
        if words <= config.weight_depth:
            fixed = dispatcher.plan(config, input_size, hidden, steps, mode, g, g)
            assert p.estimate.cycles <= fixed.estimate.cycles


@settings(max_examples=100, deadline=None)
@given(config=configs, data=st.data())
def test_overlap_never_slower_than_sequential(config, data):
    input_size = data.draw(st.integers(1, config.max_input))
    hidden = data.draw(st.integers(1, config.max_hidden))
    steps = data.draw(st.integers(1, 30))
    gx = data.draw(st.integers(0, config.max_group))
    gh = data.draw(st.integers(0, config.max_group))
    from sharp.cycle_model import estimate
    seq = estimate(config, input_size, hidden, steps, gx, gh, 0)
    ovl = estimate(config, input_size, hidden, steps, gx, gh, 1)
    assert ovl.cycles <= seq.cycles
    for e in (seq, ovl):
        assert e.cycles >= e.issue_cycles + e.stall_input + e.stall_dependency
        assert e.active_lane_cycles == steps * 4 * hidden * (input_size + hidden)
