"""Dry run of build.tcl, the Vivado flow for the PYNQ overlays. This is NOT a synthesis.

tclsh runs build.tcl's real control flow (board table, IP from hls/ or rtl/, block design,
timing gate, overlay copy) with every Vivado and Vitis HLS command replaced by a recorder
(tests/tcl_dryrun/fake_vivado.tcl) that logs the call. The tests check what would be asked of
Vivado: parts, IP cells and their settings, connections, addresses, clock and output files.
Whether Vivado accepts these settings and meets timing is only known from a real build.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sharp import regmap
from sharp.boards import boards, hls_arguments

REPO = Path(__file__).resolve().parents[1]
FAKE_VIVADO = REPO / "tests" / "tcl_dryrun" / "fake_vivado.tcl"
TCLSH = shutil.which("tclsh")
BOARDS = boards()
CASES = [(b, impl) for b in sorted(BOARDS) for impl in ("hls", "rtl")]
VLNV = "sharp.accel:hls:sharp_top:1.0"

# The addresses docs/BOARDS.md gives the host on each PS's control port, 64 KiB each.
ADDRESSES = {
    "pynq-z2": {"sharp_top_0/s_axi_control/Reg": 0x43C00000, "axi_dma_0/S_AXI_LITE/Reg": 0x40400000,
                "axi_intc_0/S_AXI/Reg": 0x41800000, "sharp_reset/S_AXI/Reg": 0x43C10000},
    "zcu104": {"sharp_top_0/s_axi_control/Reg": 0xA0000000, "axi_dma_0/S_AXI_LITE/Reg": 0xA0010000,
               "axi_intc_0/S_AXI/Reg": 0xA0020000, "sharp_reset/S_AXI/Reg": 0xA0030000},
}
ADDRESSES["kv260"] = ADDRESSES["zcu104"]
PS_VLNV = {"pynq-z2": "xilinx.com:ip:processing_system7", "zcu104": "xilinx.com:ip:zynq_ultra_ps_e",
           "kv260": "xilinx.com:ip:zynq_ultra_ps_e"}
CLOCK_PROPERTY = {"pynq-z2": "CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ",
                  "zcu104": "CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ",
                  "kv260": "CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ"}
# 1000 / clock_mhz of each row, as build.tcl hands it to run_hls.tcl
HLS_CLOCK_NS = {"pynq-z2": "10", "zcu104": "5", "kv260": "5"}
HP_PORT = {"pynq-z2": "ps/S_AXI_HP0", "zcu104": "ps/S_AXI_HP0_FPD", "kv260": "ps/S_AXI_HP0_FPD"}
BOARD_PART = {"pynq-z2": "tul.com.tw:pynq-z2:part0:1.0", "zcu104": "xilinx.com:zcu104:part0:1.0",
              "kv260": "xilinx.com:kv260_som:part0:1.0"}
# a <board>-wide row is another build on <board>'s block design
for table in (ADDRESSES, PS_VLNV, CLOCK_PROPERTY, HLS_CLOCK_NS, HP_PORT, BOARD_PART):
    table.update({f"{name}-wide": table[name] for name in ("kv260", "zcu104")})
# the tiles whose weights are UltraRAM (docs/BOARDS.md): none on the 7-series, all 16 of KV260,
# 12 of ZCU104's 16 (its 96 URAMs at 8 a 32-lane tile); the 64-lane tiles of the wide rows
# take 16 URAMs each (16 columns, RTL), so 4 of 8 on KV260 and 6 of 16 on ZCU104
WEIGHT_URAM_TILES = {"pynq-z2": 0, "kv260": 16, "zcu104": 12, "kv260-wide": 4, "zcu104-wide": 6}


class DryRun:
    """One tclsh run of build.tcl in a scratch copy of the repository, and its call log."""

    def __init__(self, root: Path, board: str, impl: str, wns: str, whs: str, env: dict):
        log = root / "calls.jsonl"
        log.unlink(missing_ok=True)
        driver = root / "driver.tcl"
        driver.write_text(f"source {{{FAKE_VIVADO}}}\nset argv {{{board} {impl}}}\n"
                          f"source {{{root / 'build.tcl'}}}\n")
        run_env = dict(os.environ, SHARP_DRYRUN_LOG=str(log), SHARP_DRYRUN_WNS=wns,
                       SHARP_DRYRUN_WHS=whs, **env)
        proc = subprocess.run([TCLSH, str(driver)], capture_output=True, text=True, env=run_env,
                              cwd=root, timeout=60)
        self.root, self.returncode = root, proc.returncode
        self.stdout, self.stderr = proc.stdout, proc.stderr
        lines = log.read_text().splitlines() if log.exists() else []
        self.calls = [json.loads(line) for line in lines]

    def named(self, command: str) -> list[list[str]]:
        return [c[1:] for c in self.calls if c[0] == command]

    def cells(self) -> dict[str, str]:
        """Block-design cell name -> VLNV."""
        return {args[-1]: args[args.index("-vlnv") + 1] for args in self.named("create_bd_cell")}

    def properties(self, obj: str) -> dict[str, str]:
        return {args[0]: args[1] for args in self.named("set_property") if args[2] == obj}

    def index(self, command: str) -> int:
        return next(i for i, c in enumerate(self.calls) if c[0] == command)


def scratch_repo(root: Path) -> Path:
    """The files build.tcl reads, plus placeholders for the sources Vivado would compile."""
    shutil.copy(REPO / "build.tcl", root / "build.tcl")
    (root / "overlay").mkdir()
    shutil.copy(REPO / "overlay" / "boards.csv", root / "overlay" / "boards.csv")
    shutil.copytree(REPO / "overlay" / "tcl", root / "overlay" / "tcl")
    for placeholder in ("rtl/sharp_pkg.sv", "rtl/sharp_top.sv", "hls/run_hls.tcl"):
        (root / placeholder).parent.mkdir(exist_ok=True)
        (root / placeholder).write_text("// placeholder for the dry run\n")
    (root / "rtl" / "files.f").write_text("sharp_pkg.sv\nsharp_top.sv\n")
    return root


def dry_run(root: Path, board: str, impl: str, wns: str = "0.412", whs: str = "0.021",
            **env: str) -> DryRun:
    assert TCLSH, "tclsh (Tcl 8.6) is needed for the dry run of build.tcl: apt-get install tcl8.6"
    return DryRun(root, board, impl, wns, whs, env)


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[tuple[str, str], DryRun]:
    runs = {}
    for board, impl in CASES:
        run = dry_run(scratch_repo(tmp_path_factory.mktemp(f"{board}-{impl}")), board, impl)
        assert run.returncode == 0, run.stderr
        runs[board, impl] = run
    return runs


@pytest.mark.parametrize("board,impl", CASES)
def test_parts_and_ip_source(builds, board, impl):
    run, part = builds[board, impl], BOARDS[board].part
    projects = run.named("create_project")
    assert all(p[p.index("-part") + 1] == part for p in projects)
    assert projects[-1][0] == "sharp"
    if impl == "hls":
        (vitis,) = run.named("exec")
        assert vitis[:6] == ["vitis_hls", "-f", "run_hls.tcl", "-tclargs", "export", part]
        config = BOARDS[board].config
        assert vitis[6:13] == [f"SHARP_N={config.tiles}", f"SHARP_K={config.lanes}",
                               f"SHARP_MAX_INPUT={config.max_input}",
                               f"SHARP_MAX_HIDDEN={config.max_hidden}",
                               f"SHARP_WDEPTH={config.weight_depth}",
                               f"SHARP_BDEPTH={config.bias_depth}",
                               f"SHARP_MAX_BATCH={config.max_batch}"]
        # the tiles whose weight banks are UltraRAM, the board's clock period
        assert vitis[13:15] == [f"SHARP_WEIGHT_URAM_TILES={WEIGHT_URAM_TILES[board]}",
                                f"clock_ns={HLS_CLOCK_NS[board]}"]
        assert vitis[-1] == f"cwd {run.root / 'hls'}"
        # `make hls BOARD=...` passes the very same arguments as build.tcl
        assert vitis[5:15] == hls_arguments(board)
        assert not run.named("ipx::package_project")
        assert run.properties("sharp")["ip_repo_paths"] == str(
            run.root / "hls" / "sharp_prj" / "solution1" / "impl" / "ip")
    else:
        assert not run.named("exec")
        (package,) = run.named("ipx::package_project")
        assert package[package.index("-vendor") + 1] == "sharp.accel"
        assert package[package.index("-library") + 1] == "hls"
        core = run.properties("core")
        assert (core["name"], core["version"]) == ("sharp_top", "1.0")
        assert run.named("add_files")[0][1].split() == [
            str(run.root / "rtl" / f) for f in ("sharp_pkg.sv", "sharp_top.sv")]


@pytest.mark.parametrize("board", sorted(BOARDS))
def test_rtl_ip_generics_default_to_the_board(builds, board):
    run, config = builds[board, "rtl"], BOARDS[board].config
    expected = {"N": config.tiles, "K": config.lanes, "MAX_INPUT": config.max_input,
                "MAX_HIDDEN": config.max_hidden, "WDEPTH": config.weight_depth,
                "BDEPTH": config.bias_depth, "WEIGHT_URAM_TILES": WEIGHT_URAM_TILES[board]}
    for generic, value in expected.items():
        settings = [args[:2] for args in run.named("set_property") if args[2] == generic]
        # once on the user parameter, once on the HDL parameter
        assert settings.count(["value", str(value)]) == 2
        assert settings.count(["value_format", "long"]) == 2


def test_rtl_ip_has_the_hls_interfaces(builds):
    run = builds["pynq-z2", "rtl"]
    associations = run.named("ipx::associate_bus_interfaces")
    for busif in ("s_axi_control", "in_stream", "out_stream"):
        assert ["-busif", busif, "-clock", "ap_clk", "core"] in associations
    assert ["-clock", "ap_clk", "-reset", "ap_rst_n", "core"] in associations
    assert run.properties("POLARITY")["value"] == "ACTIVE_LOW"
    assert run.properties("Reg")["range"] == str(1 << regmap.ADDR_WIDTH)  # 9-bit s_axi_control addresses


def test_rtl_register_map_matches_host_regmap(builds):
    run = builds["pynq-z2", "rtl"]
    offsets = {name: int(run.properties(name)["address_offset"], 16)
               for (name, block) in run.named("ipx::add_register") if block == "Reg"}
    expected = {"CTRL": regmap.CTRL, "GIE": regmap.GIE, "IER": regmap.IER, "ISR": regmap.ISR}
    expected.update(regmap.OFFSETS)
    expected.update({f"{name}_ctrl": regmap.OFFSETS[name] + 4 for name in regmap.OUTPUTS})
    assert offsets == expected
    assert all(run.properties(n)["access"] == "read-only" for n in regmap.OUTPUTS)


def test_every_row_is_expected():
    assert sorted(BOARDS) == sorted(WEIGHT_URAM_TILES)


@pytest.mark.parametrize("board,impl", CASES)
def test_board_preset(builds, board, impl):
    """The board files of the row's board (a -wide row's are its board's)."""
    assert builds[board, impl].properties("sharp")["board_part"] == BOARD_PART[board]


