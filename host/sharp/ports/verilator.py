"""VerilatorPort: the accelerator's AXI-Lite and AXI-Stream ports on a Verilated sharp_top.

It offers the same Port interface as the board driver (write/read/stream/wait/received/reset),
so the host runtime runs unchanged on it, plus lower-level controls for the tests.
"""
from __future__ import annotations

import ctypes
import logging
import os

import numpy as np

from .. import regmap
from ..config import HardwareConfig
from ..sim.build import RTL_DIR, build_library

log = logging.getLogger(__name__)

CLOCK_HZ = 100e6          # wait(timeout_s) allows timeout_s of simulated time at this clock...
WAIT_FLOOR_CYCLES = 100_000  # ...but never fewer cycles than this
AXI_TIMEOUT_CYCLES = 1000  # an AXI-Lite access without a response by then is a hang
RESET_CYCLES = 4

_u64p = ctypes.POINTER(ctypes.c_uint64)
_u8p = ctypes.POINTER(ctypes.c_uint8)
_SIGNATURES = {
    "sim_create": ([], ctypes.c_void_p),
    "sim_destroy": ([ctypes.c_void_p], None),
    "sim_set_traffic": ([ctypes.c_void_p, ctypes.c_double, ctypes.c_double, ctypes.c_uint64], None),
    "sim_reset": ([ctypes.c_void_p, ctypes.c_uint32], None),
    "sim_write": ([ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
                   ctypes.c_uint64], ctypes.c_int),
    "sim_read": ([ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64], ctypes.c_int64),
    "sim_stream": ([ctypes.c_void_p, _u64p, _u8p, ctypes.c_uint64, ctypes.c_uint64], None),
    "sim_sent": ([ctypes.c_void_p], ctypes.c_uint64),
    "sim_received_count": ([ctypes.c_void_p], ctypes.c_uint64),
    "sim_bad_keep": ([ctypes.c_void_p], ctypes.c_uint64),
    "sim_received": ([ctypes.c_void_p, _u64p, _u8p], None),
    "sim_run": ([ctypes.c_void_p, ctypes.c_uint64], None),
    "sim_wait_done": ([ctypes.c_void_p, ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint32)],
                      ctypes.c_int64),
    "sim_interrupt": ([ctypes.c_void_p], ctypes.c_int),
    "sim_cycles": ([ctypes.c_void_p], ctypes.c_uint64),
}


def _load(path) -> ctypes.CDLL:
    lib = ctypes.CDLL(str(path))
    for name, (args, res) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res
    return lib


def _check_probability(name: str, p: float) -> float:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"{name}={p} must be in [0, 1)")
    return float(p)


def fresh_seed() -> int:
    """SHARP_SEED if set, else a fresh random seed (print it to reproduce a run)."""
    env = os.environ.get("SHARP_SEED")
    return int(env, 0) if env else int.from_bytes(os.urandom(8), "little")


