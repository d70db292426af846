"""The board table (overlay/boards.csv): part, build parameters, clock, resource budget and
how the weight buffer is split between UltraRAM and block RAM (weight_uram_tiles).

build.tcl reads the same file, so the host and the bitstream agree on every board's build.
"""
from __future__ import annotations

import csv
from pathlib import Path
from dataclasses import dataclass

from .config import HardwareConfig

# overlay/boards.csv, through the package's link to it: an installed wheel carries a copy
BOARDS_CSV = Path(__file__).resolve().parent / "boards.csv"


@dataclass(frozen=True)
class Board:
    name: str
    part: str
    config: HardwareConfig
    clock_mhz: float
    dsp: int
    bram36: int
    uram: int
    lut: int
    weight_uram_tiles: int  # the weights of tiles 0..U-1 in UltraRAM, the other tiles' in block RAM

    @property
    def weight_ram(self) -> str:
        """Where the weight buffer lives: "bram", "uram" or, split by tiles, "uram+bram"."""
        if self.weight_uram_tiles == 0:
            return "bram"
        return "uram" if self.weight_uram_tiles == self.config.tiles else "uram+bram"


def uram_tiles(board: str, value: str, tiles: int) -> int:
    if not value.isdigit() or int(value) > tiles:
        raise ValueError(f"{BOARDS_CSV}: board {board} has weight_uram_tiles {value!r}; valid: "
                         f"0..{tiles} (its tiles)")
    return int(value)


def boards() -> dict[str, Board]:
    with open(BOARDS_CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        cfg = HardwareConfig(*(int(r[k]) for k in ("tiles", "lanes", "max_input", "max_hidden",
                                                    "weight_depth", "bias_depth", "max_batch")))
        out[r["board"]] = Board(r["board"], r["part"], cfg, float(r["clock_mhz"]), int(r["dsp"]),
                                int(r["bram36"]), int(r["uram"]), int(r["lut"]),
                                uram_tiles(r["board"], r["weight_uram_tiles"], cfg.tiles))
    return out


def board(name: str) -> Board:
    table = boards()
    if name not in table:
        raise ValueError(f"unknown board {name!r}; the boards are {', '.join(sorted(table))}")
    return table[name]


def hls_arguments(name: str) -> list[str]:
    """run_hls.tcl's -tclargs for a board's build (overlay/tcl/ip_hls.tcl passes the same)."""
    b = board(name)
    c = b.config
    sizes = {"SHARP_N": c.tiles, "SHARP_K": c.lanes, "SHARP_MAX_INPUT": c.max_input,
             "SHARP_MAX_HIDDEN": c.max_hidden, "SHARP_WDEPTH": c.weight_depth,
             "SHARP_BDEPTH": c.bias_depth, "SHARP_MAX_BATCH": c.max_batch,
             "SHARP_WEIGHT_URAM_TILES": b.weight_uram_tiles}
    return [b.part, *(f"{k}={v}" for k, v in sizes.items()), f"clock_ns={1000.0 / b.clock_mhz:g}"]


if __name__ == "__main__":  # `python -m sharp.boards BOARD`: the arguments `make hls` passes
    import sys
    try:
        print(" ".join(hls_arguments(sys.argv[1] if len(sys.argv) > 1 else "")))
    except ValueError as exc:
        sys.exit(f"make hls: {exc}")
