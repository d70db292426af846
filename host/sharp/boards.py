"""The board table (overlay/boards.csv): part, build parameters, clock and resource budget.

build.tcl reads the same file, so the host and the bitstream agree on every board's build.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass

from .config import HardwareConfig
from .toolchain import REPO

BOARDS_CSV = REPO / "overlay" / "boards.csv"


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


def boards() -> dict[str, Board]:
    with open(BOARDS_CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        cfg = HardwareConfig(*(int(r[k]) for k in ("tiles", "lanes", "max_input", "max_hidden",
                                                    "weight_depth", "bias_depth")))
        out[r["board"]] = Board(r["board"], r["part"], cfg, float(r["clock_mhz"]), int(r["dsp"]),
                                int(r["bram36"]), int(r["uram"]), int(r["lut"]))
    return out


def board(name: str) -> Board:
    table = boards()
    if name not in table:
        raise ValueError(f"unknown board {name!r}; the boards are {', '.join(sorted(table))}")
    return table[name]
