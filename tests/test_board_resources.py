"""Every board of overlay/boards.csv fits its part, by overlay/check_resources.py's estimate
(an estimate from the code's structure, not a synthesis), and the HLS model stays in step with
the arrays hls/ declares."""
from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sharp.boards
from sharp.boards import boards
from sharp.cycle_model import elementwise_lanes
from sharp import hls_csim
from sharp.config import HardwareConfig
from sharp.toolchain import REPO

spec = importlib.util.spec_from_file_location("check_resources", REPO / "overlay" / "check_resources.py")
check_resources = importlib.util.module_from_spec(spec)
sys.modules["check_resources"] = check_resources  # its dataclasses look their module up here
spec.loader.exec_module(check_resources)

BOARDS = boards()


BUILDS = [(b, impl) for b in sorted(BOARDS) for impl in ("rtl", "hls")]


@pytest.mark.parametrize("name,impl", BUILDS)
def test_build_fits_its_part(name, impl):
    estimate = check_resources.estimate(BOARDS[name], impl)
    assert estimate.over_budget() == []
    # both put each elementwise lane's three LSTM products on DSP48s, one per table lookup for
    # its interpolation (five), and give the GRU three more per lane (r*a, 16 x 32, on two; the
    # update on one); the argument check's products take four in HLS (outside the cycle loop)
    # and two in the RTL (the word counts), as make synth counts them (DSP48 = P + 11E + 2,
    # docs/RTL.md)
    lanes = elementwise_lanes(BOARDS[name].config)
    per_lane = 11
    assert estimate.dsp == BOARDS[name].config.macs + per_lane * lanes + (4 if impl == "hls" else 2)
    if impl == "hls":
        assert 0 < estimate.ff <= check_resources.PART_FF[BOARDS[name].part]


def test_hls_weights_are_one_wide_ram_per_tile():
    """hls/sharp_top.cpp: N banks of WDEPTH words of K packed int16 (ARRAY_PARTITION dim=1)."""
    (weights,) = [a for a in check_resources.hls_arrays(BOARDS["kv260"].config) if a.name == "weights"]
    shapes = check_resources.hls_shapes(BOARDS["kv260"].config)
    assert weights.shape(shapes) == (16, 2048, 16 * 16)


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_hls_broadcast_is_at_most_n_to_1_per_lane(name):
    """The broadcast's LUTs: each of the P lanes picks its 16 bits among the N tile blocks (and
    zero), never among the P elements of a line."""
    c = BOARDS[name].config
    (item,) = [i for i in check_resources.hls_model(BOARDS[name]) if i.name == "broadcast"]
    assert item.lut == c.macs * 16 * check_resources.mux_luts(c.tiles + 1)
    assert item.lut < c.macs * 16 * check_resources.mux_luts(c.macs)


# ---- the HLS model against the code: shapes from hls/sharp_config.h, arrays from sharp_top.cpp

SHAPE_PROGRAM = """
#include <cstdio>
#include "sharp_config.h"
int main() {
    typedef sharp::build_config c;
    std::printf("tiles %u lanes %u macs %u columns %u x_lines %u h_lines %u row_banks %u sum_lines %u "
                "ew_lanes %u state_banks %u state_lines %u bias_lines %u table_words %u sum_bits %u "
                "weight_depth %u max_batch %u h_slots %u xp_slots %u\\n",
                c::tiles, c::lanes, c::macs, c::columns, c::x_lines, c::h_lines, c::row_banks, c::sum_lines,
                c::ew_lanes, c::state_banks, c::state_lines, c::bias_lines, c::table_words, c::sum_bits,
                c::weight_depth, c::max_batch, c::h_slots, c::xp_slots);
}
"""
SHAPE_BUILDS = [b.config for b in BOARDS.values()] + [
    HardwareConfig(), HardwareConfig(tiles=1, lanes=4, max_input=4, max_hidden=4, weight_depth=1, bias_depth=4),
    HardwareConfig(tiles=64, lanes=64, max_input=4096, max_hidden=4092, weight_depth=3, bias_depth=4093)]


def test_hls_model_shapes_are_sharp_config_h(tmp_path):
    """hls_shapes() computes what build_config holds, for every board and the edge builds."""
    source = tmp_path / "shapes.cpp"
    source.write_text(SHAPE_PROGRAM)
    for config in SHAPE_BUILDS:
        exe = tmp_path / f"shapes-{config.name}"
        subprocess.run(["g++", "-std=c++14", "-I", str(hls_csim.HLS_DIR), *hls_csim.macro_flags(config),
                        str(source), "-o", str(exe)], check=True)
        words = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
        assert dict(zip(words[::2], map(int, words[1::2]))) == check_resources.hls_shapes(config), config


def type_bits(lanes: int) -> dict[str, int]:
    """Bits of the element types hls/ declares its arrays with (from the typedefs)."""
    bits = {"tile_word<config_t>": 16 * lanes, "ap_uint<64>": 64}
    for header in hls_csim.HLS_DIR.glob("*.h"):
        for width, name in re.findall(r"typedef ap_u?int<(\d+)> (\w+);", header.read_text()):
            bits[name] = int(width)
    assert re.search(r"using tile_word = ap_uint<16 \* CONFIG_T::lanes>;", (hls_csim.HLS_DIR / "sharp_mac.h").read_text())
    return bits


