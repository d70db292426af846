"""PynqPort: sharp_top on a PYNQ board, through pynq's own Overlay, DefaultIP, allocate and AXI DMA.

Imported only by the pynq backend, so the package works without pynq installed.

Reset: the overlay has no dedicated reset line for the core, so reset() downloads the
bitstream again (pynq.Overlay.download). That reprograms the PL: sharp_top and the DMA return
to their reset state, and, unlike a pulse of ap_rst_n, the weight, bias and table buffers are
cleared too. The driver reloads tables and model after every reset, so this is safe.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pynq

from .. import regmap

SHARP_VLNV = "sharp.accel:hls:sharp_top:1.0"
DMA_VLNV = "xilinx.com:ip:axi_dma:"


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
        self.overlay.download()  # first: a running DMA may still write into our buffers
        for channel in (self.dma.sendchannel, self.dma.recvchannel):
            channel.start()
        self._free()

    def _dma_state(self) -> str:
        return ", ".join(f"DMA {n} {'idle' if getattr(self.dma, n).idle else 'busy'}"
                         for n in ("sendchannel", "recvchannel"))

    def _free(self) -> None:
        for buf in (self._send, self._recv):
            if buf is not None:
                buf.freebuffer()
        self._send = self._recv = None
