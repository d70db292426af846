"""The driver: one operation at a time over a Port (ARCHITECTURE.md §7).

Write the arguments, arm the stream, pulse ap_start, wait for ap_done, read every output
register, check the status bits. Every backend runs this same code; only the Port differs.
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


@dataclass(frozen=True)
class Counters:
    """The output registers after one operation."""
    cycles: int
    active_lane_cycles: int
    issue_cycles: int
    stall_input: int
    stall_dependency: int
    stall_output: int
    status: int
    build_info: int
    capacity_info: int
    weight_depth: int
    bias_depth: int

    @classmethod
    def from_registers(cls, regs: dict) -> "Counters":
        return cls(cycles=regs["cycles_lo"] | regs["cycles_hi"] << 32,
                   active_lane_cycles=regs["active_lo"] | regs["active_hi"] << 32,
                   **{k: regs[k] for k in ("issue_cycles", "stall_input", "stall_dependency",
                                           "stall_output", "status", "build_info",
                                           "capacity_info", "weight_depth", "bias_depth")})


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
    def __init__(self, port: Port):
        self.port = port
        self.resets = 0  # bumped on every reset: buffers may then hold partial loads

    def execute(self, op: Operation, timeout_s: float) -> tuple[Counters, np.ndarray]:
        """Run one operation; returns its counters and the beats it sent back."""
        check_timeout(timeout_s)
        op_name = regmap.OPCODE_NAMES.get(op.args["opcode"], f"opcode {op.args['opcode']}")
        for name in regmap.ARGUMENTS:
            self.port.write(regmap.OFFSETS[name], int(op.args[name]))
        self.port.stream(op.send, op.recv_beats)
        self.port.write(regmap.CTRL, regmap.AP_START)
        try:
            self.port.wait(timeout_s)
        except TimeoutError as exc:
            self.reset()
            raise OperationTimeout(f"{op_name} did not finish within {timeout_s:g} s ({exc}); "
                                   "the core was reset") from None
        counters = Counters.from_registers(
            {name: self.port.read(regmap.OFFSETS[name]) for name in regmap.OUTPUTS})
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

    def reset(self) -> None:
        self.port.reset()
        self.resets += 1

    def read_config(self, timeout_s: float) -> HardwareConfig:
        """The build parameters, from an INFO operation."""
        c, _ = self.execute(info(), timeout_s)
        return HardwareConfig.from_info(c.build_info, c.capacity_info, c.weight_depth, c.bias_depth)
