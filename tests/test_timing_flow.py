"""`make timing` plumbing, in seconds: the scripts it writes, the builds it picks for each board,
and the parsing of stored nextpnr output. Place and route itself is a make target, not a test.

tests/data/nextpnr_2x4.json is a routed nextpnr-ecp5 report of the 2x4 build (its detailed net
timings cut to the latest endpoints, to keep it small) and nextpnr_2x4.log the end of its log;
timing/ holds the reference reports that docs/RTL.md quotes.
"""
from __future__ import annotations

import dataclasses
import json

import pytest

from sharp import timing
from sharp.boards import boards
from sharp.config import HardwareConfig
from sharp.synth import multipliers
from sharp.toolchain import REPO

DATA = REPO / "tests" / "data"
BOARDS = boards()


def stored_raw():
    return json.loads((DATA / "nextpnr_2x4.json").read_text()), (DATA / "nextpnr_2x4.log").read_text()


def test_yosys_script_sets_the_build_and_writes_relative_paths():
    params = {"N": 8, "K": 16, "MAX_INPUT": 128, "MAX_HIDDEN": 128, "WDEPTH": 1024, "BDEPTH": 256}
    script = timing.yosys_script(["rtl/a.sv", "rtl/b.sv"], params, "build/t/n.json", "build/t/s.json")
    lines = script.splitlines()
    assert lines[0] == "read_verilog -sv rtl/a.sv rtl/b.sv"
    assert lines[1] == "chparam -set N 8 -set K 16 -set MAX_INPUT 128 -set MAX_HIDDEN 128 -set WDEPTH 1024 -set BDEPTH 256 sharp_top"
    assert "synth_ecp5 -top sharp_top" in lines
    assert lines[-1] == "write_json build/t/n.json"
    assert not any("/tmp" in line for line in lines)


@pytest.mark.parametrize("place_only", [False, True])
def test_nextpnr_arguments(place_only):
    args = timing.nextpnr_args("n.json", "r.json", "l.log", 90.0, place_only, seed=3)
    joined = " ".join(args)
    for expected in ("--um5g-85k", "--package CABGA381", "--speed 8", "--freq 90", "--out-of-context",
                     "--seed 3", "--report r.json", "--detailed-timing-report", "--json n.json", "--log l.log"):
        assert expected in joined
    assert ("--no-route" in args) == place_only


def test_the_pynq_z2_build_fits_the_ecp5_unscaled():
    build, notes = timing.fitted_build(BOARDS["pynq-z2"].config)
    assert build == BOARDS["pynq-z2"].config and notes == []
    need = timing.estimate(build)
    assert need["MULT18X18D"] == 128 + 11 + 2   # P, eleven a lane (LSTM, lookups, GRU), the word counts
    # 32 weight columns of 1024 x 64 bits at 4 DP16KD each, 5 tables of 4, two bias halves of 2
    assert need["DP16KD"] == 32 * 4 + 5 * 4 + 2 * 2


@pytest.mark.parametrize("name", ["kv260", "zcu104"])
def test_rows_too_big_for_any_ecp5_get_a_scaled_build_that_says_so(name):
    config = BOARDS[name].config
    assert not timing.fits(config)
    build, notes = timing.fitted_build(config)
    assert timing.fits(build)
    assert build.tiles < config.tiles and build.lanes == config.lanes
    assert (build.max_input, build.max_hidden, build.bias_depth) == (config.max_input, config.max_hidden,
                                                                    config.bias_depth)
    assert multipliers(build) <= timing.PART_CAPACITY["MULT18X18D"]
    assert notes and f"{config.name} needs {multipliers(config)} multipliers" in notes[0]
    if build.weight_depth != config.weight_depth:
        assert f"weight_depth {config.weight_depth}" in notes[-1]


