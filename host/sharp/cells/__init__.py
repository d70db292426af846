"""The cell types the accelerator runs, one module each: its gates, torch's gate order and the
fixed-point step that defines its output bits (ARCHITECTURE.md §3). The RTL's and the HLS
kernel's datapaths of the same cell are rtl/<cell>_cell.sv and hls/<cell>_cell.h."""
from __future__ import annotations

from types import ModuleType

from . import gru, lstm

CELLS: dict[str, ModuleType] = {"lstm": lstm, "gru": gru}
CELL_NAMES = tuple(CELLS)
_BY_CODE = {module.CODE: module for module in CELLS.values()}


def cell_module(name: str) -> ModuleType:
    """The module of a cell type, by its name ('lstm' or 'gru')."""
    try:
        return CELLS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown cell type {name!r}; the cell types are "
                         f"{', '.join(CELL_NAMES)}") from None


def cell_by_code(code: int) -> ModuleType:
    """The module of a cell type, by the value of its `cell` register."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise ValueError(f"cell register value {code} names no cell type; the values are "
                         + ", ".join(f"{m.CODE} ({m.NAME})" for m in CELLS.values())) from None


def gates(name: str) -> int:
    """Q, the gate rows per hidden unit: R = Q·H."""
    return cell_module(name).GATES
