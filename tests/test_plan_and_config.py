"""Dispatcher, cycle model and build-parameter checks on concrete cases."""
from __future__ import annotations

import pytest

from sharp import HardwareConfig, dispatcher
from sharp.cycle_model import estimate, padding_limit


def test_default_build_is_8x16_and_32x16_is_valid():
    c = HardwareConfig()
    assert (c.tiles, c.lanes, c.macs) == (8, 16, 128)
    assert HardwareConfig(tiles=32, lanes=16).macs == 512


@pytest.mark.parametrize("field,value,limit", [
    ("tiles", 3, "power of two"), ("lanes", 2, "4..64"), ("max_input", 10, "multiple of 4"),
    ("weight_depth", 0, ">= 1"), ("bias_depth", 4, ">= max_hidden")])
def test_invalid_build_parameters_are_named(field, value, limit):
    with pytest.raises(ValueError, match=rf"{field}={value} .*{limit}"):
        HardwareConfig(**{field: value})


def test_capacity_errors_name_value_and_limit():
    c = HardwareConfig(max_input=64, max_hidden=32)
    with pytest.raises(ValueError, match=r"input_size=65 is outside 1\.\.64"):
        dispatcher.plan(c, 65, 8)
    with pytest.raises(ValueError, match=r"hidden_size=0 is outside 1\.\.32"):
        dispatcher.plan(c, 8, 0)
    with pytest.raises(ValueError, match=r"weight words; the budget is 10"):
        dispatcher.plan(c, 64, 32, word_budget=10)


def test_wide_group_fits_a_wide_matrix():
    # W_h of (256, 256): 1024 rows x 256 columns; any grouping pads nothing, so the limit is 1
    c = HardwareConfig()
    assert padding_limit(c, 256, 256) == 1.0
    p = dispatcher.plan(c, 256, 256, 10)
    assert p.estimate.utilization > 0.99


def test_narrow_rows_prefer_narrow_groups():
    # W_x with 8 columns: only a K=16-lane group wastes the least; any wider group wastes more
    c = HardwareConfig()
    p = dispatcher.plan(c, 8, 32, 8)
    assert p.group_x == 0
    assert estimate(c, 8, 32, 8, 0, p.group_h, 1).cycles <= estimate(c, 8, 32, 8, 3, p.group_h, 1).cycles


def test_plan_describe_mentions_both_matrices():
    text = dispatcher.plan(HardwareConfig(), 40, 100, 50).describe()
    assert "W_x 1 tile per group (group_x=0: 16 lanes wide, 8 rows in parallel)" in text
    assert "W_h 1 tile per group (group_h=0" in text and "utilization" in text


def test_a_pinned_grouping_out_of_range_is_named_in_both_terms():
    c = HardwareConfig()
    with pytest.raises(ValueError, match=r"group_h=4 is outside 0\.\.3: it is log2 of the tiles per "
                                         r"group, .* has 8 tiles: 1, 2, 4 or 8 tiles per group"):
        dispatcher.plan(c, 40, 100, 5, group_h=4)
    p = dispatcher.plan(c, 40, 100, 5, group_x=2, group_h=3)
    assert (p.tiles_per_group_x, p.tiles_per_group_h) == (4, 8)
