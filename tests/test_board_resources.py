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


def weight_banks(config: HardwareConfig, uram_tiles: int) -> dict[str, tuple[int, int, int]]:
    shapes = check_resources.hls_shapes(config) | check_resources.weight_shapes(config, uram_tiles)
    return {a.name: a.shape(shapes) for a in check_resources.hls_arrays(config) if a.name.startswith("weights")}


@pytest.mark.parametrize("name,macs", [("kv260-wide", 512), ("zcu104-wide", 1024)])
def test_a_wide_row_is_a_wider_array_on_its_boards_part(name, macs):
    """docs/BOARDS.md, "Capacity and width per part": 8x64 on KV260, 16x64 on ZCU104."""
    wide, base = BOARDS[name], BOARDS[name.removesuffix("-wide")]
    assert wide.part == base.part and wide.config.macs == macs == 2 * base.config.macs


@pytest.mark.parametrize("name,widest", [("kv260-wide", {(16, 32), (8, 64)}), ("zcu104-wide", {(16, 64)})])
def test_the_width_study_finds_the_wide_rows(name, widest):
    """The widest arrays that fit both builds on the part (the broadcast's LUTs rule out more
    tiles), and the row is the study's build of its array: the most words, then the batch."""
    row = BOARDS[name]
    study = check_resources.width_study(BOARDS[name.removesuffix("-wide")])
    fitting = [(n, k, b) for n, k, b, _ in study if b is not None]
    assert {(n, k) for n, k, _ in fitting if n * k == row.config.macs} == widest
    assert max(n * k for n, k, _ in fitting) == row.config.macs
    (found,) = [b for n, k, b in fitting if (n, k) == (row.config.tiles, row.config.lanes)]
    assert (found.config, found.weight_uram_tiles) == (row.config, row.weight_uram_tiles)
    assert row.config.weight_depth == 512  # one block of depth: a deeper word overflows block RAM


def test_no_wider_array_fits_the_pynq_z2():
    """256 MACs need 269 DSP48s or more (P + 11E + 2); the XC7Z020 has 220."""
    study = check_resources.width_study(BOARDS["pynq-z2"])
    assert max(n * k for n, k, b, _ in study if b is not None) == 128
    assert all(any("DSP" in p for p in problems) for n, k, b, problems in study if n * k == 256)


