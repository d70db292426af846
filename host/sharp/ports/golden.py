"""GoldenPort: a software model of sharp_top at the register and stream level.

It decodes the same operations the hardware receives, computes RUN results with the golden
model (sharp.golden) and reports counters from sharp.cycle_model, so the driver, the host
orchestration and their error paths can run without a simulator or a board.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import golden, regmap, stream
from ..cells import CELLS, cell_by_code
from ..config import STATE_FORMATS, HardwareConfig
from ..cycle_model import ceil_div, estimate, matrix_words, state_beats
from .operation import OperationPort
from ..packing import deinterleave_gates, unpack
from ..tables import TABLE_SIZE

CELL_CODES = {module.CODE for module in CELLS.values()}
STATE_FLAGS = regmap.STATE_IN | regmap.STATE_OUT


class GoldenPort(OperationPort):
    def __init__(self, config: HardwareConfig):
        self.config = config
        self._weights = np.zeros((config.weight_depth, config.macs), dtype=np.int16)
        self._bias = np.zeros((config.bias_depth, 4), dtype=np.int32)
        self._sig = np.zeros(TABLE_SIZE, dtype=np.int64)
        self._tanh = np.zeros(TABLE_SIZE, dtype=np.int64)
        super().__init__()

    # -- the core -------------------------------------------------------------------------
    def _start(self) -> None:
        a = self._args
        counters = dict.fromkeys(("cycles", "active", "issue_cycles", "stall_input",
                                  "stall_dependency", "stall_output"), 0)
        status = 0
        if a["opcode"] not in regmap.OPCODE_NAMES:
            status = regmap.STATUS_BAD_OPCODE
        elif not self._args_ok(a):
            status = regmap.STATUS_BAD_ARGS
        else:
            need = self._beats_needed(a)
            sent = len(self._send)
            if sent < need:
                # TLAST came early (or never came): the core keeps waiting for the rest.
                self._busy = True
                self._stuck = f"waiting for in_stream beat {sent} of {need}"
                return
            if sent > need:
                status |= regmap.STATUS_MISSING_TLAST
            out, counters = self._execute(a, self._send[:need])
            if len(out) > self._recv_beats:
                self._busy = True
                self._stuck = (f"out_stream blocked after {self._recv_beats} of {len(out)} "
                               "beats")
                return
            self._received = out
        self._finish(status, counters)

    def _finish(self, status: int, counters: dict) -> None:
        c = self.config
        cycles, active = counters["cycles"], counters["active"]
        self._outputs.update(
            cycles_lo=cycles & 0xFFFFFFFF, cycles_hi=cycles >> 32,
            active_lo=active & 0xFFFFFFFF, active_hi=active >> 32,
            issue_cycles=counters["issue_cycles"], stall_input=counters["stall_input"],
            stall_dependency=counters["stall_dependency"], stall_output=counters["stall_output"],
            status=status, build_info=c.build_info(), capacity_info=c.capacity_info(),
            weight_depth=c.weight_depth, bias_depth=c.bias_depth, max_batch=c.max_batch)
        self._valid = dict.fromkeys(regmap.OUTPUTS, 1)
        self._done = True

    def _args_ok(self, a: dict) -> bool:
        c = self.config
        op = a["opcode"]
        if op == regmap.OP_LOAD_WEIGHTS:
            return a["load_count"] >= 1 and a["load_base"] + a["load_count"] <= c.weight_depth
        if op == regmap.OP_LOAD_BIAS:
            return a["load_count"] >= 1 and a["load_base"] + a["load_count"] <= c.bias_depth
        if op != regmap.OP_RUN:
            return True
        i, h = a["input_size"], a["hidden_size"]
        if not (1 <= i <= c.max_input and 1 <= h <= c.max_hidden and a["steps"] >= 1
                and a["mode"] in (0, 1) and a["cell"] in CELL_CODES and a["state"] <= STATE_FLAGS
                and 1 <= a["batch"] <= c.max_batch
                and a["group_x"] <= c.max_group
                and a["group_h"] <= c.max_group and a["shift_x"] <= regmap.MAX_SHIFT
                and a["shift_h"] <= regmap.MAX_SHIFT):
            return False
        rows = cell_by_code(a["cell"]).GATES * h
        words_x = matrix_words(c, rows, i, a["group_x"])
        words_h = matrix_words(c, rows, h, a["group_h"])
        return (a["wx_base"] + words_x <= c.weight_depth and a["wh_base"] + words_h <= c.weight_depth
                and a["bias_base"] + h <= c.bias_depth)

    def _beats_needed(self, a: dict) -> int:
        op = a["opcode"]
        if op == regmap.OP_LOAD_WEIGHTS:
            return a["load_count"] * self.config.macs // 4
        if op == regmap.OP_LOAD_BIAS:
            return a["load_count"] * 2
        if op == regmap.OP_LOAD_TABLES:
            return 2 * TABLE_SIZE // 4
        if op == regmap.OP_RUN:
            return a["batch"] * (self._state_in(a) + a["steps"] * ceil_div(a["input_size"], 4))
        return 0

    @staticmethod
    def _state_in(a: dict) -> int:
        """S_in: the initial state's beats of this RUN (0 without STATE_IN)."""
        if not a["state"] & regmap.STATE_IN:
            return 0
        return state_beats(a["hidden_size"], cell_by_code(a["cell"]).NAME)[0]

    def _execute(self, a: dict, beats: np.ndarray) -> tuple[np.ndarray, dict]:
        op = a["opcode"]
        none = np.zeros(0, dtype=np.uint64)
        # A load consumes one beat per cycle; the contract defines no other load timing.
        counters = dict.fromkeys(("active", "issue_cycles", "stall_input", "stall_dependency",
                                  "stall_output"), 0)
        counters["cycles"] = len(beats)
        if op == regmap.OP_LOAD_WEIGHTS:
            words = beats.view("<i2").reshape(a["load_count"], self.config.macs)
            self._weights[a["load_base"]:a["load_base"] + a["load_count"]] = words
        elif op == regmap.OP_LOAD_BIAS:
            units = beats.view("<i4").reshape(a["load_count"], 4)
            self._bias[a["load_base"]:a["load_base"] + a["load_count"]] = units
        elif op == regmap.OP_LOAD_TABLES:
            values = beats.view("<i2").astype(np.int64)
            self._sig, self._tanh = values[:TABLE_SIZE].copy(), values[TABLE_SIZE:].copy()
        elif op == regmap.OP_RUN:
            return self._run(a, beats)
        return none, counters

    def _run(self, a: dict, beats: np.ndarray) -> tuple[np.ndarray, dict]:
        c = self.config
        i, h, steps = a["input_size"], a["hidden_size"], a["steps"]
        kind = cell_by_code(a["cell"])
        q = kind.GATES
        rows = q * h
        words_x = matrix_words(c, rows, i, a["group_x"])
        words_h = matrix_words(c, rows, h, a["group_h"])
        w_x = unpack(self._weights[a["wx_base"]:a["wx_base"] + words_x], rows, i, a["group_x"], c)
        w_h = unpack(self._weights[a["wh_base"]:a["wh_base"] + words_h], rows, h, a["group_h"], c)
        units = self._bias[a["bias_base"]:a["bias_base"] + h]   # (H, 4): slots by gate
        cell = SimpleNamespace(kind=kind.NAME, w_x=deinterleave_gates(w_x, q),
                               w_h=deinterleave_gates(w_h, q), bias=units[:, :q].T.reshape(-1),
                               bias_hn=units[:, 3].copy(), shift_x=a["shift_x"],
                               shift_h=a["shift_h"], hidden_size=h)
        batch = a["batch"]
        s_in = self._state_in(a)
        initial = None
        if s_in:   # sequence b's state, then b + 1's (ARCHITECTURE.md §8)
            initial, at = [[] for _ in kind.STATE], 0
            for _ in range(batch):
                for k, name in enumerate(kind.STATE):
                    n = stream.state_tensor_beats(name, h)
                    initial[k].append(stream.unpack_elements(beats[at:at + n], h,
                                                             STATE_FORMATS[name].dtype))
                    at += n
            initial = [np.stack(t) for t in initial]
        # the items in order, x_t of sequences 0..B-1, then x_{t+1}: (T, B, I) -> (B, T, I)
        x = stream.unpack_int16(beats[batch * s_in:], steps * batch, i)
        x = x.reshape(steps, batch, i).transpose(1, 0, 2)
        hidden, final = golden.run_cell_carried(cell, x, initial, sig=self._sig,
                                                tanh=self._tanh)
        state_in, state_out = bool(a["state"] & regmap.STATE_IN), bool(a["state"] & regmap.STATE_OUT)
        est = estimate(c, i, h, steps, a["group_x"], a["group_h"], a["mode"], kind.NAME,
                       state_in, state_out, batch)
        counters = {"cycles": est.cycles, "active": est.active_lane_cycles,
                    "issue_cycles": est.issue_cycles, "stall_input": est.stall_input,
                    "stall_dependency": est.stall_dependency, "stall_output": 0}
        out = stream.pack_int16(hidden.transpose(1, 0, 2).reshape(steps * batch, h))
        if state_out:   # each sequence's state buffer: c_{T-1} of an LSTM, h_{T-1} of a GRU
            out = np.concatenate([out, *(stream.final_state_beats(final[-1][b], kind.NAME)
                                         for b in range(batch))])
        return out, counters
