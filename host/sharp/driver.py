"""The driver: one operation at a time over a Port (ARCHITECTURE.md §7).

Write the arguments that changed, arm the stream, pulse ap_start, wait for ap_done, read the
status (and the counters when wanted), check the status bits. Every backend runs this same
code; only the Port differs.

The argument registers are R/W and keep their value from one operation to the next (§7), so
the driver writes only those whose value differs from the one it last wrote there. A reset
clears them and an error leaves them unknown: both make the driver forget what it wrote. It
assumes it alone writes its port's registers and resets its core; code that does either behind
its back calls forget() before the driver's next operation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from . import regmap
from .config import HardwareConfig
from .ports import Port
from .program import Operation, info


class HardwareError(RuntimeError):
    """The core finished an operation with error bits set in `status`."""


class OperationTimeout(TimeoutError):
    """ap_done did not come in time; the core has been reset."""


# The output registers an INFO operation is for: read after every INFO, counters or not.
INFO_OUTPUTS = ("build_info", "capacity_info", "weight_depth", "bias_depth", "max_batch")


@dataclass(frozen=True)
class Counters:
    """The output registers after one operation; those the driver did not read are None
    (Driver(counters=False) reads `status` alone, and the info registers after an INFO)."""
    cycles: int | None
    active_lane_cycles: int | None
    issue_cycles: int | None
    stall_input: int | None
    stall_dependency: int | None
    stall_output: int | None
    status: int
    build_info: int | None
    capacity_info: int | None
    weight_depth: int | None
    bias_depth: int | None
    max_batch: int | None

    @classmethod
    def from_registers(cls, regs: dict) -> "Counters":
        """From the registers read (a subset of regmap.OUTPUTS that holds `status`)."""
        def wide(lo, hi):
            return regs[lo] | regs[hi] << 32 if lo in regs else None
        return cls(cycles=wide("cycles_lo", "cycles_hi"),
                   active_lane_cycles=wide("active_lo", "active_hi"),
                   **{k: regs.get(k) for k in ("issue_cycles", "stall_input", "stall_dependency",
                                               "stall_output", "status", *INFO_OUTPUTS)})


def check_timeout(timeout_s, floor_s: float = 0.0, floor_reason: str = "") -> float:
    """timeout_s as a float: a real number of seconds, finite, > 0 and at least floor_s (the
    shortest wait a port allows, e.g. VerilatorPort.min_timeout_s)."""
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, Real):
        raise TypeError(f"timeout_s={timeout_s!r} must be a number of seconds, "
                        f"not {type(timeout_s).__name__}")
    if not (math.isfinite(timeout_s) and timeout_s > 0):
        raise ValueError(f"timeout_s={timeout_s} must be a finite number of seconds > 0")
    if timeout_s < floor_s:
        raise ValueError(f"timeout_s={timeout_s:g} is below {floor_s:g} s, the shortest wait "
                         f"this backend allows: {floor_reason}")
    return float(timeout_s)


class Driver:
    """counters=False reads only `status` after an operation (and the info registers after an
    INFO): on a board every register read costs the host tens of microseconds (docs/PYNQ.md).
    cache_arguments=False writes every argument register before every operation, the access
    pattern before the cache (bench/host_cost.py measures both)."""

    def __init__(self, port: Port, counters: bool = True, cache_arguments: bool = True):
        self.port = port
        self.counters = counters
        self.cache_arguments = cache_arguments
        self.resets = 0  # bumped on every reset: buffers may then hold partial loads
        self.forget()  # nothing is known of registers another driver or a reset may have set

    def forget(self) -> None:
        """Assume nothing about the argument registers: the next operation writes them all."""
        self._written: dict[str, int] = {}

    def execute(self, op: Operation, timeout_s: float) -> tuple[Counters, np.ndarray]:
        """Run one operation; returns its counters and the beats it sent back."""
        check_timeout(timeout_s)
        try:
            return self._execute(op, timeout_s)
        except BaseException:
            # An error may have come between a register write and its record, or after a reset.
            self.forget()
            raise

    def _execute(self, op: Operation, timeout_s: float) -> tuple[Counters, np.ndarray]:
        op_name = regmap.OPCODE_NAMES.get(op.args["opcode"], f"opcode {op.args['opcode']}")
        if not self.cache_arguments:
            self.forget()
        for name in regmap.ARGUMENTS:
            value = int(op.args[name])
            if self._written.get(name) != value:
                self.port.write(regmap.OFFSETS[name], value)
                self._written[name] = value
        self.port.stream(op.send, op.recv_beats)
        self.port.write(regmap.CTRL, regmap.AP_START)
        try:
            self.port.wait(timeout_s)
        except TimeoutError as exc:
            self.reset()
            raise OperationTimeout(f"{op_name} did not finish within {timeout_s:g} s ({exc}); "
                                   "the core was reset") from None
        counters = Counters.from_registers(
            {name: self.port.read(regmap.OFFSETS[name]) for name in self._outputs(op)})
        if counters.status:
            # Beats the core refused may still sit in the stream: start clean.
            self.reset()
            raise HardwareError(f"{op_name} failed with status 0x{counters.status:x} "
                                f"({regmap.describe_status(counters.status)}); the core was reset")
        beats = self.port.received()
        if len(beats) != op.recv_beats:
            self.reset()
            raise HardwareError(f"{op_name} returned {len(beats)} out_stream beats, expected "
                                f"{op.recv_beats}; the core was reset")
        return counters, beats

    def _outputs(self, op: Operation) -> tuple[str, ...]:
        if self.counters:
            return regmap.OUTPUTS
        return ("status", *INFO_OUTPUTS) if op.args["opcode"] == regmap.OP_INFO else ("status",)

    def reset(self) -> None:
        self.forget()  # first: a reset that raises has still changed the registers
        self.port.reset()
        self.resets += 1

    def read_config(self, timeout_s: float) -> HardwareConfig:
        """The build parameters, from an INFO operation."""
        c, _ = self.execute(info(), timeout_s)
        return HardwareConfig.from_info(c.build_info, c.capacity_info, c.weight_depth, c.bias_depth,
                                       c.max_batch)
