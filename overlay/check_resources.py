"""Does each board's build (overlay/boards.csv) fit its part? An estimate, not a synthesis.

    .venv/bin/python overlay/check_resources.py      # table for every board; exit 1 if one does not fit

DSP48: one per MAC lane, P = tiles x lanes (the elementwise unit multiplies in fabric).
Block memory: every buffer of docs/ARCHITECTURE.md section 5, with the banking that its access
pattern forces, mapped to the fewest primitives over the RAMB36/RAMB18 aspect ratios (and, on
parts with UltraRAM, 4K x 72 URAM blocks for the weight buffer). The weight buffer is costed both
as one P-lane-wide memory and as one memory per tile, and the worse of the two is kept, so the
estimate holds for either RTL organisation. Small memories go to LUT RAM, as Vivado does.
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


@dataclass(frozen=True)
class Memory:
    name: str
    depth: int
    width: int
    copies: int = 1  # banks or replicas of this shape


@dataclass
class Estimate:
    board: Board
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


def buffers(board: Board) -> tuple[list[list[Memory]], list[Memory]]:
    """(weight-buffer layouts to cost, the other buffers)."""
    c = board.config
    p, n = c.macs, c.tiles
    weights = [[Memory("weights", c.weight_depth, 16 * p)],
               [Memory("weights", c.weight_depth, 16 * c.lanes, copies=n)]]
    row_banks = max(n, 4)  # G <= N row sums written per cycle, 4 read per cycle
    vector_depth = math.ceil(max(c.max_input, c.max_hidden) / p) * p
    others = [
        Memory("bias", math.ceil(c.bias_depth / max(n // 4, 1)), 128, copies=max(n // 4, 1)),
        # one hidden unit per cycle looks up 3 sigmoids and 2 tanh: two dual-port copies of each
        Memory("tables", 4096, 16, copies=4),
        Memory("x-projection", math.ceil(2 * 4 * c.max_hidden / row_banks), 32, copies=row_banks),
        Memory("z", math.ceil(4 * c.max_hidden / row_banks), 32, copies=row_banks),
        Memory("cell state", c.max_hidden, 16),
        # x and h: two slots each, read w <= P elements per cycle, so P banks
        Memory("x", math.ceil(2 * vector_depth / p), 16, copies=p),
        Memory("h", math.ceil(2 * vector_depth / p), 16, copies=p),
        Memory("output fifo", 512, 64),
    ]
    return weights, others


def memory_cost(mem: Memory, uram_left: int) -> tuple[float, int, int]:
    """(RAMB36, URAM, LUT) for one memory; URAM only for the weights, and only if it fits."""
    bits = mem.depth * mem.width
    if bits <= LUTRAM_MAX_BITS:
        return 0.0, 0, mem.copies * math.ceil(bits * LUTS_PER_LUTRAM_BIT)
    urams = mem.copies * uram_count(mem.depth, mem.width)
    if mem.name == "weights" and 0 < urams <= uram_left:
        return 0.0, urams, 0
    return mem.copies * ramb36_count(mem.depth, mem.width), 0, 0


def logic_luts(board: Board) -> int:
    c = board.config
    p = c.macs
    tree = (p - 1) * ACC_BITS  # one LUT per bit of each 48-bit fabric adder
    # each lane picks its element among log2(N) + 1 group widths; a LUT6 is a 4:1 mux per bit
    broadcast = p * 16 * math.ceil((c.max_group + 1) / 4)
    return tree + broadcast + CONTROL_LUTS + PLATFORM["lut"]


def estimate(board: Board) -> Estimate:
    weight_layouts, others = buffers(board)
    best = None
    for layout in weight_layouts:  # keep the worse layout: the estimate must hold for both
        bram, uram, lut = PLATFORM["bram36"], 0, logic_luts(board)
        for mem in layout + others:
            b, u, l = memory_cost(mem, board.uram - uram)
            bram, uram, lut = bram + b, uram + u, lut + l
        candidate = Estimate(board, board.config.macs, bram, uram, lut)
        if best is None or (len(candidate.over_budget()), candidate.bram36 + 8 * candidate.uram) > \
                (len(best.over_budget()), best.bram36 + 8 * best.uram):
            best = candidate
    return best


def read_yosys_report(path: Path = YOSYS_REPORT) -> dict[str, float] | None:
    """The numeric cells of `make synth`'s report (keys such as LUT, FF, DSP48, BRAM...), or None."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    flat = data.get("resources", data) if isinstance(data.get("resources"), dict) else data
    return {k: v for k, v in flat.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def percent(used: float, limit: int) -> str:
    return f"{used:g} ({100 * used / limit:.0f}%)" if limit else f"{used:g} (none on part)"


def table(estimates: list[Estimate]) -> str:
    lines = ["| board | part | P | weight words | DSP48 | BRAM36 | URAM | LUT (rough) |",
             "|---|---|---|---|---|---|---|---|"]
    for e in estimates:
        b = e.board
        lines.append(f"| {b.name} | {b.part} | {b.config.macs} | {b.config.weight_depth} | "
                     f"{percent(e.dsp, b.dsp)} | {percent(e.bram36, b.bram36)} | "
                     f"{percent(e.uram, b.uram)} | {percent(e.lut, b.lut)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yosys-report", type=Path, default=YOSYS_REPORT)
    args = parser.parse_args(argv)
    estimates = [estimate(b) for b in boards().values()]
    print(table(estimates))
    report = read_yosys_report(args.yosys_report)
    if report is None:
        print(f"\n{args.yosys_report} not found or unreadable: run `make synth` for Yosys figures.")
    else:
        z2 = boards()["pynq-z2"]
        budget = {"LUT": z2.lut, "DSP48": z2.dsp, "DSP48E1": z2.dsp}
        print(f"\nYosys (synth_xilinx -family xc7), {args.yosys_report}: " + ", ".join(
            f"{k} {percent(v, budget[k]) if k in budget else f'{v:g}'}" for k, v in report.items()))
    failures = [f"{e.board.name}: {problem}" for e in estimates for problem in e.over_budget()]
    for failure in failures:
        print(f"does not fit: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