@pytest.mark.parametrize("board,impl", CASES)
def test_ip_cells(builds, board, impl):
    run, config = builds[board, impl], BOARDS[board].config
    cells = run.cells()
    assert cells["ps"] == PS_VLNV[board]
    assert cells["sharp_top_0"] == VLNV
    assert cells["axi_dma_0"] == "xilinx.com:ip:axi_dma"
    assert cells["proc_sys_reset_0"] == "xilinx.com:ip:proc_sys_reset"
    dma = run.properties("axi_dma_0")
    assert dma["CONFIG.c_sg_length_width"] == "26"
    assert dma["CONFIG.c_include_sg"] == "0"
    assert all(dma[f"CONFIG.{p}"] == "64" for p in ("c_m_axis_mm2s_tdata_width",
                                                    "c_s_axis_s2mm_tdata_width"))
    assert run.properties("control_interconnect")["CONFIG.NUM_MI"] == "4"
    generics = {k.removeprefix("CONFIG."): int(v) for k, v in run.properties("sharp_top_0").items()}
    if impl == "rtl":
        assert generics == {"N": config.tiles, "K": config.lanes, "MAX_INPUT": config.max_input,
                            "MAX_HIDDEN": config.max_hidden, "WDEPTH": config.weight_depth,
                            "BDEPTH": config.bias_depth, "MAX_BATCH": config.max_batch,
                            "WEIGHT_URAM_TILES": WEIGHT_URAM_TILES[board]}
    else:
        assert generics == {}  # the HLS IP has its sizes compiled in


