"""The benchmark suite: (input, hidden, steps) per build and cell type, at batch 1 and over a
batch sweep up to each build's MAX_BATCH, on the two reference builds and on every board row of
overlay/boards.csv (its own array, buffers, clock and MAX_BATCH)."""
from __future__ import annotations

from typing import NamedTuple

from sharp import HardwareConfig
from sharp.boards import boards

REFERENCE_CLOCK_MHZ = 200.0  # the reference builds are projected at this clock; boards at theirs
DEFAULT = HardwareConfig()
# by build name (HardwareConfig.name: array and capacities), as the records carry it
BUILDS = {c.name: c for c in (
    DEFAULT,
    HardwareConfig(tiles=32, lanes=16, max_input=512, max_hidden=512, weight_depth=4096,
                   bias_depth=1024),
)}

SUITE = [
    ((8, 32, 8), "digits example"),
    ((1, 17, 64), ""),
    ((16, 50, 32), ""),
    ((40, 100, 50), ""),
    ((64, 64, 100), ""),
    ((128, 128, 50), ""),
    ((120, 320, 50), "EESEN-like layer"),
    ((300, 100, 200), "large-model complaint against hls4ml"),
    ((256, 256, 150), "DeepBench device LSTM"),
    ((512, 512, 25), "DeepBench server LSTM"),
]
# Two-layer stacks (layer 1 takes layer 0's h), on the board rows: where the two layers do not
# fit the weight buffer together, the host reloads each before its RUNs, once per batch.
STACKS = [((64, 64, 50), "two layers"), ((128, 128, 50), "two layers"),
          ((256, 256, 50), "two layers")]

QUICK_SUITE = [((8, 32, 8), "digits example"), ((1, 17, 64), ""), ((16, 50, 32), "")]
QUICK_BOARDS = ("pynq-z2",)  # the quick suite's board row, with the stack it must reload
QUICK_STACKS = [((128, 128, 50), "two layers")]

CELLS = ("lstm", "gru")  # every shape runs as both cell types


class Run(NamedTuple):
    """One record to measure: `build` is the reference build's name or the board's row name."""
    build: str
    config: HardwareConfig
    cell: str
    shape: tuple[int, int, int]
    note: str
    batch: int
    layers: int
    clock_mhz: float
    board: bool  # a row of overlay/boards.csv (else a reference build)


def batches(config: HardwareConfig, quick: bool) -> list[int]:
    """The sweep: 1, 2, 4, ... up to MAX_BATCH (the quick suite: 1 and MAX_BATCH)."""
    sweep = [1 << k for k in range(config.max_batch.bit_length()) if 1 << k < config.max_batch]
    return [1, config.max_batch] if quick else [*sweep, config.max_batch]


def runs(quick: bool):
    """Every Run, reference builds first, then the board rows; batch 1 first per shape."""
    suite = QUICK_SUITE if quick else SUITE
    for build, config in BUILDS.items():
        yield from _sweep(build, config, suite, 1, REFERENCE_CLOCK_MHZ, False, quick)
    for name, row in board_rows(quick).items():
        yield from _sweep(name, row.config, suite, 1, row.clock_mhz, True, quick)
        yield from _sweep(name, row.config, QUICK_STACKS if quick else STACKS, 2, row.clock_mhz,
                          True, quick)


def board_rows(quick: bool):
    """The rows of overlay/boards.csv the suite runs on (the quick suite: QUICK_BOARDS)."""
    return {name: row for name, row in boards().items() if not quick or name in QUICK_BOARDS}


def _sweep(build, config, suite, layers, clock_mhz, board, quick):
    for cell in CELLS:
        for shape, note in suite:
            if misfit(config, *shape[:2], cell) is None:
                for batch in dict.fromkeys(batches(config, quick)):
                    yield Run(build, config, cell, shape, note, batch, layers, clock_mhz, board)


def misfit(config: HardwareConfig, input_size: int, hidden: int, cell: str) -> str | None:
    """Why one layer of this size does not fit the build (its limits or its weight buffer), or
    None when it fits."""
    from sharp import dispatcher
    try:
        dispatcher.plan(config, input_size, hidden, cell=cell)
    except ValueError as exc:
        return str(exc)
    return None


def misfits(quick: bool) -> list[tuple[str, str, tuple[int, int, int], str]]:
    """(board, cell, shape, reason) of every suite shape a board row cannot run: the layer
    exceeds its limits or its weight buffer (the contract has no way to split a layer)."""
    suite = QUICK_SUITE if quick else SUITE
    return [(name, cell, shape, reason) for name, row in board_rows(quick).items()
            for cell in CELLS for shape, _ in suite
            if (reason := misfit(row.config, *shape[:2], cell)) is not None]
