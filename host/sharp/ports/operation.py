"""A Port for cores modelled without a clock: each ap_start runs the operation to its end.

GoldenPort (the golden model) and HlsCsimPort (the HLS C simulation) share this register file
and stream arming; each supplies `_start()`, which sets the outputs, the received beats and the
done (or stuck) state.
"""
from __future__ import annotations

import numpy as np

from .. import regmap

_ARG_OFFSETS = {regmap.OFFSETS[name]: name for name in regmap.ARGUMENTS}
_OUT_OFFSETS = {regmap.OFFSETS[name]: name for name in regmap.OUTPUTS}
_VLD_OFFSETS = {offset + 4: name for offset, name in _OUT_OFFSETS.items()}


class OperationPort:
    def __init__(self):
        self._args = dict.fromkeys(regmap.ARGUMENTS, 0)
        self._other = {regmap.GIE: 0, regmap.IER: 0, regmap.ISR: 0}
        self.reset()

    def _start(self) -> None:
        raise NotImplementedError

    def write(self, offset: int, value: int) -> None:
        value &= 0xFFFFFFFF
        if offset == regmap.CTRL:
            if value & regmap.AP_START and not self._busy:
                self._start()
        elif offset in _ARG_OFFSETS:
            self._args[_ARG_OFFSETS[offset]] = value
        elif offset in self._other:
            self._other[offset] = value
        else:
            raise ValueError(f"write to 0x{offset:02x}: not a writable register of s_axi_control")

    def read(self, offset: int) -> int:
        if offset == regmap.CTRL:
            ctrl = (regmap.AP_DONE if self._done else 0) | (0 if self._busy else regmap.AP_IDLE)
            self._done = False  # clear on read
            return ctrl
        if offset in _ARG_OFFSETS:
            return self._args[_ARG_OFFSETS[offset]]
        if offset in _OUT_OFFSETS:
            return self._outputs[_OUT_OFFSETS[offset]]
        if offset in _VLD_OFFSETS:
            valid, self._valid[_VLD_OFFSETS[offset]] = self._valid[_VLD_OFFSETS[offset]], 0
            return valid
        if offset in self._other:
            return self._other[offset]
        raise ValueError(f"read of 0x{offset:02x}: not a register of s_axi_control")

    def stream(self, send: np.ndarray, recv_beats: int) -> None:
        self._send = np.asarray(send, dtype=np.uint64).copy()
        self._recv_beats = int(recv_beats)
        self._received = np.zeros(0, dtype=np.uint64)

    def wait(self, timeout_s: float) -> int:
        ctrl = self.read(regmap.CTRL)
        if ctrl & regmap.AP_DONE:
            return ctrl
        # The operation already ran as far as it can: a core still busy now stays busy, so
        # waiting longer cannot change the answer.
        raise TimeoutError(f"no ap_done within {timeout_s:g} s: {regmap.describe_ctrl(ctrl)}, "
                           f"{self._stuck}")

    def received(self) -> np.ndarray:
        return self._received.copy()

    def reset(self) -> None:
        self._busy = False
        self._done = False
        self._stuck = ""
        self._outputs = dict.fromkeys(regmap.OUTPUTS, 0)
        self._valid = dict.fromkeys(regmap.OUTPUTS, 0)
        self.stream(np.zeros(0, dtype=np.uint64), 0)
