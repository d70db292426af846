"""Every board of overlay/boards.csv fits its part, by overlay/check_resources.py's estimate."""
from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys

import pytest

from sharp.boards import boards
from sharp.toolchain import REPO

spec = importlib.util.spec_from_file_location("check_resources", REPO / "overlay" / "check_resources.py")
check_resources = importlib.util.module_from_spec(spec)
sys.modules["check_resources"] = check_resources  # its dataclasses look their module up here
spec.loader.exec_module(check_resources)

BOARDS = boards()


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_board_fits_its_part(name):
    estimate = check_resources.estimate(BOARDS[name])
    assert estimate.over_budget() == []
    assert estimate.dsp == BOARDS[name].config.macs


def test_a_row_too_big_for_its_part_is_caught():
    """The first ZCU104 row (32x16, 2560 words) needs 114 URAM for the weights; the part has 96."""
    zcu104 = BOARDS["zcu104"]
    too_big = dataclasses.replace(zcu104, config=dataclasses.replace(
        zcu104.config, max_input=384, max_hidden=384, weight_depth=2560, bias_depth=768))
    problems = check_resources.estimate(too_big).over_budget()
    assert problems and "BRAM36" in problems[0] and zcu104.part in problems[0]


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
    report.write_text(json.dumps({"LUT": 26600, "DSP48": 128}))
    assert check_resources.main(["--yosys-report", str(report)]) == 0
    out = capsys.readouterr().out
    assert all(f"| {name} |" in out for name in BOARDS)
    assert "LUT 26600 (50%)" in out and "DSP48 128 (58%)" in out