@pytest.mark.parametrize("board,impl", CASES)
def test_core_reset_gpio_cells(builds, board, impl):
    run = builds[board, impl]
    cells = run.cells()
    assert cells["sharp_reset"] == "xilinx.com:ip:axi_gpio"  # pynq: overlay.sharp_reset, AxiGPIO
    assert cells["sharp_reset_and"] == "xilinx.com:ip:util_vector_logic"
    gpio = run.properties("sharp_reset")
    assert (gpio["CONFIG.C_GPIO_WIDTH"], gpio["CONFIG.C_ALL_OUTPUTS"], gpio["CONFIG.C_IS_DUAL"]) == \
        ("1", "1", "0")
    assert int(gpio["CONFIG.C_DOUT_DEFAULT"], 16) == 1  # out of reset the core runs
    gate = run.properties("sharp_reset_and")
    assert (gate["CONFIG.C_SIZE"], gate["CONFIG.C_OPERATION"]) == ("1", "and")


@pytest.mark.parametrize("board,impl", CASES)
def test_core_reset_wiring(builds, board, impl):
    """ap_rst_n = peripheral_aresetn AND the GPIO; the DMA and the rest keep the system reset."""
    run = builds[board, impl]
    nets = run.named("connect_bd_net")
    core = [n for n in nets if "sharp_top_0/ap_rst_n" in n]
    assert core == [["sharp_reset_and/Res", "sharp_top_0/ap_rst_n"]]
    assert ["sharp_reset/gpio_io_o", "sharp_reset_and/Op2"] in nets
    (system,) = [n for n in nets if n[0] == "proc_sys_reset_0/peripheral_aresetn"]
    assert {"sharp_reset_and/Op1", "axi_dma_0/axi_resetn", "sharp_reset/s_axi_aresetn",
            "control_interconnect/aresetn"} <= set(system)
    assert not any(pin.startswith("sharp_top_0/") for pin in system)
    clock = next(n for n in nets if "sharp_top_0/ap_clk" in n)
    assert "sharp_reset/s_axi_aclk" in clock
    intf = {tuple(args) for args in run.named("connect_bd_intf_net")}
    assert ("control_interconnect/M03_AXI", "sharp_reset/S_AXI") in intf


