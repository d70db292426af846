"""The argument registers in effect at each ap_start of a RecordingPort log.

The driver writes only the arguments that changed (sharp.driver), so what an operation ran
with is the last value written to each register before its ap_start, not its own writes.
"""
from __future__ import annotations

from sharp import regmap

NAMES = {regmap.OFFSETS[name]: name for name in regmap.ARGUMENTS}


def started(log, registers: dict | None = None) -> list[dict]:
    """One dict of argument values per ap_start in `log`, from `registers` (the values before
    the log; all 0, as after a reset, by default). A ("reset",) clears them (the RTL does)."""
    regs = dict.fromkeys(regmap.ARGUMENTS, 0) if registers is None else dict(registers)
    out = []
    for entry in log:
        if entry[0] == "reset":
            regs = dict.fromkeys(regmap.ARGUMENTS, 0)
        elif entry[0] == "write" and entry[1] in NAMES:
            regs[NAMES[entry[1]]] = entry[2]
        elif entry[0] == "write" and entry[1] == regmap.CTRL and entry[2] & regmap.AP_START:
            out.append(dict(regs))
    return out
