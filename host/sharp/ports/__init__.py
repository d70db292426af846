"""The ports beneath the driver, one module per backend: golden (the software model),
verilator (the RTL simulation), hls (the HLS C simulation), pynq (a board). Each implements
sharp.ports.Port (port.py); open_port picks one by backend name."""
from __future__ import annotations

from ..config import HardwareConfig
from .port import Port, RecordingPort

BACKENDS = ("golden", "verilator", "hls", "pynq")


def open_port(backend: str, config: HardwareConfig | None = None, bitstream=None) -> Port:
    if backend == "golden":
        from .golden import GoldenPort
        return GoldenPort(config or HardwareConfig())
    if backend == "verilator":
        try:
            from .verilator import VerilatorPort
        except ImportError as exc:
            raise RuntimeError(f"the verilator backend needs sharp.sim.VerilatorPort: {exc}") from None
        return VerilatorPort(config or HardwareConfig())
    if backend == "hls":
        from .hls import HlsCsimPort
        return HlsCsimPort(config)
    if backend == "pynq":
        try:
            from .pynq import PynqPort
        except ModuleNotFoundError as exc:
            if exc.name != "pynq":
                raise
            raise RuntimeError("the pynq backend needs the pynq package, on the board: "
                               "pip install 'sharp-fpga[board]'") from None
        if bitstream is None:  # the overlay the package carries for the board it runs on
            from ..overlays import find_overlay
            bitstream = find_overlay()
        return PynqPort(bitstream)
    raise ValueError(f"unknown backend {backend!r}; the backends are {', '.join(BACKENDS)}")
