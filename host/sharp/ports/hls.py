"""HlsCsimPort: a sharp.ports.Port on the HLS C simulation, so the driver, sharp.Accelerator and
the CLI can run on the HLS kernels exactly as on the RTL or a board.

One testbench process (hls/tb/sharp_tb.cpp reading operations from a pipe) lives as long as
the port, so the kernel's static weight, bias and table buffers persist across operations and
across reset, like BRAM. Each ap_start sends the argument registers (all of sharp.regmap.ARGUMENTS,
`cell` included) and the armed input beats (TLAST on the last) as one operation and reads back
its output beats and registers.
"""
from __future__ import annotations

import subprocess
import tempfile

from .. import program, regmap
from ..config import HardwareConfig
from ..hls_csim import (RESULT_HEADER, VECTOR_HEADER, Outcome, Transaction, build, operation_text,
                        parse_outcome)
from .operation import OperationPort


class HlsCsimPort(OperationPort):
    def __init__(self, config: HardwareConfig | None = None):
        self.config = config or HardwareConfig()
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen([str(build(config)), "-", "-"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self._proc.stdin.write(VECTOR_HEADER + "\n")
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().strip()
        if header != RESULT_HEADER:
            raise RuntimeError(f"the HLS C simulation started with {header!r}, not "
                               f"{RESULT_HEADER!r}: {self._log()}")
        super().__init__()

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            self._proc.wait(timeout=10)
            self._proc.stdout.close()

    def __del__(self):
        if hasattr(self, "_proc"):
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the core -------------------------------------------------------------------------
    def _start(self) -> None:
        outcome = self._execute(Transaction(program.Operation(dict(self._args), self._send)))
        if outcome.stuck:
            self._busy = True
            self._stuck = f"waiting for in_stream beat {outcome.stuck[0]} of {outcome.stuck[1]}"
            return
        if len(outcome.beats) > self._recv_beats:
            self._busy = True
            self._stuck = f"out_stream blocked after {self._recv_beats} of {len(outcome.beats)} beats"
            return
        self._received = outcome.beats
        self._outputs = dict(outcome.regs)
        self._valid = dict.fromkeys(regmap.OUTPUTS, 1)
        self._done = True

    def _execute(self, transaction: Transaction) -> Outcome:
        if self._proc.poll() is not None:
            raise RuntimeError(f"the HLS C simulation has exited ({self._proc.returncode}): {self._log()}")
        self._proc.stdin.write(operation_text(transaction))
        self._proc.stdin.flush()
        lines = [self._line() for _ in range(4)]  # result, regs/stuck, leftover, recv <m>
        lines += [self._line() for _ in range(int(lines[3].split()[1]))]
        outcome, _ = parse_outcome(" ".join(lines).split(), 0)
        return outcome

    def _line(self) -> str:
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the HLS C simulation stopped mid-operation: {self._log()}")
        return line

    def _log(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().strip() or "(no message)"