class VerilatorPort:
    """sharp_top under Verilator, driven through its AXI ports only.

    Its timeouts count simulated time: wait(timeout_s) allows timeout_s at CLOCK_HZ, and never
    fewer than WAIT_FLOOR_CYCLES cycles (so that 1 ms is the shortest timeout that means what it
    says; sharp.Accelerator refuses shorter ones).
    """

    min_timeout_s = WAIT_FLOOR_CYCLES / CLOCK_HZ
    min_timeout_reason = (f"the verilator backend counts timeout_s as simulated time at "
                          f"{CLOCK_HZ / 1e6:.0f} MHz and waits at least {WAIT_FLOOR_CYCLES} cycles")

    def __init__(self, config: HardwareConfig, in_gap_prob: float = 0.0,
                 out_stall_prob: float = 0.0, seed: int | None = None, rtl_dir=RTL_DIR):
        self._sim = None
        self.config = config
        self.in_gap_prob = _check_probability("in_gap_prob", in_gap_prob)
        self.out_stall_prob = _check_probability("out_stall_prob", out_stall_prob)
        self.seed = fresh_seed() if seed is None else int(seed)
        if seed is None and (in_gap_prob or out_stall_prob):
            log.info("VerilatorPort traffic seed %d (pass seed= or set SHARP_SEED to repeat)",
                     self.seed)
        self.library_path = build_library(config, rtl_dir)
        self._lib = _load(self.library_path)
        self._sim = self._lib.sim_create()
        self._lib.sim_set_traffic(self._handle, self.in_gap_prob, self.out_stall_prob,
                                  self.seed & (2**64 - 1))
        self.reset()

    @property
    def _handle(self):
        if not self._sim:
            raise RuntimeError("this VerilatorPort is closed")
        return self._sim

    def close(self) -> None:
        if self._sim:
            self._lib.sim_destroy(self._sim)
            self._sim = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- the Port interface -------------------------------------------------------------
    def write(self, offset: int, value: int, strb: int = 0xF) -> None:
        """AXI-Lite write of a 32-bit value."""
        self._check_offset(offset)
        if not 0 <= strb <= 0xF:
            raise ValueError(f"write strobe 0x{strb:X} at 0x{offset:02X} does not fit 4 bits")
        if not 0 <= value < 2**32:
            raise ValueError(f"register value {value} at 0x{offset:02X} does not fit 32 bits")
        resp = self._lib.sim_write(self._handle, offset, value, strb, AXI_TIMEOUT_CYCLES)
        if resp < 0:
            raise TimeoutError(f"AXI-Lite write to 0x{offset:02X} got no BVALID within "
                               f"{AXI_TIMEOUT_CYCLES} cycles")
        if resp:
            raise RuntimeError(f"AXI-Lite write to 0x{offset:02X} returned BRESP={resp}")

    def read(self, offset: int) -> int:
        """AXI-Lite read (its side effects, such as clear-on-read, happen)."""
        self._check_offset(offset)
        value = self._lib.sim_read(self._handle, offset, AXI_TIMEOUT_CYCLES)
        if value < 0:
            raise TimeoutError(f"AXI-Lite read of 0x{offset:02X} got no RVALID within "
                               f"{AXI_TIMEOUT_CYCLES} cycles")
        if value >> 32:
            raise RuntimeError(f"AXI-Lite read of 0x{offset:02X} returned RRESP={value >> 32}")
        return value & 0xFFFFFFFF

    def stream(self, send: np.ndarray, recv_beats: int, last: np.ndarray | None = None) -> None:
        """Arm the DMA side: send these uint64 beats and accept `recv_beats` beats.

        TLAST goes on the last beat unless `last` (one flag per beat) says otherwise.
        """
        data = np.ascontiguousarray(np.asarray(send, dtype=np.uint64).reshape(-1))
        if last is None:
            flags = np.zeros(data.size, dtype=np.uint8)
            flags[-1:] = 1
        else:
            flags = np.ascontiguousarray(np.asarray(last, dtype=np.uint8).reshape(-1))
            if flags.size != data.size:
                raise ValueError(f"{flags.size} TLAST flags given for {data.size} beats")
        if recv_beats < 0:
            raise ValueError(f"recv_beats={recv_beats} must be >= 0")
        self._lib.sim_stream(self._handle, data.ctypes.data_as(_u64p),
                             flags.ctypes.data_as(_u8p), data.size, recv_beats)
        self._send_len = data.size

    def wait(self, timeout_s: float) -> int:
        """Advance until a CTRL read shows ap_done; return that value (the read cleared it).

        Like a host waiting on its receive DMA, it then goes on until the beats armed by
        stream() have arrived, the core has offered none for 1000 cycles, or the budget ends
        (received() shows what came). The budget is timeout_s of simulated time at CLOCK_HZ,
        at least WAIT_FLOOR_CYCLES.
        """
        budget = max(WAIT_FLOOR_CYCLES, int(timeout_s * CLOCK_HZ))
        last = ctypes.c_uint32(0)
        ctrl = self._lib.sim_wait_done(self._handle, budget, ctypes.byref(last))
        if ctrl < 0:
            raise TimeoutError(
                f"sharp_top not done after {budget} simulated cycles (timeout_s={timeout_s:g} at "
                f"{CLOCK_HZ / 1e6:.0f} MHz, at least {WAIT_FLOOR_CYCLES}): "
                f"{regmap.describe_ctrl(last.value)}, "
                f"{self.beats_sent}/{self._send_len} beats sent, "
                f"{self.beats_received} beats received")
        return int(ctrl)

    def received(self) -> np.ndarray:
        """The uint64 beats received since stream()."""
        return self.received_with_last()[0]

    def reset(self, cycles: int = RESET_CYCLES) -> None:
        """Hold ap_rst_n low for `cycles` cycles; the DMA-side queues are emptied."""
        if cycles < 1:
            raise ValueError(f"reset cycles={cycles} must be >= 1")
        self._lib.sim_reset(self._handle, cycles)
        self._send_len = 0

    @property
    def cycles(self) -> int:
        """Simulated cycles since construction."""
        return int(self._lib.sim_cycles(self._handle))

    # --- lower-level controls for tests -------------------------------------------------
    def run(self, cycles: int) -> None:
        """Advance `cycles` clock cycles (streams keep flowing)."""
        if cycles < 0:
            raise ValueError(f"cycles={cycles} must be >= 0")
        self._lib.sim_run(self._handle, int(cycles))

    def received_with_last(self) -> tuple[np.ndarray, np.ndarray]:
        """Received beats and their TLAST flags."""
        n = self.beats_received
        data = np.zeros(n, dtype=np.uint64)
        last = np.zeros(n, dtype=np.uint8)
        self._lib.sim_received(self._handle, data.ctypes.data_as(_u64p),
                               last.ctypes.data_as(_u8p))
        return data, last.astype(bool)

    @property
    def beats_sent(self) -> int:
        return int(self._lib.sim_sent(self._handle))

    @property
    def beats_received(self) -> int:
        return int(self._lib.sim_received_count(self._handle))

    @property
    def bad_keep_beats(self) -> int:
        """Received beats whose TKEEP or TSTRB were not all ones (the contract requires them)."""
        return int(self._lib.sim_bad_keep(self._handle))

    @property
    def interrupt(self) -> bool:
        return bool(self._lib.sim_interrupt(self._handle))

    @staticmethod
    def _check_offset(offset: int) -> None:
        if not 0 <= offset < 1 << regmap.ADDR_WIDTH or offset % 4:
            raise ValueError(f"register offset 0x{offset:X} is not a word address below "
                             f"0x{1 << regmap.ADDR_WIDTH:X}")
