"""Every board of overlay/boards.csv fits its part, by overlay/check_resources.py's estimate
(an estimate from the buffer sizes, not a synthesis)."""
from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys

import pytest

import sharp.boards
from sharp.boards import boards
from sharp.cycle_model import elementwise_lanes
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
    # HLS puts each elementwise lane's three products on DSP48s; the RTL uses shift-add
    lanes = elementwise_lanes(BOARDS[name].config)
    assert estimate.dsp == BOARDS[name].config.macs + (3 * lanes if impl == "hls" else 0)


def test_hls_weights_are_one_wide_ram_per_tile():
    """hls/sharp_top.cpp: N banks of WDEPTH words of K packed int16 (ARRAY_PARTITION dim=1)."""
    (weights,) = [m for m in check_resources.hls_memories(BOARDS["kv260"].config) if m.name == "weights"]
    assert (weights.depth, weights.width, weights.copies) == (2048, 16 * 16, 16)


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
                                  "cells": {"LUT6": 9000}}))
    assert check_resources.main(["--yosys-report", str(report)]) == 0
    out = capsys.readouterr().out
    assert all(f"| {name} | {impl} |" in out for name, impl in BUILDS)
    assert "lut 26600 (50%)" in out and "dsp48 128 (58%)" in out
    assert "bram36_equivalent 70 (50%)" in out and "LUT6" not in out
