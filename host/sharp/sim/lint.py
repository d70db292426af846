"""`make lint`: verilator --lint-only -Wall on rtl/ for the default build, the small test build
(batches of one sequence), two wide builds: 32x4 (an elementwise unit of E = 4 lanes) and 64x4
(E capped at 4, batches of 64), a 16x4 build with batches of 5 (not a power of two), and a 4x8
build whose weight buffer is split between UltraRAM (tile 0) and block RAM (WEIGHT_URAM_TILES,
docs/BOARDS.md).

Waivers live in rtl/lint_waivers.vlt, each with its reason. Exits non-zero on any warning.
"""
from __future__ import annotations

import subprocess
import sys

from ..config import HardwareConfig
from ..toolchain import REPO, verilator_env
from .build import parameters, rtl_sources

WAIVERS = REPO / "rtl" / "lint_waivers.vlt"
BUILDS = {
    "default": HardwareConfig(),
    "small 2x4": HardwareConfig(tiles=2, lanes=4, max_input=64, max_hidden=64,
                                weight_depth=1024, bias_depth=64, max_batch=1),
    "wide 32x4": HardwareConfig(tiles=32, lanes=4, max_input=64, max_hidden=64,
                                weight_depth=256, bias_depth=100),
    "wide 64x4": HardwareConfig(tiles=64, lanes=4, max_input=64, max_hidden=64,
                                weight_depth=256, bias_depth=64, max_batch=64),
    "batch5 16x4": HardwareConfig(tiles=16, lanes=4, max_input=64, max_hidden=60,
                                  weight_depth=256, bias_depth=64, max_batch=5),
    "split 4x8": HardwareConfig(tiles=4, lanes=8, max_input=64, max_hidden=64,
                                weight_depth=512, bias_depth=64, max_batch=2),
}
# the tiles whose weights are UltraRAM, a generic of the board's build rather than of the contract
WEIGHT_URAM_TILES = {"split 4x8": 1}


def lint(config: HardwareConfig, weight_uram_tiles: int = 0) -> subprocess.CompletedProcess:
    generics = {**parameters(config, rtl_sources()), "WEIGHT_URAM_TILES": weight_uram_tiles}
    command = ["verilator", "--lint-only", "-Wall", "--top-module", "sharp_top",
               *(f"-G{k}={v}" for k, v in generics.items()),
               str(WAIVERS), *map(str, rtl_sources())]
    return subprocess.run(command, env=verilator_env(), capture_output=True, text=True)


def main() -> int:
    failed = []
    for name, config in BUILDS.items():
        result = lint(config, WEIGHT_URAM_TILES.get(name, 0))
        # keep Verilator's messages (%Warning/%Error and their context), not its statistics
        report = "\n".join(line for line in (result.stdout + result.stderr).splitlines()
                           if not line.startswith("- "))
        status = "clean" if result.returncode == 0 and "%" not in report else "FAILED"
        print(f"lint {name} ({config.name}, {config.max_input}/{config.max_hidden}, "
              f"{config.weight_depth} words): {status}")
        if status != "clean":
            print(report)
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