def declared_arrays(weight_uram: int) -> list:
    """The static arrays of sharp_top() and their pragmas, as Vitis sees them after the
    preprocessor (g++ -E resolves #if SHARP_WEIGHT_URAM)."""
    command = hls_csim.compile_command(None, Path("unused"))
    drop = {str(hls_csim.KERNEL), str(hls_csim.TESTBENCH), "-o", "unused"}
    command = [a for a in command if a not in drop] + [f"-DSHARP_WEIGHT_URAM={weight_uram}", "-E", "-P",
                                                        str(hls_csim.KERNEL)]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    body = text[text.index("void sharp_top(hls::stream<axis_beat>& in_stream"):]
    body = body[body.index("{"):body.index("run_counters n;")]
    lanes = HardwareConfig().lanes
    bits = type_bits(lanes)
    arrays = []
    for type_name, declarators in re.findall(r"static ([\w<>:]+) ([^;]+);", body):
        for name, dims in re.findall(r"(\w+)((?:\[[^\]]+\])+)", declarators):
            dims = tuple(d.replace("config_t::", "") for d in re.findall(r"\[([^\]]+)\]", dims))
            parts = tuple(sorted(int(d) for d in re.findall(
                rf"#pragma HLS ARRAY_PARTITION variable={name} complete dim=(\d+)", body)))
            (impl,) = re.findall(rf"#pragma HLS BIND_STORAGE variable={name} type=\w+ impl=(\w+)", body)
            arrays.append(check_resources.HlsArray(name, bits[type_name], dims, parts, impl))
    return arrays


@pytest.mark.parametrize("weight_ram", ["bram", "uram"])
def test_hls_model_arrays_are_sharp_top_declarations(weight_ram):
    """Every array sharp_top declares is in the model with its element width, dimensions, banks
    (ARRAY_PARTITION) and memory (BIND_STORAGE), and the model has no other."""
    model = check_resources.hls_arrays(HardwareConfig(), weight_ram)
    assert sorted(declared_arrays(int(weight_ram == "uram")), key=lambda a: a.name) == \
        sorted(model, key=lambda a: a.name)


def test_a_row_too_big_for_its_part_is_caught():
    """The first ZCU104 row (32x16, 2560 words of 8192 bits) needs 128 URAM for 64-bit columns;
    the part has 96, and block RAM alone is far too small."""
    zcu104 = BOARDS["zcu104"]
    too_big = dataclasses.replace(zcu104, config=dataclasses.replace(
        zcu104.config, max_input=384, max_hidden=384, weight_depth=2560, bias_depth=768))
    problems = check_resources.estimate(too_big, "rtl").over_budget()
    assert problems and "BRAM36" in problems[0] and zcu104.part in problems[0]


@pytest.mark.parametrize("impl", ["rtl", "hls"])
def test_weights_go_to_the_boards_weight_ram(impl):
    """KV260: RTL 64 columns of 2048 x 64 bits, HLS 16 tiles of 2048 x 256 bits (4 URAM each)."""
    assert check_resources.estimate(BOARDS["kv260"], impl).uram == 64
    assert check_resources.estimate(BOARDS["pynq-z2"], impl).uram == 0  # no URAM on a 7-series


def test_weights_overflowing_ultraram_are_caught():
    """ZCU104's 32 tiles of 1024 x 256 bits would take 128 URAM; the part has 96 (hence bram)."""
    zcu104 = dataclasses.replace(BOARDS["zcu104"], weight_ram="uram")
    problems = check_resources.estimate(zcu104, "hls").over_budget()
    assert problems == [f"URAM 128 > 96 available on {zcu104.part}"]


def test_weight_ram_must_be_bram_or_uram(tmp_path, monkeypatch):
    table = tmp_path / "boards.csv"
    table.write_text(sharp.boards.BOARDS_CSV.read_text().replace(",uram\n", ",ultra\n"))
    monkeypatch.setattr(sharp.boards, "BOARDS_CSV", table)
    with pytest.raises(ValueError, match="board kv260 has weight_ram 'ultra'; valid: bram, uram"):
        sharp.boards.boards()


@pytest.mark.parametrize("depth,width,ramb36", [(1024, 36, 1), (512, 72, 1), (1024, 18, 0.5),
                                                (4096, 16, 2), (1024, 2048, 57), (32768, 1, 1)])
def test_block_ram_aspect_ratios(depth, width, ramb36):
    assert check_resources.ramb36_count(depth, width) == ramb36


def test_ultraram_blocks():
    assert check_resources.uram_count(4096, 72) == 1
    assert check_resources.uram_count(2560, 16 * 512) == 114
    assert check_resources.uram_count(8192, 72) == 2


def test_yosys_report_is_read_tolerantly(tmp_path):
    report = tmp_path / "report.json"
    assert check_resources.read_yosys_report(report) is None  # missing
    report.write_text("not json")
    assert check_resources.read_yosys_report(report) is None
    report.write_text(json.dumps({"top": "sharp_top", "LUT": 21000, "FF": 30000, "DSP48": 128,
                                  "BRAM": 60, "ok": True}))
    assert check_resources.read_yosys_report(report) == {"LUT": 21000, "FF": 30000, "DSP48": 128,
                                                         "BRAM": 60}


def test_main_prints_the_table_and_the_yosys_figures(tmp_path, capsys):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"lut": 26600, "dsp48": 128, "bram36_equivalent": 70,
                                  "cells": {"MUXF9": 9000}}))
    assert check_resources.main(["--yosys-report", str(report)]) == 0
    out = capsys.readouterr().out
    assert all(f"| {name} | {impl} |" in out for name, impl in BUILDS)
    assert "lut 26600 (50%)" in out and "dsp48 128 (58%)" in out
    assert "bram36_equivalent 70 (50%)" in out and "MUXF9" not in out
