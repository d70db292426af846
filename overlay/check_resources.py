"""Does each board's build (overlay/boards.csv) fit its part, from rtl/ and from hls/? An estimate.

    .venv/bin/python overlay/check_resources.py      # table per board and source; exit 1 on a misfit

DSP48: one per MAC lane, P = tiles x lanes, plus the elementwise products in the HLS build.
Block memory: the memories each source really declares (rtl_memories and hls_memories below,
which name the files they follow), each mapped to the fewest primitives over the RAMB36/RAMB18
aspect ratios; memories of at most 4 Kbit become LUT RAM, as Vivado does. The weight memories
go to 4K x 72 URAM blocks on the boards whose weight_ram column says uram (hls/ then binds them
with BIND_STORAGE impl=uram, -DSHARP_WEIGHT_URAM=1 from build.tcl); a URAM overflow is a misfit.
LUTs: a rough model (adder tree, broadcast muxes, LUT RAM, a fixed allowance for control and the
AXI platform); for PYNQ-Z2 the Yosys figures in synth/report.json (make synth) are shown beside
it when that file exists.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from sharp.boards import Board, boards
from sharp.config import HardwareConfig
from sharp.cycle_model import elementwise_lanes
from sharp.toolchain import REPO

YOSYS_REPORT = REPO / "synth" / "report.json"

# RAMB36 and RAMB18 (half a RAMB36) aspect ratios, (depth, width) with the parity bits as data.
RAMB36 = [(32768, 1), (16384, 2), (8192, 4), (4096, 9), (2048, 18), (1024, 36), (512, 72)]
RAMB18 = [(16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36)]
URAM = (4096, 72)
LUTRAM_MAX_BITS = 4096  # below this a memory costs less as LUT RAM than as a RAMB18
LUTS_PER_LUTRAM_BIT = 2 / 64  # a simple dual-port RAM64X1D: 2 LUTs hold 64 x 1 bit
ACC_BITS = 48  # accumulator width of the reduction tree's adders (section 3)
CONTROL_LUTS = 6000  # AXI-Lite, scheduler, elementwise unit (shift-add multipliers), counters
PLATFORM = {"lut": 7000, "bram36": 3.0}  # AXI DMA (simple mode), 2 SmartConnects, INTC, reset
# DSP48s beyond the P MAC lanes, per elementwise lane: the RTL multiplies f*c, i*g and
# o*tanh(c) by shift and add, Vitis HLS gives each of those three products a DSP48.
ELEMENTWISE_DSP = {"rtl": 0, "hls": 3}


@dataclass(frozen=True)
class Memory:
    name: str
    depth: int
    width: int
    copies: int = 1  # banks or replicas of this shape


@dataclass
class Estimate:
    board: Board
    impl: str
    dsp: int
    bram36: float
    uram: int
    lut: int

    def over_budget(self) -> list[str]:
        b = self.board
        return [f"{what} {used:g} > {limit} available on {b.part}"
                for what, used, limit in (("DSP", self.dsp, b.dsp), ("BRAM36", self.bram36, b.bram36),
                                          ("URAM", self.uram, b.uram), ("LUT", self.lut, b.lut))
                if used > limit]


def ramb36_count(depth: int, width: int) -> float:
    """Fewest RAMB36 (RAMB18 counted as 0.5) holding one depth x width memory."""
    whole = min(math.ceil(depth / d) * math.ceil(width / w) for d, w in RAMB36)
    halves = min(math.ceil(depth / d) * math.ceil(width / w) for d, w in RAMB18)
    return min(whole, halves / 2)


def uram_count(depth: int, width: int) -> int:
    return math.ceil(depth / URAM[0]) * math.ceil(width / URAM[1])


def rtl_memories(c: HardwareConfig) -> list[Memory]:
    """The sdp_ram instances of rtl/*.sv."""
    p, row_banks, e = c.macs, max(c.tiles, 4), elementwise_lanes(c)
    rows_per_bank = 1 << math.ceil(math.log2(math.ceil(4 * c.max_hidden / row_banks)))
    return [
        Memory("weights", c.weight_depth, 64, copies=p // 4),  # weight_buffer.sv: 64-bit columns
        Memory("bias", c.bias_depth, 64, copies=2),  # bias_buffer.sv: two halves of a unit
        Memory("tables", 1024, 64, copies=5 * e),  # activation_tables.sv: a copy per lookup
        Memory("x-projection", 2 * rows_per_bank, 34, copies=row_banks),  # row_sum_buffer.sv
        Memory("z", rows_per_bank, 32, copies=row_banks),
        Memory("x", 2 * math.ceil(c.max_input / p), 64, copies=p // 4),  # vector_broadcast.sv
        Memory("h", 2 * math.ceil(c.max_hidden / p), 16, copies=p),
        Memory("cell state", math.ceil(c.max_hidden / e), 16, copies=e),  # elementwise_unit.sv
    ]


def hls_memories(c: HardwareConfig) -> list[Memory]:
    """The static arrays of hls/sharp_top.cpp after its ARRAY_PARTITION pragmas."""
    p, row_banks, bias_banks = c.macs, max(c.tiles, 4), max(c.tiles // 4, 1)
    e = elementwise_lanes(c)
    vector_words = math.ceil(max(c.max_input, c.max_hidden) / p)
    return [
        Memory("weights", c.weight_depth, 16 * c.lanes, copies=c.tiles),  # one wide RAM per tile
        Memory("bias", math.ceil(c.bias_depth / bias_banks), 32, copies=4 * bias_banks),
        Memory("tables", 1024, 16, copies=3 * 4 * e),  # sig_if, sig_o, tanh_lut x4, per lane
        Memory("vectors", vector_words, 16, copies=4 * p),
        Memory("x-projection", math.ceil(4 * c.max_hidden / row_banks), 32, copies=2 * row_banks),
        Memory("z", math.ceil(4 * c.max_hidden / row_banks), 32, copies=row_banks),
        Memory("cell state", math.ceil(c.max_hidden / e), 16, copies=e),
    ]


MEMORIES = {"rtl": rtl_memories, "hls": hls_memories}


def memory_cost(mem: Memory, weight_ram: str) -> tuple[float, int, int]:
    """(RAMB36, URAM, LUT) for one memory; URAM only for the weights, where the board says so."""
    bits = mem.depth * mem.width
    if mem.name == "weights" and weight_ram == "uram":
        return 0.0, mem.copies * uram_count(mem.depth, mem.width), 0
    if bits <= LUTRAM_MAX_BITS:
        return 0.0, 0, mem.copies * math.ceil(bits * LUTS_PER_LUTRAM_BIT)
    return mem.copies * ramb36_count(mem.depth, mem.width), 0, 0


def logic_luts(board: Board) -> int:
    c = board.config
    p = c.macs
    tree = (p - 1) * ACC_BITS  # one LUT per bit of each 48-bit fabric adder
    # each lane picks its element among log2(N) + 1 group widths; a LUT6 is a 4:1 mux per bit
    broadcast = p * 16 * math.ceil((c.max_group + 1) / 4)
    return tree + broadcast + CONTROL_LUTS + PLATFORM["lut"]


def estimate(board: Board, impl: str) -> Estimate:
    bram, uram, lut = PLATFORM["bram36"], 0, logic_luts(board)
    for mem in MEMORIES[impl](board.config):
        b, u, l = memory_cost(mem, board.weight_ram)
        bram, uram, lut = bram + b, uram + u, lut + l
    dsp = board.config.macs + ELEMENTWISE_DSP[impl] * elementwise_lanes(board.config)
    return Estimate(board, impl, dsp, bram, uram, lut)


def read_yosys_report(path: Path = YOSYS_REPORT) -> dict[str, float] | None:
    """The numeric entries of `make synth`'s report (lut, ff, dsp48, ...), or None without one."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {k: v for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def percent(used: float, limit: int) -> str:
    return f"{used:g} ({100 * used / limit:.0f}%)" if limit else f"{used:g} (none on part)"


def table(estimates: list[Estimate]) -> str:
    lines = ["| board | source | P | weight words | weights in | DSP48 | BRAM36 | URAM | LUT (rough) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for e in estimates:
        b = e.board
        lines.append(f"| {b.name} | {e.impl} | {b.config.macs} | {b.config.weight_depth} | "
                     f"{b.weight_ram} | "
                     f"{percent(e.dsp, b.dsp)} | {percent(e.bram36, b.bram36)} | "
                     f"{percent(e.uram, b.uram)} | {percent(e.lut, b.lut)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yosys-report", type=Path, default=YOSYS_REPORT)
    args = parser.parse_args(argv)
    estimates = [estimate(b, impl) for b in boards().values() for impl in MEMORIES]
    print(table(estimates))
    report = read_yosys_report(args.yosys_report)
    if report is None:
        print(f"\n{args.yosys_report} not found or unreadable: run `make synth` for Yosys figures.")
    else:
        z2 = boards()["pynq-z2"]
        # make synth writes lower-case keys (lut, ff, dsp48, bram36_equivalent, ...)
        budget = {"lut": z2.lut, "dsp48": z2.dsp, "bram36_equivalent": z2.bram36}
        print(f"\nYosys (synth_xilinx -family xc7), {args.yosys_report}: " + ", ".join(
            f"{k} {percent(v, budget[k.lower()]) if k.lower() in budget else f'{v:g}'}"
            for k, v in report.items()))
    failures = [f"{e.board.name} ({e.impl}): {problem}" for e in estimates
                for problem in e.over_budget()]
    for failure in failures:
        print(f"does not fit: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