@pytest.mark.parametrize("board,impl", CASES)
def test_connections(builds, board, impl):
    run = builds[board, impl]
    intf = {tuple(args) for args in run.named("connect_bd_intf_net")}
    assert ("axi_dma_0/M_AXIS_MM2S", "sharp_top_0/in_stream") in intf
    assert ("sharp_top_0/out_stream", "axi_dma_0/S_AXIS_S2MM") in intf
    assert ("control_interconnect/M00_AXI", "sharp_top_0/s_axi_control") in intf
    assert ("control_interconnect/M01_AXI", "axi_dma_0/S_AXI_LITE") in intf
    assert ("memory_interconnect/M00_AXI", HP_PORT[board]) in intf
    assert {("axi_dma_0/M_AXI_MM2S", "memory_interconnect/S00_AXI"),
            ("axi_dma_0/M_AXI_S2MM", "memory_interconnect/S01_AXI")} <= intf
    nets = run.named("connect_bd_net")
    clock = next(n for n in nets if "sharp_top_0/ap_clk" in n)
    assert {"axi_dma_0/s_axi_lite_aclk", "axi_dma_0/m_axi_mm2s_aclk", "axi_dma_0/m_axi_s2mm_aclk",
            "proc_sys_reset_0/slowest_sync_clk"} <= set(clock)
    assert clock[0].startswith("ps/")
    assert ["sharp_top_0/interrupt", "interrupt_concat/In0"] in nets


