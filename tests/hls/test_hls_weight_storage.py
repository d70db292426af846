"""Where Vitis puts the weight buffer: what hls/sharp_top.cpp hands the tool after the
preprocessor, for each SHARP_WEIGHT_URAM (g++ -E keeps the #pragma HLS lines Vitis reads)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from sharp import hls_csim


def weight_pragmas(*defines: str) -> list[str]:
    command = hls_csim.compile_command(None, Path("unused"))
    sources = {str(hls_csim.KERNEL), str(hls_csim.TESTBENCH), "-o", "unused"}
    command = [a for a in command if a not in sources] + [*defines, "-E", str(hls_csim.KERNEL)]
    proc = subprocess.run(command, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return [" ".join(line.split()) for line in proc.stdout.splitlines()
            if re.match(r"\s*#pragma HLS .*variable=weights\b", line)]


@pytest.mark.parametrize("defines,impl", [((), "bram"), (("-DSHARP_WEIGHT_URAM=0",), "bram"),
                                          (("-DSHARP_WEIGHT_URAM=1",), "uram")])
def test_one_wide_ram_per_tile_in_the_chosen_memory(defines, impl):
    # the tile dimension only: each tile keeps one RAM of whole K-lane words (one read per cycle)
    assert weight_pragmas(*defines) == [
        "#pragma HLS ARRAY_PARTITION variable=weights complete dim=1",
        f"#pragma HLS BIND_STORAGE variable=weights type=ram_s2p impl={impl}"]


def test_weights_are_declared_as_tile_words():
    assert re.search(r"static tile_word<config_t> weights\[config_t::tiles\]\[config_t::weight_depth\];",
                     hls_csim.KERNEL.read_text())
    assert re.search(r"using tile_word = ap_uint<16 \* CONFIG_T::lanes>;",
                     (hls_csim.HLS_DIR / "sharp_mac.h").read_text())


def test_an_out_of_range_choice_does_not_compile():
    command = hls_csim.compile_command(None, Path("unused"))
    command = [a for a in command if a not in ("-o", "unused", str(hls_csim.TESTBENCH))]
    proc = subprocess.run([*command, "-DSHARP_WEIGHT_URAM=2", "-fsyntax-only"], capture_output=True,
                          text=True)
    assert proc.returncode != 0 and "SHARP_WEIGHT_URAM must be 0 or 1" in proc.stderr
