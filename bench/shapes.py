"""The benchmark suite: (input, hidden, steps) per build and cell type, at batch 1 and over a
batch sweep up to each build's MAX_BATCH."""
from __future__ import annotations

from sharp import HardwareConfig

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

QUICK_SUITE = [((8, 32, 8), "digits example"), ((1, 17, 64), ""), ((16, 50, 32), "")]

CELLS = ("lstm", "gru")  # every shape runs as both cell types


def batches(config: HardwareConfig, quick: bool) -> list[int]:
    """The sweep: 1, 2, 4, ... up to MAX_BATCH (the quick suite: 1 and MAX_BATCH)."""
    sweep = [1 << k for k in range(config.max_batch.bit_length()) if 1 << k < config.max_batch]
    return [1, config.max_batch] if quick else [*sweep, config.max_batch]


# Shapes that exceed a build's weight buffer are run on the builds with capacity for them.
def runs(quick: bool):
    """(build, config, cell, shape, note, batch) of every record, batch 1 first per shape."""
    suite = QUICK_SUITE if quick else SUITE
    for build, config in BUILDS.items():
        for cell in CELLS:
            for shape, note in suite:
                if fits(config, *shape[:2], cell):
                    for batch in dict.fromkeys(batches(config, quick)):
                        yield build, config, cell, shape, note, batch


def fits(config: HardwareConfig, input_size: int, hidden: int, cell: str) -> bool:
    from sharp import dispatcher
    try:
        dispatcher.plan(config, input_size, hidden, cell=cell)
    except ValueError:
        return False
    return True