@pytest.mark.parametrize("board,impl", CASES)
def test_clock_and_addresses(builds, board, impl):
    run = builds[board, impl]
    assert float(run.properties("ps")[CLOCK_PROPERTY[board]]) == BOARDS[board].clock_mhz
    assigned = [args for args in run.named("assign_bd_address") if "-offset" in args]
    offsets = {args[-1]: int(args[args.index("-offset") + 1], 16) for args in assigned}
    assert offsets == ADDRESSES[board]
    assert all(args[args.index("-range") + 1] == "64K" for args in assigned)
    starts = sorted(offsets.values())
    assert all(b - a >= 0x1_0000 for a, b in zip(starts, starts[1:]))  # no two ranges overlap


@pytest.mark.parametrize("board,impl", CASES)
def test_overlay_files(builds, board, impl):
    run = builds[board, impl]
    for name in ("sharp.bit", "sharp.hwh"):
        assert (run.root / "overlay" / board / name).is_file()
    assert run.index("report_timing_summary") < run.index("write_bitstream")
    assert f"overlay/{board}/sharp.bit" in run.stdout


@pytest.mark.parametrize("wns,whs", [("-0.250", "0.030"), ("0.100", "-0.012")])
def test_failed_timing_stops_before_the_bitstream(tmp_path, wns, whs):
    run = dry_run(scratch_repo(tmp_path), "pynq-z2", "rtl", wns=wns, whs=whs)
    assert run.returncode != 0
    assert "timing not met" in run.stderr and f"WNS {wns} ns, WHS {whs} ns" in run.stderr
    assert not run.named("write_bitstream")
    assert not (tmp_path / "overlay" / "pynq-z2" / "sharp.bit").exists()


@pytest.mark.parametrize("failed_run,step", [("synth_1", "synth_design"), ("impl_1", "route_design")])
def test_a_failed_run_stops_the_build(tmp_path, failed_run, step):
    run = dry_run(scratch_repo(tmp_path), "kv260", "rtl", SHARP_DRYRUN_FAILED_RUN=failed_run)
    assert run.returncode != 0
    assert f"{failed_run} stopped with status '{step} ERROR'" in run.stderr
    assert not run.named("write_bitstream")


@pytest.mark.parametrize("absent,message", [
    ("WDEPTH", "rtl/ sharp_top has no parameter WDEPTH (boards.csv column weight_depth)"),
    ("out_stream", "did not infer the bus interface out_stream"),
])
def test_rtl_ip_without_the_contract_interface_is_refused(tmp_path, absent, message):
    run = dry_run(scratch_repo(tmp_path), "pynq-z2", "rtl", SHARP_DRYRUN_ABSENT=absent)
    assert run.returncode != 0
    assert message in run.stderr
    assert not run.named("create_bd_design")


def test_missing_board_files_are_named(tmp_path):
    run = dry_run(scratch_repo(tmp_path), "pynq-z2", "hls", SHARP_DRYRUN_ABSENT="tul.com.tw:pynq-z2:part0:*")
    assert run.returncode != 0
    assert "board files tul.com.tw:pynq-z2:part0:* are not installed" in run.stderr


def test_bad_board_name_lists_the_boards(tmp_path):
    run = dry_run(scratch_repo(tmp_path), "zedboard", "rtl")
    assert run.returncode != 0
    assert "unknown board 'zedboard'" in run.stderr
    assert all(b in run.stderr for b in BOARDS)
    assert run.calls == []