def test_hls_weights_are_one_wide_ram_per_tile():
    """hls/sharp_top.cpp: one bank per tile of WDEPTH words of K packed int16 (ARRAY_PARTITION
    dim=1), the first weight_uram_tiles in UltraRAM; a memory without tiles has no bank."""
    kv260 = BOARDS["kv260"].config  # all 16 tiles in UltraRAM
    assert weight_banks(kv260, 16) == {"weights_uram": (16, 4096, 256), "weights_bram": (0, 4096, 256)}
    zcu104 = BOARDS["zcu104"].config  # 16 tiles of 32 lanes: 512-bit banks
    assert weight_banks(zcu104, 12) == {"weights_uram": (12, 4096, 512), "weights_bram": (4, 4096, 512)}
    assert weight_banks(zcu104, 0) == {"weights_uram": (0, 4096, 512), "weights_bram": (16, 4096, 512)}


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
WEIGHT_SPLIT_PROGRAM = """
#include <cstdio>
#include "sharp_config.h"
int main() {
    typedef sharp::build_config c;
    std::printf("uram_tiles %u bram_tiles %u uram_banks %u bram_banks %u\\n", c::uram_tiles, c::bram_tiles,
                c::uram_banks, c::bram_banks);
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


@pytest.mark.parametrize("uram_tiles,expected", [(0, (0, 8, 1, 8)), (3, (3, 5, 3, 5)), (8, (8, 0, 8, 1))])
def test_weight_split_is_sharp_config_h(tmp_path, uram_tiles, expected):
    """build_config's split of the default build's 8 tiles, as weight_shapes() has it."""
    source = tmp_path / "split.cpp"
    source.write_text(WEIGHT_SPLIT_PROGRAM)
    exe = tmp_path / "split"
    subprocess.run(["g++", "-std=c++14", "-I", str(hls_csim.HLS_DIR), f"-DSHARP_WEIGHT_URAM_TILES={uram_tiles}",
                    str(source), "-o", str(exe)], check=True)
    words = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    printed = dict(zip(words[::2], map(int, words[1::2])))
    assert printed == dict(zip(("uram_tiles", "bram_tiles", "uram_banks", "bram_banks"), expected))
    assert printed == check_resources.weight_shapes(HardwareConfig(), uram_tiles)


def type_bits(lanes: int) -> dict[str, int]:
    """Bits of the element types hls/ declares its arrays with (from the typedefs)."""
    bits = {"tile_word<config_t>": 16 * lanes, "ap_uint<64>": 64}
    for header in hls_csim.HLS_DIR.glob("*.h"):
        for width, name in re.findall(r"typedef ap_u?int<(\d+)> (\w+);", header.read_text()):
            bits[name] = int(width)
    assert re.search(r"using tile_word = ap_uint<16 \* CONFIG_T::lanes>;", (hls_csim.HLS_DIR / "sharp_mac.h").read_text())
    return bits


def declared_arrays(uram_tiles: int) -> list:
    """The static arrays of sharp_top() and their pragmas, as Vitis sees them after the
    preprocessor (g++ -E, with the weight split SHARP_WEIGHT_URAM_TILES)."""
    command = hls_csim.compile_command(None, Path("unused"))
    drop = {str(hls_csim.KERNEL), str(hls_csim.TESTBENCH), "-o", "unused"}
    command = [a for a in command if a not in drop] + [f"-DSHARP_WEIGHT_URAM_TILES={uram_tiles}", "-E", "-P",
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


@pytest.mark.parametrize("uram_tiles", [0, 3, 8])
def test_hls_model_arrays_are_sharp_top_declarations(uram_tiles):
    """Every array sharp_top declares is in the model with its element width, dimensions, banks
    (ARRAY_PARTITION) and memory (BIND_STORAGE), and the model has no other."""
    model = check_resources.hls_arrays(HardwareConfig())
    assert sorted(declared_arrays(uram_tiles), key=lambda a: a.name) == sorted(model, key=lambda a: a.name)


def test_a_row_too_big_for_its_part_is_caught():
    """ZCU104 at batch 8 instead of 4: on its 16 row banks the x projection's slots go from
    1024 x 34 to 2048 x 34 (1 -> 2 RAMB36 a bank, +16), z's from 512 x 32 to 1024 x 32 (a
    RAMB18 -> a RAMB36, +8) and the four state banks' from 512 x 25 to 1024 x 25 (+2): 309 + 26
    = 335 RAMB36 of 312 (RTL)."""
    zcu104 = BOARDS["zcu104"]
    too_big = dataclasses.replace(zcu104, config=dataclasses.replace(zcu104.config, max_batch=8))
    assert check_resources.estimate(too_big, "rtl").over_budget() == [f"BRAM36 335 > 312 available on {zcu104.part}"]


@pytest.mark.parametrize("impl", ["rtl", "hls"])
def test_weights_go_to_the_boards_weight_ram(impl):
    """KV260: RTL 64 columns of 4096 x 64 bits, HLS 16 tiles of 4096 x 256 bits (4 URAM each)."""
    assert check_resources.estimate(BOARDS["kv260"], impl).uram == 64
    assert check_resources.estimate(BOARDS["pynq-z2"], impl).uram == 0  # no URAM on a 7-series


@pytest.mark.parametrize("impl,name,ramb36", [("rtl", "weights", 32 * 8), ("hls", "weights_bram", 4 * 57)])
def test_split_weights_fill_the_ultraram_and_the_rest_goes_to_block_ram(impl, name, ramb36):
    """ZCU104 (16 x 32): tiles 0..11 in its 96 URAMs (8 a tile: eight 64-bit columns, or one
    512-bit bank, of 4096 words), tiles 12..15 in block RAM: RTL 32 columns of 4096 x 64 bits at
    8 RAMB36 (4096 x 9, 8 wide), HLS 4 banks of 4096 x 512 bits at 57 (4096 x 9, 57 wide)."""
    zcu104 = BOARDS["zcu104"]
    assert (zcu104.weight_uram_tiles, zcu104.weight_ram) == (12, "uram+bram")
    assert check_resources.estimate(zcu104, impl).uram == 96
    if impl == "rtl":
        (weights,) = [m for m in check_resources.rtl_memories(zcu104.config, 12) if m.name == name]
        assert check_resources.memory_cost(weights) == (ramb36, 0, 0)
    else:
        (weights,) = [i for i in check_resources.hls_model(zcu104) if i.name == name]
        assert weights.bram36 == ramb36


@pytest.mark.parametrize("impl", ["rtl", "hls"])
def test_weights_overflowing_ultraram_are_caught(impl):
    """ZCU104's 16 tiles all in UltraRAM would take 128 URAM (8 a tile); the part has 96."""
    zcu104 = dataclasses.replace(BOARDS["zcu104"], weight_uram_tiles=16)
    problems = check_resources.estimate(zcu104, impl).over_budget()
    assert problems == [f"URAM 128 > 96 available on {zcu104.part}"]


@pytest.mark.parametrize("value", ["17", "-1", "uram"])
def test_weight_uram_tiles_must_be_within_the_tiles(tmp_path, monkeypatch, value):
    table = tmp_path / "boards.csv"
    lines = sharp.boards.BOARDS_CSV.read_text().splitlines()
    lines = [line.rsplit(",", 1)[0] + f",{value}" if line.startswith("kv260,") else line for line in lines]
    table.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(sharp.boards, "BOARDS_CSV", table)
    with pytest.raises(ValueError, match=re.escape(f"board kv260 has weight_uram_tiles '{value}'; valid: 0..16 (its tiles)")):
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
