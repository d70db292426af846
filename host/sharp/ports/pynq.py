"""PynqPort: sharp_top on a PYNQ board, through pynq's own Overlay, DefaultIP, allocate and AXI DMA.

Imported only by the pynq backend, so the package works without pynq installed.

Reset: reset() pulses sharp_top's ap_rst_n low and high through the overlay's `sharp_reset`
AXI GPIO (ANDed with the system reset in the block design), then soft-resets the AXI DMA and
starts its channels again. The core returns to idle and keeps its weight, bias and table
buffers, as the contract says. An overlay built before that GPIO existed falls back, with a
warning, to downloading the bitstream again, which also clears those buffers; the driver reloads
tables and model after every reset, so both are safe.
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pynq
from pynq.lib import AxiGPIO

from .. import regmap

SHARP_VLNV = "sharp.accel:hls:sharp_top:1.0"
DMA_VLNV = "xilinx.com:ip:axi_dma:"
GPIO_VLNV = "xilinx.com:ip:axi_gpio:"
RESET_GPIO = "sharp_reset"  # the cell name in overlay/tcl/block_design.tcl
DMACR = 0x00  # MM2S_DMACR; its bit 2 soft-resets the whole AXI DMA and clears itself when done
DMACR_RESET = 0x4
DMA_RESET_TIMEOUT_S = 1.0


class SharpIP(pynq.DefaultIP):
    """sharp_top's s_axi_control; pynq binds it to the core by its VLNV."""
    bindto = [SHARP_VLNV]


def _find(overlay, hwh: Path, vlnv_prefix: str, what: str):
    names = [n for n, d in overlay.ip_dict.items() if d.get("type", "").startswith(vlnv_prefix)]
    if len(names) != 1:
        found = ", ".join(f"{n} ({d.get('type')})" for n, d in overlay.ip_dict.items()) or "none"
        raise ValueError(f"{hwh} describes {len(names)} {what} ({vlnv_prefix}*); the overlay needs "
                         f"exactly one. Its IP: {found}")
    driver = overlay
    for part in names[0].split("/"):  # IP inside hierarchies are nested attributes
        driver = getattr(driver, part)
    return driver


class PynqPort:
    def __init__(self, bitstream):
        path = Path(bitstream)
        if path.suffix != ".bit":
            raise ValueError(f"bitstream {path} must be a .bit file (with its .hwh next to it)")
        hwh = path.with_suffix(".hwh")
        for f in (path, hwh):
            if not f.is_file():
                raise FileNotFoundError(f"{f} does not exist: copy sharp.bit and sharp.hwh from "
                                        "the build (docs/PYNQ.md) to the board")
        try:
            self.overlay = pynq.Overlay(str(path))
        except (RuntimeError, OSError, ValueError) as exc:
            raise RuntimeError(f"pynq could not load the overlay {path}: {exc}") from None
        self.ip = _find(self.overlay, hwh, SHARP_VLNV, "sharp_top core")
        if not isinstance(self.ip, SharpIP):
            raise ValueError(f"pynq bound {type(self.ip).__name__}, not SharpIP, to sharp_top")
        self.dma = _find(self.overlay, hwh, DMA_VLNV, "AXI DMA")
        self.reset_line = self._reset_line(hwh)
        self._send = self._recv = None
        self._recv_complete = False

    def write(self, offset: int, value: int) -> None:
        self.ip.write(offset, value)

    def read(self, offset: int) -> int:
        return int(self.ip.read(offset))

    def stream(self, send: np.ndarray, recv_beats: int) -> None:
        self._free()
        self._recv_complete = False
        if recv_beats:
            self._recv = pynq.allocate(shape=(recv_beats,), dtype=np.uint64)
            self.dma.recvchannel.transfer(self._recv)
        if len(send):
            self._send = pynq.allocate(shape=(len(send),), dtype=np.uint64)
            self._send[:] = send
            self.dma.sendchannel.transfer(self._send)  # MM2S sets TLAST on the last beat

    def wait(self, timeout_s: float) -> int:
        deadline = time.monotonic() + timeout_s
        while not (ctrl := self.read(regmap.CTRL)) & regmap.AP_DONE:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no ap_done within {timeout_s:g} s: "
                                   f"{regmap.describe_ctrl(ctrl)}, {self._dma_state()}")
        # After ap_done the transfers complete at once, except for an operation the core
        # refused (BAD_ARGS): then give up at the deadline; the driver reads the status next
        # and received() reports nothing.
        self._settle(self.dma.sendchannel, self._send, deadline)
        self._recv_complete = self._settle(self.dma.recvchannel, self._recv, deadline)
        return ctrl

    @staticmethod
    def _settle(channel, buf, deadline: float) -> bool:
        if buf is None:
            return True
        while not channel.idle:
            if time.monotonic() > deadline:
                return False
        channel.wait()  # for the receive buffer, this also invalidates its cache lines
        return True

    def received(self) -> np.ndarray:
        if self._recv is None or not self._recv_complete:
            return np.zeros(0, dtype=np.uint64)
        return np.array(self._recv, dtype=np.uint64)

    def reset(self) -> None:
        # Core and DMA first: a running DMA may still write into the buffers freed last.
        if self.reset_line is None:
            warnings.warn(f"the overlay has no {RESET_GPIO} GPIO (built before it was added): "
                          "resetting the core by downloading the bitstream again, which also "
                          "clears its weight, bias and table buffers", stacklevel=2)
            self.overlay.download()
        else:
            self.reset_line.write(0, 1)  # ap_rst_n low, then high: AXI-Lite writes, many cycles apart
            self.reset_line.write(1, 1)
            self._reset_dma()
        for channel in (self.dma.sendchannel, self.dma.recvchannel):
            channel.start()
        self._free()

    def _reset_line(self, hwh: Path):
        """channel1 of the sharp_reset GPIO, or None for an overlay built without it."""
        description = self.overlay.ip_dict.get(RESET_GPIO)
        if description is None:
            return None
        gpio = getattr(self.overlay, RESET_GPIO)
        if not description.get("type", "").startswith(GPIO_VLNV) or not isinstance(gpio, AxiGPIO):
            raise ValueError(f"{hwh}: {RESET_GPIO} is {description.get('type')} driven by "
                             f"{type(gpio).__name__}, not an AXI GPIO ({GPIO_VLNV}*) for AxiGPIO")
        channel = gpio.channel1
        channel.setdirection("out")
        return channel

    def _reset_dma(self) -> None:
        # A stream cut short leaves a transfer pending (and MM2S beats the core never took);
        # the DMA's soft reset drops them. If it never completes, reprogram the PL instead.
        self.dma.write(DMACR, DMACR_RESET)
        deadline = time.monotonic() + DMA_RESET_TIMEOUT_S
        while self.dma.read(DMACR) & DMACR_RESET:
            if time.monotonic() > deadline:
                warnings.warn(f"the AXI DMA's soft reset did not complete within "
                              f"{DMA_RESET_TIMEOUT_S:g} s: downloading the bitstream again, which "
                              "also clears the core's weight, bias and table buffers", stacklevel=3)
                self.overlay.download()
                return

    def _dma_state(self) -> str:
        return ", ".join(f"DMA {n} {'idle' if getattr(self.dma, n).idle else 'busy'}"
                         for n in ("sendchannel", "recvchannel"))

    def _free(self) -> None:
        for buf in (self._send, self._recv):
            if buf is not None:
                buf.freebuffer()
        self._send = self._recv = None
