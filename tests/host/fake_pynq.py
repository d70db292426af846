"""A fake `pynq` module (MMIO, DefaultIP, Overlay, allocate, AXI DMA, lib.AxiGPIO) that replays
a Port log.

Every MMIO access and DMA transfer the pynq backend makes is checked against the next entry
of a sharp.ports.RecordingPort log and answered from it, so the board driver is shown to do
exactly what the simulated run did. A log's ("reset",) is matched by a low-high pulse of the
sharp_reset GPIO or, for an overlay without it, by Overlay.download().

Replay.counts tallies what the board would be asked to do, call by call (HOST_WORK): the host
cost of a run (bench/host_cost.py).
"""
from __future__ import annotations

import types
from collections import Counter

import numpy as np

from sharp import regmap

SHARP_VLNV = "sharp.accel:hls:sharp_top:1.0"
DEFAULT_IP = {
    "sharp_top_0": {"type": SHARP_VLNV, "phys_addr": 0x4000_0000, "addr_range": 0x1_0000},
    "axi_dma_0": {"type": "xilinx.com:ip:axi_dma:7.1", "phys_addr": 0x4040_0000,
                  "addr_range": 0x1_0000},
    "sharp_reset": {"type": "xilinx.com:ip:axi_gpio:2.0", "phys_addr": 0x43C1_0000,
                    "addr_range": 0x1_0000, "interrupts": {}},
}
DMACR_RESET = 0x4

# Replay.counts keys: sharp_top register writes and reads (CTRL reads apart, as ap_done polls:
# how many depends on timing, and a replay answers the first), DMA transfers and their bytes
# each way, pynq.allocate calls and the buffers freed, the DMA driver's status checks (idle,
# wait) and the reset path's GPIO writes and DMA register accesses.
HOST_WORK = ("register_writes", "register_reads", "ap_done_polls", "dma_send_transfers",
             "dma_recv_transfers", "dma_send_bytes", "dma_recv_bytes", "allocations", "frees",
             "dma_idle_checks", "dma_waits", "gpio_writes", "dma_register_accesses")


class Replay:
    """The log and a cursor into it."""

    def __init__(self, log):
        self.log = list(log)
        self.pos = 0
        self.pending: set[str] = set()  # DMA parts of the current "stream" entry still to come
        self.fill = None  # beats the receive channel delivers for the current operation
        self.resets: list[tuple[str, int]] = []  # ("gpio" or "download", log position matched)
        self.downloads = 0
        self.gpio = []  # values written to the sharp_reset GPIO, in order
        self.dma_soft_resets = 0
        self.dma_reset_stuck = False  # the DMA's soft-reset bit never clears
        self.counts = Counter(dict.fromkeys(HOST_WORK, 0))

    def _next(self, kind: str, what: str):
        while self.pos < len(self.log):
            entry = self.log[self.pos]
            if entry[0] == "received":  # data for the DMA fill, not a call
                self.pos += 1
            elif entry[0] == "stream" and not self.pending and len(entry[1]) == 0 and entry[2] == 0:
                self.pos += 1  # an operation without stream traffic makes no DMA calls
            else:
                break
        assert self.pos < len(self.log), f"{what}: the recorded run had no more transactions"
        entry = self.log[self.pos]
        assert entry[0] == kind, f"{what}: the recorded run did {entry} at step {self.pos}"
        return entry

    def write(self, offset, value):
        entry = self._next("write", f"write 0x{offset:02x}={value}")
        assert entry[1:] == (offset, value), f"write 0x{offset:02x}={value}, recorded {entry}"
        self.pos += 1

    def read(self, offset):
        if self.pos < len(self.log) and self.log[self.pos][0] == "wait" and offset == 0:
            ctrl = self.log[self.pos][1]
            if ctrl is None:
                return 0  # the recorded core never finished: busy, not idle, forever
            self.pos += 1
            return ctrl
        entry = self._next("read", f"read 0x{offset:02x}")
        assert entry[1] == offset, f"read 0x{offset:02x}, recorded {entry}"
        self.pos += 1
        return entry[2]

    def transfer(self, direction, buf):
        if not self.pending:
            entry = self._next("stream", f"DMA {direction} transfer")
            self.pending = {p for p, n in (("recv", entry[2]), ("send", len(entry[1]))) if n}
            self.fill = self._recorded_beats()
        entry = self.log[self.pos]
        assert direction in self.pending, f"unexpected DMA {direction} transfer for {entry}"
        if direction == "send":
            np.testing.assert_array_equal(np.asarray(buf), entry[1])
        else:
            assert len(buf) == entry[2], f"receive buffer of {len(buf)} beats, recorded {entry[2]}"
        self.pending.discard(direction)
        if not self.pending:
            self.pos += 1

    def _recorded_beats(self):
        for entry in self.log[self.pos + 1:]:
            if entry[0] == "received":
                return entry[1]
            if entry[0] in ("stream", "reset"):
                return None
        return None

    def reset(self, how: str):
        if self.pos < len(self.log) and self.log[self.pos] == ("wait", None):
            self.pos += 1
        self._next("reset", f"{how} (reset)")
        self.resets.append((how, self.pos))
        self.pos += 1
        self.pending = set()

    def write_gpio(self, value):
        if self.gpio and self.gpio[-1] == 0 and value == 1:  # the rising edge ends the pulse
            self.reset("gpio")
        self.gpio.append(value)

    def download(self):
        self.downloads += 1
        # After a GPIO pulse whose DMA reset hung, the download is part of the same reset.
        if not (self.resets and self.resets[-1][0] == "gpio" and self.dma_reset_stuck):
            self.reset("download")

    def finished(self) -> bool:
        return self.pos == len(self.log) or all(e[0] == "received" for e in self.log[self.pos:])


