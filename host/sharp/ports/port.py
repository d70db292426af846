"""The Port: what the driver needs from whatever sits beneath it (simulator, software model, board).

A Port moves AXI-Lite register accesses and one operation's AXI-Stream transfer; it knows
nothing about opcodes or models. The modules beside this one (golden, verilator, hls, pynq) implement it.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Port(Protocol):
    def write(self, offset: int, value: int) -> None:
        """AXI-Lite write of a 32-bit value at a byte offset of s_axi_control."""

    def read(self, offset: int) -> int:
        """AXI-Lite read; clear-on-read side effects happen."""

    def stream(self, send: np.ndarray, recv_beats: int) -> None:
        """Arm one operation's transfer: send these uint64 beats (TLAST on the last), accept recv_beats."""

    def wait(self, timeout_s: float) -> int:
        """Block until ap_done; return the CTRL value whose read showed (and cleared) it.

        Raises TimeoutError naming the CTRL state seen when ap_done does not come in time.
        """

    def received(self) -> np.ndarray:
        """uint64 beats received on out_stream since stream()."""

    def reset(self) -> None:
        """Pulse the core's reset: idle, counters and FIFOs cleared, weight/bias/table buffers kept."""


class RecordingPort:
    """A Port wrapper that logs every transaction in order (for debugging, and to replay a run).

    Entries: ("write", offset, value), ("read", offset, value), ("stream", send, recv_beats),
    ("wait", ctrl or None on timeout), ("received", beats), ("reset",).
    """

    def __init__(self, port: Port):
        self.port = port
        self.log: list[tuple] = []

    def write(self, offset: int, value: int) -> None:
        self.port.write(offset, value)
        self.log.append(("write", offset, value))

    def read(self, offset: int) -> int:
        value = self.port.read(offset)
        self.log.append(("read", offset, value))
        return value

    def stream(self, send: np.ndarray, recv_beats: int) -> None:
        self.port.stream(send, recv_beats)
        self.log.append(("stream", np.array(send, dtype=np.uint64), recv_beats))

    def wait(self, timeout_s: float) -> int:
        try:
            ctrl = self.port.wait(timeout_s)
        except TimeoutError:
            self.log.append(("wait", None))
            raise
        self.log.append(("wait", ctrl))
        return ctrl

    def received(self) -> np.ndarray:
        beats = self.port.received()
        self.log.append(("received", np.array(beats, dtype=np.uint64)))
        return beats

    def reset(self) -> None:
        self.port.reset()
        self.log.append(("reset",))
