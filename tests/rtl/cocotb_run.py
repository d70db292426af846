"""Build sharp_top for cocotb (cached under build/cocotb/) and run a cocotb module on it."""
from __future__ import annotations

import json

from cocotb_tools.runner import get_runner

import sharp
from sharp.sim.build import TOP, cache_key, parameters, rtl_sources
from sharp.toolchain import BUILD, apply_verilator_env, build_lock

BUILD_ARGS = ["-O3", "-CFLAGS", "-O3", "-Wno-fatal"]


def cocotb_build_dir(config: sharp.HardwareConfig):
    """Build (once per RTL content and parameters) and return the build directory."""
    apply_verilator_env()
    sources = [p.resolve() for p in rtl_sources()]
    params = parameters(config)
    build_dir = BUILD / "cocotb" / f"{config.name}_{cache_key(sources, sorted(params.items()), BUILD_ARGS)}"
    if not (build_dir / TOP).exists():
        with build_lock():
            if not (build_dir / TOP).exists():
                get_runner("verilator").build(sources=sources, hdl_toplevel=TOP, parameters=params,
                                              build_args=BUILD_ARGS, build_dir=build_dir)
    return build_dir


def run_cocotb(module: str, config: sharp.HardwareConfig, mode: int, seed: int) -> None:
    """Run every cocotb test of `module`; fails the calling pytest test if any fails."""
    build_dir = cocotb_build_dir(config)
    get_runner("verilator").test(
        test_module=module, hdl_toplevel=TOP, hdl_toplevel_lang="verilog", build_dir=build_dir,
        test_dir=build_dir / f"mode{mode}",
        extra_env={"SHARP_CONFIG": json.dumps(config.as_dict()), "SHARP_MODE": str(mode),
                   "SHARP_SEED": str(seed),
                   # cocotbext-axi 0.1.28 uses APIs cocotb 2 deprecates, warning on every access
                   "PYTHONWARNINGS": "ignore::DeprecationWarning"})
