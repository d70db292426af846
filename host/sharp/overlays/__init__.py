"""The overlays this package carries: <board>/sharp.bit and <board>/sharp.hwh per board, where
`make bitstream BOARD=<board>` installs them (a board name is a row of overlay/boards.csv).

`sharp.Accelerator("pynq")` without a bitstream path finds the overlay of the board it runs
on, detected as PYNQ itself does: the BOARD environment variable that PYNQ images set (e.g.
"Pynq-Z2"), else the device tree's /proc/device-tree/chosen/pynq_board. Board names match
whatever their case and dashes: "Pynq-Z2", "pynqz2" and "pynq-z2" are one board.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

OVERLAYS = Path(__file__).resolve().parent
DEVICE_TREE_BOARD = Path("/proc/device-tree/chosen/pynq_board")
BITSTREAM = "sharp.bit"


def board_key(name: str) -> str:
    """A board name without case, dashes or underscores: PYNQ writes "Pynq-Z2" where
    overlay/boards.csv writes "pynq-z2"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def detect_board() -> str | None:
    """The board this runs on, as PYNQ names it, or None off a board."""
    env = os.environ.get("BOARD", "").strip()
    if env:
        return env
    try:
        name = DEVICE_TREE_BOARD.read_bytes().decode(errors="replace").strip("\x00\n ")
    except OSError:
        return None
    return name or None


def installed() -> dict[str, Path]:
    """board name -> its sharp.bit, for every overlay in the package with both files."""
    return {d.name: d / BITSTREAM for d in sorted(OVERLAYS.iterdir())
            if (d / BITSTREAM).is_file() and (d / BITSTREAM).with_suffix(".hwh").is_file()}


def known_boards() -> list[str]:
    """The boards of the board table (overlay/boards.csv; a wheel carries a copy)."""
    from ..boards import boards
    return sorted(boards())


def _how_to_get(name: str, where: Path) -> str:
    return (f"Build it on a machine with Vivado from a clone of the repository: make bitstream "
            f"BOARD={name} (it installs sharp.bit and sharp.hwh into host/sharp/overlays/{name}/; "
            f"an editable install sees them at once, a wheel must be built again), or copy a sharp.bit and sharp.hwh built for this board "
            f"into {where}/, or pass the path: sharp.Accelerator('pynq', bitstream='.../sharp.bit') "
            "(docs/BOARD_QUICKSTART.md)")


def find_overlay(board: str | None = None) -> Path:
    """The sharp.bit of `board` (default: the detected board), its .hwh beside it; a missing
    overlay raises FileNotFoundError saying how to build or copy one."""
    have = installed()
    name = board or detect_board()
    if name is None:
        raise FileNotFoundError(
            "no board detected: the BOARD environment variable is unset and "
            f"{DEVICE_TREE_BOARD} does not exist (PYNQ images set both). Set BOARD to one of "
            f"{', '.join(have) or ', '.join(known_boards())}"
            ", or pass bitstream='.../sharp.bit'")
    key = board_key(name)
    for dir_name, bit in have.items():
        if board_key(dir_name) == key:
            return bit
    # The directory make bitstream would fill: the boards.csv row of that name.
    dir_name = next((b for b in known_boards() if board_key(b) == key), name.lower())
    where = OVERLAYS / dir_name
    found = f"the package has overlays for {', '.join(have)}" if have else \
        "the package holds no overlay"
    raise FileNotFoundError(f"no SHARP overlay for board {name!r} ({where / BITSTREAM} and "
                            f"sharp.hwh; {found}). {_how_to_get(dir_name, where)}")
