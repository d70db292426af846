"""Where Vitis puts the weight buffer: what hls/sharp_top.cpp hands the tool after the
preprocessor, for each SHARP_WEIGHT_URAM_TILES (g++ -E keeps the #pragma HLS lines Vitis reads)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from sharp import hls_csim
from hls_builds import SMALL

KERNEL_SOURCES = [hls_csim.KERNEL, *(hls_csim.HLS_DIR / h for h in ("sharp_mac.h", "sharp_load.h", "sharp_run.h"))]


def preprocessed(*defines: str) -> str:
    command = hls_csim.compile_command(None, Path("unused"))
    sources = {str(hls_csim.KERNEL), str(hls_csim.TESTBENCH), "-o", "unused"}
    command = [a for a in command if a not in sources] + [*defines, "-E", str(hls_csim.KERNEL)]
    proc = subprocess.run(command, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def weight_pragmas(*defines: str) -> list[str]:
    return [" ".join(line.split()) for line in preprocessed(*defines).splitlines()
            if re.match(r"\s*#pragma HLS .*variable=weights", line)]


@pytest.mark.parametrize("defines", [(), ("-DSHARP_WEIGHT_URAM_TILES=0",), ("-DSHARP_WEIGHT_URAM_TILES=5",),
                                     ("-DSHARP_WEIGHT_URAM_TILES=8",)])
def test_one_wide_ram_per_tile_in_each_memory(defines):
    # the tile dimension only: each tile keeps one RAM of whole K-lane words (one read per cycle);
    # the split sets the arrays' sizes, never their pragmas
    assert weight_pragmas(*defines) == [
        "#pragma HLS ARRAY_PARTITION variable=weights_uram complete dim=1",
        "#pragma HLS BIND_STORAGE variable=weights_uram type=ram_s2p impl=uram",
        "#pragma HLS ARRAY_PARTITION variable=weights_bram complete dim=1",
        "#pragma HLS BIND_STORAGE variable=weights_bram type=ram_s2p impl=bram"]


def test_weights_are_declared_as_tile_words():
    text = hls_csim.KERNEL.read_text()
    for memory in ("uram", "bram"):
        assert re.search(rf"static tile_word<config_t> weights_{memory}\[config_t::{memory}_banks\]"
                         r"\[config_t::weight_depth\];", text)
    assert re.search(r"using tile_word = ap_uint<16 \* CONFIG_T::lanes>;",
                     (hls_csim.HLS_DIR / "sharp_mac.h").read_text())


def test_tile_accesses_have_a_static_memory():
    """The weight arrays are indexed only through read_tile / write_tile, called from unrolled
    tile loops: a tile's memory is a constant, never a run-time choice between arrays."""
    for path in KERNEL_SOURCES:
        text = path.read_text()
        for call in re.finditer(r"(read|write)_tile<CONFIG_T>\(", text):
            loop = text.rfind("for (unsigned t = 0; t <", 0, call.start())
            assert loop >= 0 and "#pragma HLS UNROLL" in text[loop:call.start()], path.name
    accesses = [m.group(0) for path in KERNEL_SOURCES for m in re.finditer(r"weights_(uram|bram)\[[^\]]*\]\[",
                                                                          path.read_text())
                if not m.group(0).endswith("_banks][")]  # the declarations
    assert sorted(accesses) == ["weights_bram[t - CONFIG_T::uram_tiles][", "weights_bram[t - CONFIG_T::uram_tiles][",
                                "weights_uram[t][", "weights_uram[t]["]


def test_an_out_of_range_choice_does_not_compile():
    command = hls_csim.compile_command(None, Path("unused"))
    command = [a for a in command if a not in ("-o", "unused", str(hls_csim.TESTBENCH))]
    proc = subprocess.run([*command, "-DSHARP_WEIGHT_URAM_TILES=9", "-fsyntax-only"], capture_output=True,
                          text=True)
    assert proc.returncode != 0 and "SHARP_WEIGHT_URAM_TILES must be in 0..SHARP_N (the tiles)" in proc.stderr


def test_a_split_buffer_gives_the_same_beats(tmp_path):
    """C simulation with tile 0 of the 2x4 build in weights_uram and tile 1 in weights_bram (the
    other tests build everything in weights_bram): the Vitis vectors' layers read both."""
    exe = tmp_path / "sharp_csim"
    command = hls_csim.compile_command(SMALL, exe)
    subprocess.run([command[0], "-DSHARP_WEIGHT_URAM_TILES=1", *command[1:]], check=True)
    vectors = tmp_path / "vectors.txt"
    hls_csim.write_vectors(vectors, hls_csim.vitis_transactions(SMALL, np.random.default_rng(16)))
    proc = subprocess.run([str(exe), str(vectors)], capture_output=True, text=True)
    assert proc.returncode == 0 and "0 mismatches" in proc.stdout, proc.stdout + proc.stderr