@pytest.mark.parametrize("name,tiles", [("kv260", 8), ("zcu104", 4)])
def test_a_scaled_build_keeps_the_most_tiles_the_multipliers_allow(name, tiles):
    """P + 11E + 2 multipliers of 156: 8 x 16 lanes takes 128 + 11 + 2 = 141, 4 x 32 the same;
    twice as many tiles take 256 or more. The weight depth gives way to the block RAM instead."""
    build, _ = timing.fitted_build(BOARDS[name].config)
    assert build.tiles == tiles


def test_a_build_that_fits_in_no_way_is_refused():
    # one tile of 64 lanes still needs a weight buffer of 16 columns x 16384 words: too deep
    config = HardwareConfig(tiles=1, lanes=64, max_input=64, max_hidden=64, weight_depth=1 << 20,
                            bias_depth=64)
    scaled, _ = timing.fitted_build(config)  # the depth is halved until it fits
    assert scaled.weight_depth < config.weight_depth and timing.fits(scaled)
    with pytest.raises(SystemExit, match="fits the LFE5UM5G-85F"):
        timing.fitted_build(dataclasses.replace(config, bias_depth=1 << 22))


def test_cell_names_map_back_to_rtl_signals():
    assert timing.rtl_signal("elementwise.lane[0].fc_TRELLIS_FF_Q_12") == "elementwise.lane[0].fc"
    # a RAM tile, or the register Yosys would put before one, is the RAM
    assert timing.rtl_signal("row_sums.bank[3].z_ram.mem.0.0") == "row_sums.bank[3].z_ram.mem"
    assert timing.rtl_signal("row_sums.bank[0].z_ram.mem.0.0_DIA12_TRELLIS_FF_Q") == "row_sums.bank[0].z_ram.mem"
    assert timing.rtl_signal("operation.shift_x_LUT4_C_Z_CCU2C_S1$CCU2_FCI_INT") == "operation.shift_x"
    assert timing.rtl_signal("macs.lane[3].mac.acc[12]") == "macs.lane[3].mac.acc"
    assert timing.rtl_signal("\\operation.cycles_TRELLIS_FF_Q") == "operation.cycles"
    assert timing.rtl_module("elementwise.lane[0].fc") == "elementwise"
    assert timing.rtl_module("busy") == "sharp_top"


def test_parse_a_stored_routed_report():
    raw, log = stored_raw()
    freq = raw["fmax"]["ap_clk"]["constraint"]
    t = timing.parse_report(raw, freq, log)
    assert t["clock"] == "ap_clk"
    assert t["fmax_mhz"] == round(raw["fmax"]["ap_clk"]["achieved"], 2)
    assert t["met"] == (raw["fmax"]["ap_clk"]["achieved"] >= freq)
    assert t["routed"] and t["unrouted_nets"] == 0
    # the critical path: its hops add up to nextpnr's path delay, and both ends are RTL names
    cp = t["critical_path"]
    path = raw["critical_paths"][0]["path"]
    assert cp["delay_ns"] == pytest.approx(sum(s["delay"] for s in path), abs=1e-3)
    assert cp["logic_ns"] + cp["routing_ns"] == pytest.approx(cp["delay_ns"], abs=2e-3)
    assert "_TRELLIS_FF" not in cp["from"] and "_TRELLIS_FF" not in cp["to"]
    assert len(cp["hops"]) == len(path)
    # 1000 / Fmax is the critical path delay (clock skew aside)
    assert 1000.0 / t["fmax_mhz"] == pytest.approx(cp["delay_ns"], rel=0.05)
    # endpoints: one per RTL signal, latest first, the first of them the critical path's end
    eps = t["critical_endpoints"]
    assert len({e["signal"] for e in eps}) == len(eps) == timing.TOP_ENDPOINTS
    assert [e["arrival_ns"] for e in eps] == sorted((e["arrival_ns"] for e in eps), reverse=True)
    # (the path adds the endpoint's setup time to its arrival)
    assert eps[0]["arrival_ns"] == pytest.approx(cp["delay_ns"] - cp["hops"][-1]["delay_ns"], abs=0.01)
    assert all(e["slack_ns"] == pytest.approx(1000.0 / freq - e["arrival_ns"], abs=2e-3) for e in eps)
    u = t["utilization"]
    assert u["mult18x18"]["used"] == raw["utilization"]["MULT18X18D"]["used"]
    assert u["lut4"]["available"] == raw["utilization"]["TRELLIS_COMB"]["available"]


