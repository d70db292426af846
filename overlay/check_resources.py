"""Does each board's build (overlay/boards.csv) fit its part, from rtl/ and from hls/? An estimate.

    .venv/bin/python overlay/check_resources.py      # tables per board and source; exit 1 on a misfit
    .venv/bin/python overlay/check_resources.py --width  # per part, the arrays from its row's width up

rtl: DSP48 one per MAC lane, eleven per elementwise lane (the LSTM's three products, one for the
interpolation of each of the five table lookups, and the GRU's r·a on two and its (2^15 - u)·n
on one; u·h shares f·c's multiplier) and two for the argument check's word counts (P + 11E + 2,
as `make synth` maps them); block memory from the memories rtl/*.sv declares (rtl_memories),
each mapped to the fewest primitives over the RAMB36/RAMB18 aspect ratios, memories of at most
4 Kbit as LUT RAM; LUTs a rough model (adder tree, broadcast, LUT RAM, fixed allowances).

hls: a model that follows hls/ item by item (hls_model): every array hls/sharp_top.cpp declares,
with the banks its ARRAY_PARTITION pragmas make and the memory its BIND_STORAGE pragma names
(hls_arrays, whose shapes are build_config's in hls/sharp_config.h: hls_shapes, kept in step by
tests/test_board_resources.py), and the datapath of RUN_CYCLES (sharp_run.h, sharp_mac.h,
lstm_cell.h, gru_cell.h): the per-lane N:1 broadcast mux, the MAC DSP48s, the tree's adders and
registers, one rounding shifter per tile, the elementwise lanes of both cells and the stage
registers. Each
item carries the assumption it rests on. LUT, FF, DSP48, RAMB36 and URAM are checked against
the part. Nothing here comes from a synthesis run: the csynth report (docs/HLS.md) is the check.
For PYNQ-Z2 the Yosys figures of the RTL in synth/report.json (make synth) are shown when that
file exists.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sharp.boards import Board, boards
from sharp.config import HardwareConfig
from sharp.cycle_model import elementwise_lanes, matrix_words
from sharp.toolchain import REPO

YOSYS_REPORT = REPO / "synth" / "report.json"

# RAMB36 and RAMB18 (half a RAMB36) aspect ratios, (depth, width) with the parity bits as data.
RAMB36 = [(32768, 1), (16384, 2), (8192, 4), (4096, 9), (2048, 18), (1024, 36), (512, 72)]
RAMB18 = [(16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36)]
URAM = (4096, 72)
LUTRAM_MAX_BITS = 4096  # below this a memory costs less as LUT RAM than as a RAMB18
LUTS_PER_LUTRAM_BIT = 2 / 64  # a simple dual-port RAM64X1D: 2 LUTs hold 64 x 1 bit
ACC_BITS = 48  # accumulator width of the reduction tree's adders (section 3)
CONTROL_LUTS = 6000  # rtl: AXI-Lite, scheduler, elementwise unit, counters
PLATFORM = {"lut": 7000, "bram36": 3.0}  # AXI DMA (simple mode), 2 SmartConnects, INTC, reset


@dataclass(frozen=True)
class Memory:
    name: str
    depth: int
    width: int
    copies: int = 1  # banks or replicas of this shape
    uram: bool = False  # ram_style "ultra" (sdp_ram's RAM_STYLE)


@dataclass
class Estimate:
    board: Board
    impl: str
    dsp: int
    bram36: float
    uram: int
    lut: int
    ff: int | None = None  # modelled for hls only

    def over_budget(self) -> list[str]:
        b = self.board
        checks = [("DSP", self.dsp, b.dsp), ("BRAM36", self.bram36, b.bram36),
                  ("URAM", self.uram, b.uram), ("LUT", self.lut, b.lut)]
        if self.ff is not None:
            checks.append(("FF", self.ff, PART_FF[b.part]))
        return [f"{what} {used:g} > {limit} available on {b.part}"
                for what, used, limit in checks if used > limit]


def ramb36_count(depth: int, width: int) -> float:
    """Fewest RAMB36 (RAMB18 counted as 0.5) holding one depth x width memory."""
    whole = min(math.ceil(depth / d) * math.ceil(width / w) for d, w in RAMB36)
    halves = min(math.ceil(depth / d) * math.ceil(width / w) for d, w in RAMB18)
    return min(whole, halves / 2)


def uram_count(depth: int, width: int) -> int:
    return math.ceil(depth / URAM[0]) * math.ceil(width / URAM[1])


def rtl_memories(c: HardwareConfig, weight_uram_tiles: int = 0) -> list[Memory]:
    """The sdp_ram instances of rtl/*.sv."""
    p, row_banks, e, b = c.macs, max(c.tiles, 4), elementwise_lanes(c), c.max_batch
    tile_columns = c.lanes // 4
    rows_per_bank = 1 << math.ceil(math.log2(math.ceil(4 * c.max_hidden / row_banks)))
    h_words = 1 << math.ceil(math.log2(math.ceil(c.max_hidden / p)))   # per h slot, a power of 2
    state_units = 1 << math.ceil(math.log2(math.ceil(c.max_hidden / 4)))
    return [
        # weight_buffer.sv: 64-bit columns, K/4 per tile, those of tiles 0..U-1 in UltraRAM
        Memory("weights (URAM)", c.weight_depth, 64, copies=weight_uram_tiles * tile_columns, uram=True),
        Memory("weights", c.weight_depth, 64, copies=(c.tiles - weight_uram_tiles) * tile_columns),
        Memory("bias", c.bias_depth, 64, copies=2),  # bias_buffer.sv: two halves of a unit
        Memory("tables", 1024, 64, copies=5 * e),  # activation_tables.sv: a copy per lookup
        # a sequence's slots of a batch (MAX_BATCH of each, ARCHITECTURE.md §5)
        Memory("x-projection", 2 * b * rows_per_bank, 34, copies=row_banks),  # row_sum_buffer.sv
        Memory("z", b * rows_per_bank, 32, copies=row_banks),
        Memory("x", 2 * math.ceil(c.max_input / p), 64, copies=p // 4),  # vector_broadcast.sv
        Memory("h", 2 * b * h_words, 64, copies=p // 4),
        Memory("cell state", b * state_units, 25, copies=4),  # state_buffer.sv
    ]


# ---- hls: the model of hls/ ------------------------------------------------------------------

# Flip-flops of each part (AMD data sheets DS190, DS891, DS987); boards.csv has no FF column.
PART_FF = {"xc7z020clg400-1": 106400, "xck26-sfvc784-2LV-c": 234240, "xczu7ev-ffvc1156-2-e": 460800}
HLS_CONTROL = {"lut": 4000, "ff": 3000}   # s_axilite (29 registers), argument checks, scheduler and
                                          # elementwise control, receiver, counters (2 x 64 + 4 x 32 bits)
PLATFORM_FF = 9000                        # AXI DMA, SmartConnects, interrupt controller, reset
ARGUMENT_DSP = 4  # outside RUN_CYCLES: RB*C for W_x and W_h, and the last word's useful MACs (x2)
# DSP48s of one elementwise lane (DSP48E1 25x18 on Zynq-7000, DSP48E2 27x18 on UltraScale+)
LSTM_LANE_DSP = 3  # f*c (16 x 25), i*g, o*tanh(c) (16 x 16)
GRU_LANE_DSP = 3   # r*a: 16 x 32, two DSP48s; u*(h - n): 16 x 17 with the pre-adder, one
LOOKUP_DSP = 5     # (T[k+1] - T[k]) * phi, 17 x 14 with the pre-adder, one per table lookup
EW_LANE_DSP = LSTM_LANE_DSP + GRU_LANE_DSP + LOOKUP_DSP


def bits_for(v: int) -> int:
    """hls/sharp_config.h's bits_for: bits to hold every value 0..v (at least 1)."""
    return max(1, int(v).bit_length())


def hls_shapes(c: HardwareConfig) -> dict[str, int]:
    """build_config of hls/sharp_config.h, for one build (the test compares it with the C++)."""
    p, e = c.macs, elementwise_lanes(c)
    nb = max(c.tiles, 4)
    ceil = lambda a, b: -(-a // b)  # noqa: E731
    return {"tiles": c.tiles, "lanes": c.lanes, "macs": p, "columns": p // 4,
            "x_lines": ceil(c.max_input, p), "h_lines": ceil(c.max_hidden, p),
            "row_banks": nb, "sum_lines": ceil(4 * c.max_hidden, nb), "ew_lanes": e,
            "state_banks": 4, "state_lines": ceil(c.max_hidden, 4), "bias_lines": ceil(c.bias_depth, e), "table_words": 1024,
            "sum_bits": 32 + bits_for(max(c.max_input, c.max_hidden) - 1),
            "weight_depth": c.weight_depth, "max_batch": c.max_batch,
            "h_slots": 2 * c.max_batch, "xp_slots": 2 * c.max_batch}


def weight_shapes(c: HardwareConfig, weight_uram_tiles: int) -> dict[str, int]:
    """build_config's weight split: the tiles of each memory and the banks their arrays declare
    (a memory without tiles keeps a one-tile array, since C++ has no empty arrays)."""
    bram_tiles = c.tiles - weight_uram_tiles
    return {"uram_tiles": weight_uram_tiles, "bram_tiles": bram_tiles,
            "uram_banks": max(weight_uram_tiles, 1), "bram_banks": max(bram_tiles, 1)}


@dataclass(frozen=True)
class HlsArray:
    """One static array of hls/sharp_top.cpp: element bits, dims (build_config names), the dims
    ARRAY_PARTITION makes complete (1-based, as in the pragma), and the BIND_STORAGE impl."""
    name: str
    bits: int
    dims: tuple[str, ...]
    partitioned: tuple[int, ...]
    impl: str  # bram, uram, lutram
    # the build_config count of the banks that hold data, where it can be fewer than the declared
    # ones: a weight memory without tiles, whose one-tile array no access reaches (synthesis drops it)
    used_banks: str | None = field(default=None, compare=False)

    def shape(self, shapes: dict[str, int]) -> tuple[int, int, int]:
        """(banks, depth, width) of each physical memory."""
        sizes = [2 if d == "2" else shapes[d] for d in self.dims]
        banks = math.prod(sizes[i - 1] for i in self.partitioned)
        if self.used_banks is not None:
            banks = shapes[self.used_banks]
        depth = math.prod(size for i, size in enumerate(sizes, 1) if i not in self.partitioned)
        return banks, depth, self.bits


def hls_arrays(c: HardwareConfig) -> list[HlsArray]:
    """The static arrays of hls/sharp_top.cpp after its pragmas (the test parses that file)."""
    return [
        HlsArray("weights_uram", 16 * c.lanes, ("uram_banks", "weight_depth"), (1,), "uram", "uram_tiles"),
        HlsArray("weights_bram", 16 * c.lanes, ("bram_banks", "weight_depth"), (1,), "bram", "bram_tiles"),
        HlsArray("bias", 64, ("bias_lines", "ew_lanes", "2"), (2, 3), "bram"),
        HlsArray("sig_if", 64, ("ew_lanes", "table_words"), (1,), "bram"),
        HlsArray("sig_o", 64, ("ew_lanes", "table_words"), (1,), "bram"),
        HlsArray("tanh_lut", 64, ("ew_lanes", "table_words"), (1,), "bram"),
        HlsArray("x_buf", 64, ("2", "x_lines", "columns"), (3,), "lutram"),
        HlsArray("h_buf", 64, ("h_slots", "h_lines", "columns"), (3,), "lutram"),
        HlsArray("xproj", 34, ("xp_slots", "sum_lines", "row_banks"), (3,), "bram"),
        HlsArray("recurrent", 32, ("max_batch", "sum_lines", "row_banks"), (3,), "bram"),
        HlsArray("state_buf", 25, ("max_batch", "state_lines", "state_banks"), (3,), "bram"),
    ]


def mux_luts(choices: int) -> int:
    """LUT6s per bit of a choices:1 mux: a 4:1 per LUT, chained (MUXF7/F8 ignored: an upper bound)."""
    return 0 if choices <= 1 else math.ceil((choices - 1) / 3)


def lutram_luts(depth: int, width: int) -> int:
    """Simple dual-port LUT RAM: RAM32M holds 32 x 6 bits in 4 LUTs, RAM64M 64 x 3 bits; deeper
    memories are 64-word blocks behind a read mux."""
    if depth <= 32:
        return 4 * math.ceil(width / 6)
    blocks = math.ceil(depth / 64)
    return blocks * 4 * math.ceil(width / 3) + width * mux_luts(blocks)


@dataclass(frozen=True)
class Item:
    """One line of the HLS model: what the code creates, its cost, and the assumption."""
    name: str
    lut: int = 0
    ff: int = 0
    dsp: int = 0
    bram36: float = 0.0
    uram: int = 0
    note: str = ""


def hls_memory_items(board: Board) -> list[Item]:
    shapes = hls_shapes(board.config) | weight_shapes(board.config, board.weight_uram_tiles)
    items = []
    for array in hls_arrays(board.config):
        banks, depth, width = array.shape(shapes)
        where = f"{banks} x {depth} x {width} bit, {array.impl}"
        if array.impl == "uram":
            items.append(Item(array.name, uram=banks * uram_count(depth, width), note=where + " (4K x 72 URAM288)"))
        elif array.impl == "bram":
            items.append(Item(array.name, bram36=banks * ramb36_count(depth, width),
                              note=where + " (cheapest RAMB36/RAMB18 aspect)"))
        else:
            items.append(Item(array.name, lut=banks * lutram_luts(depth, width), ff=banks * width,
                              note=where + " (RAM32M/RAM64M, registered output)"))
    return items


def hls_model(board: Board) -> list[Item]:
    """Every array, mux, adder and register stage hls/ creates for this board's build."""
    c = board.config
    sh = hls_shapes(c)
    p, n, k, e, nb, sb = c.macs, c.tiles, c.lanes, sh["ew_lanes"], sh["row_banks"], sh["sum_bits"]
    lg_n, lg_k = c.max_group, k.bit_length() - 1
    vw = max(sb, 41) + 1  # round_clamp's width
    tag = 60  # bits of a mac_tag / ew_tag, per stage
    tile_nodes = p - n  # in-tile levels: P/2 + P/4 + ... + N
    fuse_adds = n - 1
    items = hls_memory_items(board)
    items += [
        Item("vector read select", lut=p * 16 // 2,
             note="stage 0: x or h line, 2:1 per bit (two per LUT6); the LUT RAMs' output "
                  "registers are the line register"),
        Item("weight read register", ff=p * 16, note="stage 1: the N tile words (w1); counted as fabric FFs"),
        Item("broadcast", lut=p * 16 * mux_luts(n + 1), ff=0,
             note=f"stage 1: per lane an N:1 mux of 16 bits by tile block, plus zero ({n + 1}:1); "
                  "its output is the DSP48 B register"),
        Item("MAC lanes", dsp=p, note="stage 2: acc <- (first ? 0 : acc) + w*v, A/B/P registers in the DSP48"),
        Item("tree in-tile levels", lut=tile_nodes * sb, ff=tile_nodes * sb,
             note=f"{tile_nodes} adders of {sb} bits (one LUT per bit), one register per node"),
        Item("tree fusion levels", lut=fuse_adds * sb * 2, ff=lg_n * n * sb,
             note=f"{fuse_adds} adders with a pass mux, {lg_n} levels of {n} registered nodes"),
        Item("round and clamp", lut=n * vw * (3 + 1 + 2),
             note=f"one {vw}-bit barrel shifter per tile (shift selected first: 3 LUT levels), "
                  "the half add, the 34/32-bit clamp"),
        Item("row-bank write select", lut=nb * 34 * mux_luts(lg_n + 1),
             note=f"bank b takes tile sum b mod G: ({lg_n + 1}):1 per bit"),
        Item("MAC path tags", ff=(4 + lg_n + lg_k) * tag, note="control travelling with each stage"),
        Item("elementwise row reads", lut=4 * e * 66 * (mux_luts(nb) + 1) + 2 * e * 64 * mux_luts(e),
             note=f"stage 0: 4E rows of xp+z from row Q j rotated over {nb} banks (any offset: "
                  "Q = 3 for the GRU), then lane k's gate rows 4k+q or 3k+q (2:1); "
                  "E bias units over E banks"),
        Item("elementwise lanes, LSTM", lut=e * 900, ff=e * (4 * 98 + 16 + 5 * 16 + 2 * 32 + 3 * 16 + 32 + 2 * 16),
             dsp=LSTM_LANE_DSP * e, note="lstm_cell.h, per lane: 4 z indices (two adds, saturation, "
                                         "clamp), 5 table selects, c and h rounding (about 900 LUTs); "
                                         "f*c, i*g, o*tanh(c) on DSP48s; stage registers"),
        Item("elementwise lanes, GRU", lut=e * 400, ff=e * (3 * 16 + 2 * 32 + 48 + 32 + 2 * 16 + 3 * 16 + 17),
             dsp=GRU_LANE_DSP * e, note="gru_cell.h, per lane: a and xp_n + b_in (two 32-bit adds with "
                                        "saturation), n's index (two adds, clamp), h (round, add, sat16), "
                                        "the cell selects of the tanh index, product and h (about 400 "
                                        "LUTs; r, u share the LSTM's sigmoid reads); r*a on two DSP48s "
                                        "(16 x 32), u*(h - n) on one (16 x 17, pre-adder); its own "
                                        "stage registers r, u, a, xn, r*a, n, h_{t-1}"),
        Item("table lookups", lut=e * 5 * 40, ff=e * 5 * (2 * 16 + 2 * 13 + 31 + 16 + 16),
             dsp=LOOKUP_DSP * e, note="five per lane, three stages each (ARCHITECTURE.md §3 look): "
                                      "the two entries (a 4:1 select each from both ports of the "
                                      "table's block RAM), (T[k+1] - T[k]) * phi on one DSP48 with "
                                      "its pre-adder (17 x 14), the rounded add (17 bits)"),
        Item("state buffer ports", lut=e * 16 * mux_luts(4) + 4 * bits_for(sh["state_lines"]) * mux_luts(2)
             + 4 * 16 * mux_luts(2) + 64, ff=64 + 1 + 2 * bits_for(sh["state_lines"]),
             note="four banks (a beat of four units): stage 0's E units rotated out of 4 (4:1 per "
                  "bit), the read address of the final state's line or of the units (2:1), the "
                  "write data of an initial-state beat or of the elementwise unit (2:1), the final "
                  "state's zero mask and beat register, the prefix and trailer line counters"),
        Item("h packer and column writes", lut=64 + 2 * (p // 4) + (64 + 32 * (p // 4) if e > 1 else 0),
             ff=64 + 64 + (65 if e > 1 else 0),
             note="the open beat, and the one-column write decode of x_buf and h_buf"
                  + ("; E > 1: a cycle's units may finish two beats (a second beat, the held "
                     "beat register, and a 2:1 data select per h_buf column)" if e > 1 else "")),
        Item("control", lut=HLS_CONTROL["lut"], ff=HLS_CONTROL["ff"], dsp=ARGUMENT_DSP,
             note="allowance; the DSP48s are the four small products of the argument check"),
        Item("platform", lut=PLATFORM["lut"], ff=PLATFORM_FF, bram36=PLATFORM["bram36"],
             note="AXI DMA (simple mode), SmartConnects, interrupt controller (allowance)"),
    ]
    return items


def hls_estimate(board: Board) -> Estimate:
    items = hls_model(board)
    return Estimate(board, "hls", dsp=sum(i.dsp for i in items), bram36=sum(i.bram36 for i in items),
                    uram=sum(i.uram for i in items), lut=sum(i.lut for i in items),
                    ff=sum(i.ff for i in items))


def hls_table(board: Board) -> str:
    lines = [f"HLS model, {board.name} ({board.config.name}, {weights_in(board)} weights):",
             "| item | LUT | FF | DSP48 | RAMB36 | URAM | assumption |", "|---|---|---|---|---|---|---|"]
    for i in hls_model(board):
        lines.append(f"| {i.name} | {i.lut} | {i.ff} | {i.dsp} | {i.bram36:g} | {i.uram} | {i.note} |")
    return "\n".join(lines)


IMPLEMENTATIONS = ("rtl", "hls")


def memory_cost(mem: Memory) -> tuple[float, int, int]:
    """(RAMB36, URAM, LUT) for one memory."""
    bits = mem.depth * mem.width
    if mem.uram:
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
    if impl == "hls":
        return hls_estimate(board)
    bram, uram, lut = PLATFORM["bram36"], 0, logic_luts(board)
    for mem in rtl_memories(board.config, board.weight_uram_tiles):
        b, u, l = memory_cost(mem)
        bram, uram, lut = bram + b, uram + u, lut + l
    c = board.config
    dsp = c.macs + EW_LANE_DSP * elementwise_lanes(c) + 2
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


def weights_in(b: Board) -> str:
    """The weight buffer's memory, with the tiles of each where it is split."""
    if b.weight_ram != "uram+bram":
        return b.weight_ram
    return f"uram ({b.weight_uram_tiles} tiles) + bram ({b.config.tiles - b.weight_uram_tiles})"


def percent(used: float, limit: int) -> str:
    return f"{used:g} ({100 * used / limit:.0f}%)" if limit else f"{used:g} (none on part)"


def table(estimates: list[Estimate]) -> str:
    lines = ["| board | source | P | weight words | weights in | DSP48 | BRAM36 | URAM | LUT | FF |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for e in estimates:
        b = e.board
        lines.append(f"| {b.name} | {e.impl} | {b.config.macs} | {b.config.weight_depth} | "
                     f"{weights_in(b)} | "
                     f"{percent(e.dsp, b.dsp)} | {percent(e.bram36, b.bram36)} | "
                     f"{percent(e.uram, b.uram)} | {percent(e.lut, b.lut)} | "
                     f"{'not modelled' if e.ff is None else percent(e.ff, PART_FF[b.part])} |")
    return "\n".join(lines)


# ---- width: the widest array each part's memories, DSP48s and LUTs allow (docs/BOARDS.md) ----

DEPTH_STEP = 512     # a RAMB36 column is 512 x 72: capacity in whole blocks
MAX_STUDY_DEPTH = 16384
STUDY_BATCHES = (8, 4, 2, 1)


def layer_words(tiles: int, lanes: int, hidden: int, gates: int) -> int:
    """The fewest weight words of an I = H layer, over the groupings of each matrix (a group pads
    its rows and columns, ARCHITECTURE.md §4)."""
    probe = HardwareConfig(tiles, lanes, 4096, 4096, 1, 4096, 1)
    return 2 * min(matrix_words(probe, gates * hidden, hidden, g) for g in range(probe.max_group + 1))


def square_layer(depth: int, tiles: int, lanes: int, gates: int) -> int:
    """Largest H (a multiple of 4, at most 4096) whose I = H layer fits `depth` words, padding
    included."""
    h = min(4096, math.isqrt(depth * tiles * lanes // (2 * gates)) // 4 * 4)
    while h and layer_words(tiles, lanes, h, gates) > depth:
        h -= 4
    return h


def uram_tiles_that_fit(board: Board, c: HardwareConfig) -> int:
    """The most tiles whose weights the part's UltraRAM holds, in both builds (RTL: K/4 columns of
    64 bits a tile, HLS: one bank of 16·K bits)."""
    per_tile = max(c.lanes // 4 * uram_count(c.weight_depth, 64), uram_count(c.weight_depth, 16 * c.lanes))
    return min(c.tiles, board.uram // per_tile)


def study_build(board: Board, tiles: int, lanes: int, depth: int, batch: int) -> tuple[Board, list[str]]:
    """The board's part with an array of tiles x lanes and `depth` weight words (the largest square
    LSTM layer as max_input = max_hidden, bias_depth 2H as in boards.csv), the UltraRAM filled
    first; and what does not fit, in either build."""
    h = square_layer(depth, tiles, lanes, 4)
    c = HardwareConfig(tiles, lanes, h, h, depth, 2 * h, batch)
    b = dataclasses.replace(board, config=c)
    b = dataclasses.replace(b, weight_uram_tiles=uram_tiles_that_fit(b, c))
    return b, [f"{impl}: {p}" for impl in IMPLEMENTATIONS for p in estimate(b, impl).over_budget()]


def deepest_build(board: Board, tiles: int, lanes: int) -> tuple[Board | None, list[str]]:
    """The most weight words (then the largest batch) at this array that fit both builds, or
    None and what does not fit at one block of depth and one sequence."""
    found = None
    for depth in range(DEPTH_STEP, MAX_STUDY_DEPTH + 1, DEPTH_STEP):
        fits = [b for b, problems in (study_build(board, tiles, lanes, depth, n) for n in STUDY_BATCHES)
                if not problems]
        if not fits:
            break
        found = fits[0]
    if found is None:
        return None, study_build(board, tiles, lanes, DEPTH_STEP, 1)[1]
    return found, []


def width_study(board: Board) -> list[tuple[int, int, Board | None, list[str]]]:
    """(tiles, lanes, deepest fitting build or None, problems) for every array of the board's
    P and wider, up to the first P at which no array fits."""
    rows, macs = [], board.config.macs
    while True:
        shapes = [(macs // k, k) for k in (4, 8, 16, 32, 64) if 1 <= macs // k <= 64]
        found = [(n, k, *deepest_build(board, n, k)) for n, k in shapes]
        rows += found
        if not any(b for _, _, b, _ in found):
            return rows
        macs *= 2


def word_memories(b: Board) -> str:
    """What one weight word is read from each cycle: RTL columns, HLS banks (72-bit ports)."""
    c, u = b.config, b.weight_uram_tiles
    bank = uram_count(1, 16 * c.lanes)  # 72-bit URAMs or RAMB36 (512 x 72) side by side per bank
    return (f"RTL {u * c.lanes // 4} URAM + {(c.tiles - u) * c.lanes // 4} RAMB36 columns; "
            f"HLS {u * bank} URAM + {(c.tiles - u) * bank} RAMB36")


def width_table(board: Board) -> str:
    lines = [f"Width study, {board.part} ({board.name}):",
             "| array | MACs | weight word from | weight words | largest LSTM / GRU (I = H) | batch | "
             "RTL DSP / BRAM36 / URAM / LUT | HLS DSP / BRAM36 / URAM / LUT | limit |",
             "|---|---|---|---|---|---|---|---|---|"]
    for n, k, b, problems in width_study(board):
        if b is None:
            lines.append(f"| {n}x{k} | {n * k} | | does not fit | | | | | {'; '.join(problems)} |")
            continue
        c = b.config
        r, h = estimate(b, "rtl"), estimate(b, "hls")
        _, limit = study_build(board, n, k, c.weight_depth + DEPTH_STEP, 1)
        lines.append(f"| {n}x{k} | {n * k} | {word_memories(b)} | {c.weight_depth} | "
                     f"{c.max_hidden} / {square_layer(c.weight_depth, n, k, 3)} | {c.max_batch} | "
                     f"{r.dsp} / {r.bram36:g} / {r.uram} / {r.lut} | {h.dsp} / {h.bram36:g} / {h.uram} / {h.lut} | "
                     f"{c.weight_depth + DEPTH_STEP} words: {'; '.join(limit)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yosys-report", type=Path, default=YOSYS_REPORT)
    parser.add_argument("--width", action="store_true",
                        help="the width study: per part, each array from its row's width up")
    args = parser.parse_args(argv)
    if args.width:
        parts = {b.part: b for b in reversed(boards().values())}  # the first row of each part
        print("\n\n".join(width_table(b) for b in reversed(parts.values())))
        return 0
    estimates = [estimate(b, impl) for b in boards().values() for impl in IMPLEMENTATIONS]
    print(table(estimates))
    for b in boards().values():
        print("\n" + hls_table(b))
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
