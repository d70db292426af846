"""Property tests of planning and the cycle model for the GRU's R = 3H rows (hypothesis)."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from sharp import dispatcher
from sharp.cycle_model import ceil_div, estimate, padding_limit

from test_dispatcher_properties import configs  # the builds the LSTM's properties draw


def words(config, rows, cols, group):
    """§4 from its definitions: ceil(R / G) row batches of ceil(L / w) column chunks."""
    m = 1 << group
    return ceil_div(rows, config.tiles // m) * ceil_div(cols, m * config.lanes)


@settings(max_examples=150, deadline=None)
@given(config=configs, data=st.data())
def test_gru_plan_fits_3h_rows_and_beats_the_fixed_groupings(config, data):
    input_size = data.draw(st.integers(1, config.max_input))
    hidden = data.draw(st.integers(1, config.max_hidden))
    steps = data.draw(st.integers(1, 20))
    mode = data.draw(st.sampled_from([0, 1]))
    rows = 3 * hidden
    try:
        p = dispatcher.plan(config, input_size, hidden, steps, mode, cell="gru")
    except ValueError as exc:
        smallest = sum(min(words(config, rows, c, g) for g in range(config.max_group + 1))
                       for c in (input_size, hidden))
        assert f"needs at least {smallest} weight words" in str(exc) and "GRU" in str(exc)
        assert smallest > config.weight_depth
        return
    assert p.cell == "gru" and p.rows == rows
    assert p.words == words(config, rows, input_size, p.group_x) + \
        words(config, rows, hidden, p.group_h) <= config.weight_depth
    e = p.estimate
    assert e.issue_cycles == steps * p.words  # T·(NA + NB), each word issued once a step
    assert e.active_lane_cycles == steps * rows * (input_size + hidden)
    assert e.cycles >= e.issue_cycles + e.stall_input + e.stall_dependency
    assert e.utilization <= padding_limit(config, input_size, hidden, "gru") + 1e-12
    for g in (0, config.max_group):
        fixed_words = words(config, rows, input_size, g) + words(config, rows, hidden, g)
        if fixed_words <= config.weight_depth:
            fixed = dispatcher.plan(config, input_size, hidden, steps, mode, g, g, cell="gru")
            assert e.cycles <= fixed.estimate.cycles


@settings(max_examples=100, deadline=None)
@given(config=configs, data=st.data())
def test_a_gru_takes_no_more_than_the_lstm_of_its_shape(config, data):
    input_size = data.draw(st.integers(1, config.max_input))
    hidden = data.draw(st.integers(1, config.max_hidden))
    steps = data.draw(st.integers(1, 12))
    gx = data.draw(st.integers(0, config.max_group))
    gh = data.draw(st.integers(0, config.max_group))
    for mode in (0, 1):
        gru = estimate(config, input_size, hidden, steps, gx, gh, mode, "gru")
        lstm = estimate(config, input_size, hidden, steps, gx, gh, mode, "lstm")
        assert gru.issue_cycles <= lstm.issue_cycles and gru.cycles <= lstm.cycles
        assert gru.active_lane_cycles * 4 == lstm.active_lane_cycles * 3
    seq = estimate(config, input_size, hidden, steps, gx, gh, 0, "gru")
    ovl = estimate(config, input_size, hidden, steps, gx, gh, 1, "gru")
    assert ovl.cycles <= seq.cycles
