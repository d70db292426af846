"""Build sharp_top for cocotb (cached under build/cocotb/) and run a cocotb module on it."""
from __future__ import annotations

import json

from cocotb_tools.runner import Verilator, VerilatorControlFile

import sharp
from sharp.sim.build import TOP, cache_key, evict_old_builds, parameters, rtl_sources
from sharp.toolchain import BUILD, apply_verilator_env, build_lock

BUILD_ARGS = ["-O3", "-CFLAGS", "-O3", "-Wno-fatal"]
# The testbench touches only the AXI ports, so only they need to be visible to VPI.
PORTS_VLT = "`verilator_config\n" + "".join(
    f'public_flat_rw -module "{TOP}" -var "{pattern}"\n'
    for pattern in ("ap_clk", "ap_rst_n", "interrupt", "s_axi_control_*", "in_stream_*",
                    "out_stream_*"))


class PortsOnlyVerilator(Verilator):
    """cocotb's Verilator runner without --public-flat-rw.

    Making every signal public keeps the 8x16 datapath unoptimised: its C++ took over 20
    minutes to compile here. PORTS_VLT exposes the ports instead.
    """

    def _build_command(self):
        commands = super()._build_command()
        commands[0] = [arg for arg in commands[0] if arg != "--public-flat-rw"]
        return commands


def cocotb_build_dir(config: sharp.HardwareConfig):
    """Build (once per RTL content and parameters) and return the build directory."""
    apply_verilator_env()
    sources = [p.resolve() for p in rtl_sources()]
    params = parameters(config, sources)
    key = cache_key(sources, sorted(params.items()), BUILD_ARGS, PORTS_VLT)
    build_dir = BUILD / "cocotb" / f"{config.name}_{key}"
    if not (build_dir / TOP).exists():
        with build_lock():
            if not (build_dir / TOP).exists():
                build_dir.mkdir(parents=True, exist_ok=True)
                vlt = build_dir / "ports.vlt"
                vlt.write_text(PORTS_VLT)
                PortsOnlyVerilator().build(
                    sources=[VerilatorControlFile(vlt), *sources], hdl_toplevel=TOP,
                    parameters=params, build_args=BUILD_ARGS, build_dir=build_dir)
                for header in build_dir.glob("*.gch"):  # 150 MB of precompiled headers
                    header.unlink()
                evict_old_builds(build_dir.parent, f"{config.name}_")
    return build_dir


def run_cocotb(module: str, config: sharp.HardwareConfig, mode: int, seed: int) -> None:
    """Run every cocotb test of `module`; fails the calling pytest test if any fails."""
    build_dir = cocotb_build_dir(config)
    PortsOnlyVerilator().test(
        test_module=module, hdl_toplevel=TOP, hdl_toplevel_lang="verilog", build_dir=build_dir,
        test_dir=build_dir / f"mode{mode}",
        extra_env={"SHARP_CONFIG": json.dumps(config.as_dict()), "SHARP_MODE": str(mode),
                   "SHARP_SEED": str(seed),
                   # cocotbext-axi 0.1.28 uses APIs cocotb 2 deprecates, warning on every access
                   "PYTHONWARNINGS": "ignore::DeprecationWarning"})