def test_bad_impl_name_lists_the_implementations(tmp_path):
    run = dry_run(scratch_repo(tmp_path), "kv260", "vhdl")
    assert run.returncode != 0
    assert "unknown implementation 'vhdl'; valid implementations: hls, rtl" in run.stderr


@pytest.mark.parametrize("impl", ["hls", "rtl"])
@pytest.mark.parametrize("value", ["17", "uram"])
def test_weight_uram_tiles_must_be_within_the_tiles(tmp_path, impl, value):
    root = scratch_repo(tmp_path)
    table = root / "overlay" / "boards.csv"
    lines = table.read_text().splitlines()
    lines = [line.rsplit(",", 1)[0] + f",{value}" if line.startswith("kv260,") else line for line in lines]
    table.write_text("\n".join(lines) + "\n")
    run = dry_run(root, "kv260", impl)
    assert run.returncode != 0
    assert f"board kv260 has weight_uram_tiles '{value}'; valid: 0..16 (its tiles)" in run.stderr
    assert not run.named("exec") and not run.named("ipx::package_project")


def test_hls_without_vitis_says_so(tmp_path):
    run = dry_run(scratch_repo(tmp_path), "zcu104", "hls", SHARP_DRYRUN_NO_VITIS="1")
    assert run.returncode != 0
    assert "vitis_hls on PATH" in run.stderr and "IMPL=rtl" in run.stderr


def test_rtl_without_its_source_list_says_so(tmp_path):
    root = scratch_repo(tmp_path)
    (root / "rtl" / "files.f").unlink()
    run = dry_run(root, "pynq-z2", "rtl")
    assert run.returncode != 0
    assert "IMPL=rtl needs rtl/files.f" in run.stderr


def test_rtl_source_list_naming_a_missing_file_says_so(tmp_path):
    root = scratch_repo(tmp_path)
    (root / "rtl" / "files.f").write_text("sharp_pkg.sv\nmac_array.sv\nsharp_top.sv\n")
    run = dry_run(root, "pynq-z2", "rtl")
    assert run.returncode != 0
    assert "rtl/files.f lists mac_array.sv, which is not in" in run.stderr


# `make bitstream` checks BOARD, IMPL and the tools before starting Vivado.

def make_bitstream(tmp_path: Path, tools: tuple[str, ...], **variables: str):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in tools:  # stand-ins that print how they were called
        script = bin_dir / tool
        script.write_text(f'#!/bin/sh\necho "{tool} $*"\n')
        script.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}:/usr/bin:/bin")
    args = ["make", "-s", "-C", str(REPO), "bitstream"] + [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)


def test_make_bitstream_rejects_an_unknown_board(tmp_path):
    result = make_bitstream(tmp_path, ("vivado", "vitis_hls"), BOARD="zedboard", IMPL="rtl")
    assert result.returncode != 0
    assert "BOARD=zedboard" in result.stdout + result.stderr
    assert all(b in result.stdout for b in BOARDS)
    assert "vivado -mode" not in result.stdout


def test_make_bitstream_rejects_an_unknown_impl(tmp_path):
    result = make_bitstream(tmp_path, ("vivado", "vitis_hls"), BOARD="pynq-z2", IMPL="chisel")
    assert result.returncode != 0
    assert re.search(r"IMPL=chisel.*hls.*rtl", result.stdout)


def test_make_bitstream_needs_vivado(tmp_path):
    result = make_bitstream(tmp_path, ("vitis_hls",), BOARD="zcu104", IMPL="rtl")
    assert result.returncode != 0
    assert "vivado is not on PATH" in result.stdout and "BOARD=zcu104 IMPL=rtl" in result.stdout


def test_make_bitstream_hls_needs_vitis_hls(tmp_path):
    result = make_bitstream(tmp_path, ("vivado",), BOARD="pynq-z2", IMPL="hls")
    assert result.returncode != 0
    assert "needs vitis_hls, which is not on PATH" in result.stdout
    assert "vivado -mode" not in result.stdout


# make bitstream's run of build.tcl and its install into the package: tests/host/test_overlays.py
# (in a copy of the Makefile, since the install writes files).
