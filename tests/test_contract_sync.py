"""docs/ARCHITECTURE.md and its Python copies (regmap, config, cycle model) say the same thing."""
from __future__ import annotations

import re
import subprocess

from sharp import HardwareConfig, cycle_model, regmap
from sharp.config import CONTRACT_VERSION, LUT_BITS
from sharp.toolchain import REPO

DOC = (REPO / "docs" / "ARCHITECTURE.md").read_text()


def doc_register_rows() -> dict[str, int]:
    rows = {}
    for m in re.finditer(r"^\| (0x[0-9A-F]{2,3})(?: / 0x[0-9A-F]{2,3})? \| (\w+)", DOC, re.M):
        rows[m.group(2)] = int(m.group(1), 16)
    return rows


def test_register_map_matches_document():
    rows = doc_register_rows()
    for name, offset in regmap.OFFSETS.items():
        assert rows.get(name) == offset, f"{name}: doc {rows.get(name)}, regmap {offset:#x}"
    assert {rows[n] for n in ("CTRL", "GIE", "IER", "ISR")} == {regmap.CTRL, regmap.GIE,
                                                               regmap.IER, regmap.ISR}
    assert max(regmap.OFFSETS.values()) + 8 <= 1 << regmap.ADDR_WIDTH


def test_signature_lists_arguments_in_register_order():
    sig = DOC[DOC.index("void sharp_top("):DOC.index(");", DOC.index("void sharp_top("))]
    names = re.findall(r"ap_uint<32>\*? (\w+)", sig)
    # version 2's arguments follow the outputs (§7), so the order is that of the offsets
    assert tuple(names) == tuple(sorted(regmap.OFFSETS, key=regmap.OFFSETS.get))


def test_opcodes_match_document():
    text = "0 INFO, 1 LOAD_WEIGHTS, 2 LOAD_BIAS, 3 LOAD_TABLES, 4 RUN"
    assert text in DOC
    assert ", ".join(f"{k} {v}" for k, v in regmap.OPCODE_NAMES.items()) == text


def test_latencies_match_document():
    c = HardwareConfig()
    assert f"`L_MAC` | `4 + log2 P`" in DOC and cycle_model.l_mac(c) == 4 + 7
    for name in ("L_EW", "L_X", "OV_START", "OV_END"):
        m = re.search(rf"^\| `{name}` \| (\d+) \|", DOC, re.M)
        assert m and int(m.group(1)) == getattr(cycle_model, name), name


def test_default_build_matches_document():
    c = HardwareConfig()
    for field, key in (("tiles", "`N`"), ("lanes", "`K`"), ("max_input", "`MAX_INPUT`"),
                       ("max_hidden", "`MAX_HIDDEN`"), ("weight_depth", "`WDEPTH`"),
                       ("bias_depth", "`BDEPTH`"), ("max_batch", "`MAX_BATCH`")):
        m = re.search(rf"^\| {re.escape(key)} \|.*\| (\d+) \|$", DOC, re.M)
        assert m and int(m.group(1)) == getattr(c, field), field


def sv_localparams(path) -> dict[str, int]:
    text = path.read_text()
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r"(\w+)\s*=\s*(?:32'd)?(\d+)\b", text)}


def test_rtl_package_matches_config_and_regmap():
    pkg = sv_localparams(REPO / "rtl" / "sharp_pkg.sv")
    c = HardwareConfig()
    for name, value in (("DEFAULT_N", c.tiles), ("DEFAULT_K", c.lanes),
                        ("DEFAULT_MAX_INPUT", c.max_input), ("DEFAULT_MAX_HIDDEN", c.max_hidden),
                        ("DEFAULT_WDEPTH", c.weight_depth), ("DEFAULT_BDEPTH", c.bias_depth),
                        ("DEFAULT_MAX_BATCH", c.max_batch),
                        ("CONTRACT_VERSION", CONTRACT_VERSION), ("LUT_BITS", LUT_BITS),
                        ("MAX_SHIFT", regmap.MAX_SHIFT)):
        assert pkg[name] == value, name
    for code, name in regmap.OPCODE_NAMES.items():
        assert pkg[f"OP_{name}"] == code
    for slot, name in enumerate(regmap.ARGUMENTS):
        assert pkg[f"ARG_{name.upper()}"] == slot


LATENCY_PROGRAM = """
#include <cstdio>
#include "sharp_config.h"
int main() {
    typedef sharp::latency<sharp::build_config> lat;
    std::printf("%u %u %u %u %u %u\\n", lat::mac, lat::ew, lat::start, lat::end, lat::mac_stages, lat::ew_stages);
}
"""


def test_hls_latencies_are_the_cycle_models(tmp_path):
    """hls/sharp_config.h's latency<> (the one place the HLS kernel takes them from) equals the
    cycle model's L_MAC, L_EW, OV_START and OV_END, and its pipelines are not deeper than them."""
    source = tmp_path / "latency.cpp"
    source.write_text(LATENCY_PROGRAM)
    for config in (HardwareConfig(), HardwareConfig(tiles=2, lanes=4, max_input=32, max_hidden=32,
                                                    weight_depth=64, bias_depth=32)):
        exe = tmp_path / f"latency-{config.name}"
        flags = [f"-DSHARP_{m}={v}" for m, v in (("N", config.tiles), ("K", config.lanes),
                                                   ("MAX_INPUT", config.max_input),
                                                   ("MAX_HIDDEN", config.max_hidden),
                                                   ("WDEPTH", config.weight_depth),
                                                   ("BDEPTH", config.bias_depth),
                                                   ("MAX_BATCH", config.max_batch))]
        subprocess.run(["g++", "-std=c++14", "-I", str(REPO / "hls"), *flags, str(source), "-o", str(exe)],
                       check=True)
        mac, ew, start, end, mac_stages, ew_stages = map(int, subprocess.run(
            [str(exe)], capture_output=True, text=True, check=True).stdout.split())
        assert (mac, ew, start, end) == (cycle_model.l_mac(config), cycle_model.L_EW,
                                         cycle_model.OV_START, cycle_model.OV_END)
        assert mac_stages <= mac and ew_stages <= ew