def test_a_placement_only_run_takes_fmax_from_the_log():
    log = "Info: Max frequency for clock 'ap_clk': 58.65 MHz (FAIL at 100.00 MHz)\n"
    raw = {"critical_paths": [], "fmax": {}, "utilization": stored_raw()[0]["utilization"]}
    t = timing.parse_report(raw, 100.0, log)
    assert t["fmax_mhz"] == 58.65 and not t["met"] and not t["routed"]
    assert t["unrouted_nets"] is None and t["critical_path"] is None


def test_a_log_with_unrouted_nets_is_reported():
    raw, log = stored_raw()
    t = timing.parse_report(raw, 90.0, log + "ERROR: Failed to route: 3 unrouted nets\n")
    assert t["unrouted_nets"] == 3


def test_a_report_without_a_clock_is_an_error():
    with pytest.raises(ValueError, match="clock frequency"):
        timing.parse_report({"fmax": {}, "critical_paths": [], "utilization": {}}, 90.0, "")


def test_the_stored_reference_reports():
    """timing/*.json as `python -m sharp.timing` wrote them: the 4x8 build before and after the
    fixes of docs/RTL.md, routed with every net, and their summaries as the parser renders them.
    They time the LSTM-only RTL of that work (before the vector-broadcast rewrite and the GRU),
    so their multipliers are that design's: every MAC lane's and elementwise product's, placed."""
    before = json.loads((REPO / "timing" / "before-pynq-z2-4x8.json").read_text())
    after = json.loads((REPO / "timing" / "pynq-z2-4x8.json").read_text())
    for report in (before, after):
        t = report["timing"]
        assert t["routed"] and t["unrouted_nets"] == 0
        assert report["part"] == {"device": "LFE5UM5G-85F", "package": "CABGA381", "speed": 8}
        assert report["build"] == {"tiles": 4, "lanes": 8, "max_input": 128, "max_hidden": 128,
                                   "weight_depth": 256, "bias_depth": 256}
    assert after["timing"]["fmax_mhz"] > before["timing"]["fmax_mhz"]
    lstm_only = HardwareConfig(4, 8, 128, 128, 256, 256).macs + 3 + 2   # P + 3E + 2, E = 1
    assert after["synthesis_cells"]["MULT18X18D"] == lstm_only
    assert after["timing"]["utilization"]["mult18x18"]["used"] == lstm_only
    assert (REPO / "timing" / "pynq-z2-4x8.txt").read_text() == timing.summary_text(after)


def test_the_stored_pynq_z2_report_is_the_full_build_routed():
    """timing/pynq-z2.json is `make timing` on the unscaled PYNQ-Z2 build: every net routed (the
    figure docs/RTL.md quotes), with the board's clock requested and its summary as rendered.
    It times the RTL before the GRU (LSTM only, with the vector-broadcast rewrite), so its
    multipliers are that design's P + 3E + 2; docs/RTL.md says the GRU build is not yet routed.
    That RTL had no batched RUNs, so the report's build has every parameter but MAX_BATCH."""
    report = json.loads((REPO / "timing" / "pynq-z2.json").read_text())
    board_build = BOARDS["pynq-z2"].config.as_dict()
    del board_build["max_batch"]
    assert report["build"] == board_build and report["scaled"] == []
    t = report["timing"]
    assert t["routed"] and t["unrouted_nets"] == 0
    assert t["requested_mhz"] == BOARDS["pynq-z2"].clock_mhz
    config = BOARDS["pynq-z2"].config
    assert t["utilization"]["mult18x18"]["used"] == config.macs + 3 * 1 + 2   # E = 1
    assert (REPO / "timing" / "pynq-z2.txt").read_text() == timing.summary_text(report)