def make_module(replay: Replay, ip_dict=None) -> types.ModuleType:
    ip_dict = DEFAULT_IP if ip_dict is None else ip_dict
    registry = {}

    class MMIO:
        def __init__(self, base_addr, length=4):
            self.base_addr, self.length = base_addr, length

        def read(self, offset=0, length=4):
            assert 0 <= offset < self.length
            # reads of sharp_top's CTRL register are the ap_done polls
            replay.counts["ap_done_polls" if offset == regmap.CTRL else "register_reads"] += 1
            return replay.read(offset)

        def write(self, offset, data):
            assert 0 <= offset < self.length
            replay.counts["register_writes"] += 1
            replay.write(offset, data)

    class DefaultIP:
        def __init__(self, description):
            self.mmio = MMIO(description["phys_addr"], description["addr_range"])

        def __init_subclass__(cls, **kw):
            super().__init_subclass__(**kw)
            for vlnv in getattr(cls, "bindto", []):
                registry[vlnv] = cls

        def read(self, offset=0):
            return self.mmio.read(offset)

        def write(self, offset, value):
            self.mmio.write(offset, value)

    class Buffer(np.ndarray):
        physical_address = 0x1000_0000

        def freebuffer(self):
            replay.counts["frees"] += 1

    def allocate(shape, dtype="u4", **kw):
        replay.counts["allocations"] += 1
        return np.zeros(shape, dtype=dtype).view(Buffer)

    class Channel:
        def __init__(self, direction):
            self.direction, self.starts, self.buf = direction, 0, None

        @property
        def idle(self):
            replay.counts["dma_idle_checks"] += 1
            # A receive the recorded run never read (a refused operation) never completes.
            return self.direction == "send" or self.buf is None or replay.fill is not None

        def transfer(self, buf):
            replay.transfer(self.direction, buf)
            replay.counts[f"dma_{self.direction}_transfers"] += 1
            replay.counts[f"dma_{self.direction}_bytes"] += buf.nbytes
            self.buf = buf

        def wait(self):
            replay.counts["dma_waits"] += 1
            if self.direction == "recv" and replay.fill is not None:
                self.buf[:] = replay.fill  # (None: an operation whose output was never read)

        def start(self):
            self.starts += 1

    class DMA:
        def __init__(self, description):
            self.sendchannel, self.recvchannel = Channel("send"), Channel("recv")

        def write(self, offset, value):
            assert (offset, value) == (0x00, DMACR_RESET), f"DMA register write 0x{offset:02x}={value}"
            replay.counts["dma_register_accesses"] += 1
            replay.dma_soft_resets += 1

        def read(self, offset):
            assert offset == 0x00, f"DMA register read 0x{offset:02x}"
            replay.counts["dma_register_accesses"] += 1
            return DMACR_RESET if replay.dma_reset_stuck else 0

    class AxiGPIO(DefaultIP):
        """pynq.lib.AxiGPIO's API as the backend uses it: channel1.setdirection, write(val, mask)."""
        bindto = ["xilinx.com:ip:axi_gpio:2.0"]

        class Channel:
            def __init__(self):
                self.direction, self._val = None, 0

            def setdirection(self, direction):
                self.direction = direction

            def write(self, val, mask):
                assert self.direction == "out", "write to a GPIO channel not set to output"
                self._val = (self._val & ~mask) | (val & mask)
                replay.counts["gpio_writes"] += 1
                replay.write_gpio(self._val)

        def __init__(self, description):
            super().__init__(description)
            description["interrupts"]  # the real driver reads it
            self.channel1 = AxiGPIO.Channel()

    class Overlay:
        def __init__(self, bitfile_name):
            self.bitfile_name = bitfile_name
            self.ip_dict = ip_dict
            self._drivers = {}

        def __getattr__(self, name):
            if name.startswith("_") or name not in self.ip_dict:
                raise AttributeError(name)
            if name not in self._drivers:
                desc = self.ip_dict[name]
                cls = registry.get(desc["type"])
                if cls is None:
                    cls = DMA if desc["type"].startswith("xilinx.com:ip:axi_dma:") else DefaultIP
                self._drivers[name] = cls(desc)
            return self._drivers[name]

        def download(self):
            replay.download()

    module = types.ModuleType("pynq")
    module.MMIO, module.DefaultIP, module.Overlay, module.allocate = MMIO, DefaultIP, Overlay, allocate
    module.lib = types.ModuleType("pynq.lib")
    module.lib.AxiGPIO = AxiGPIO
    return module
