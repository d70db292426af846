"""The HLS sources against the contract's Python copies: sharp_top's signature and register
offsets (sharp.regmap), and hls/sharp_config.h's defaults (sharp.HardwareConfig)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from sharp import HardwareConfig, hls_csim, program, regmap
from sharp.config import CONTRACT_VERSION

TOP_HEADER = hls_csim.HLS_DIR / "sharp_top.h"


def signature_arguments() -> list[tuple[str, str]]:
    text = TOP_HEADER.read_text()
    body = re.search(r"void sharp_top\((.*?)\);", text, re.S).group(1)
    return [re.fullmatch(r"(.+?)\s*([&*]?)\s*(\w+)", a.strip()).group(1, 3) for a in body.split(",")
            if "hls::stream" not in a and "ap_axiu" not in a]


def test_signature_order_is_the_register_order():
    """Vitis assigns offsets in argument order: the version-2 `cell`, `state`, `batch` and the
    output `max_batch` come last, after the outputs, at 0xE8, 0xF0, 0xF8 and 0x100."""
    names = [name for _, name in signature_arguments()]
    assert names == sorted(regmap.OFFSETS, key=regmap.OFFSETS.get)
    assert names[-4:] == ["cell", "state", "batch", "max_batch"]
    assert [regmap.OFFSETS[n] for n in names[-4:]] == [0xE8, 0xF0, 0xF8, 0x100]
    assert all(t == "ap_uint<32>" for t, _ in signature_arguments())
    # max_batch is an output (a pointer), batch an argument
    header = TOP_HEADER.read_text()
    assert re.search(r"ap_uint<32>\*\s*max_batch\b", header)
    assert re.search(r"ap_uint<32>\s+batch\b", header)


def test_s_axilite_offsets_are_the_contract_offsets():
    text = hls_csim.KERNEL.read_text()
    pragmas = re.findall(r"#pragma HLS INTERFACE mode=s_axilite port=(\w+) bundle=control(?: offset=(0x[0-9A-F]+))?",
                         text)
    offsets = {port: int(offset, 16) for port, offset in pragmas if port != "return"}
    assert offsets == regmap.OFFSETS
    assert (offsets["cell"], offsets["state"], offsets["batch"], offsets["max_batch"]) == \
        (0xE8, 0xF0, 0xF8, 0x100)
    assert ("return", "") in pragmas
    assert re.search(r"#pragma HLS INTERFACE mode=axis port=in_stream\b", text)
    assert re.search(r"#pragma HLS INTERFACE mode=axis port=out_stream\b", text)


def test_header_defaults_are_hardware_config():
    """Built with no -D at all, the kernel reports sharp.HardwareConfig()'s parameters."""
    regs = hls_csim.run([hls_csim.Transaction(program.info())], None).outcomes[0].regs
    default = HardwareConfig()
    reported = HardwareConfig.from_info(regs["build_info"], regs["capacity_info"],
                                        regs["weight_depth"], regs["bias_depth"],
                                        regs["max_batch"])
    assert reported == default
    assert regs["build_info"] >> 24 == CONTRACT_VERSION == 2
    text = (hls_csim.HLS_DIR / "sharp_config.h").read_text()
    for macro, field in hls_csim.MACROS:
        assert re.search(rf"#define {macro} (\d+)", text).group(1) == str(getattr(default, field))


def test_kernel_is_cpp14_for_the_vitis_front_end():
    """Vitis HLS compiles C++14 by default; the kernel and testbench must not need more."""
    command = hls_csim.compile_command(None, Path("unused"))
    command = [a for a in command if a not in ("-o", "unused")]
    command[command.index("-std=c++17")] = "-std=c++14"
    proc = subprocess.run([*command, "-fsyntax-only"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_every_contract_tile_count_builds():
    """N = 1..64 are valid builds (E is capped at 4 units a cycle, one out_stream beat)."""
    command = hls_csim.compile_command(None, Path("unused"))
    command = [a for a in command if a not in ("-o", "unused", str(hls_csim.TESTBENCH))]
    for n in (1, 32, 64):
        proc = subprocess.run([*command, f"-DSHARP_N={n}", "-DSHARP_K=4", "-fsyntax-only"],
                              capture_output=True, text=True)
        assert proc.returncode == 0, (n, proc.stderr)


def test_every_contract_max_batch_builds_and_others_do_not():
    """MAX_BATCH = 1..64 (ARCHITECTURE.md §2) are valid builds; 0 and 65 stop at a static_assert."""
    command = hls_csim.compile_command(None, Path("unused"))
    command = [a for a in command if a not in ("-o", "unused", str(hls_csim.TESTBENCH))]
    for batch, ok in ((1, True), (64, True), (0, False), (65, False)):
        proc = subprocess.run([*command, f"-DSHARP_MAX_BATCH={batch}", "-fsyntax-only"],
                              capture_output=True, text=True)
        assert (proc.returncode == 0) == ok, (batch, proc.stderr)
        if not ok:
            assert "SHARP_MAX_BATCH must be in 1..64" in proc.stderr
