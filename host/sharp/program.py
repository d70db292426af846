"""A layer as the accelerator sees it: the operations (registers + stream beats) that load and run it.

RTL tests, the HLS testbench and the host driver all build their transactions from here, so
the three speak one protocol (ARCHITECTURE.md §7-8).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import regmap, stream
from .cells import cell_module
from .config import STATE_FORMATS, HardwareConfig
from .cycle_model import ceil_div, state_beats
from .dispatcher import Plan, plan as make_plan, run_registers
from .packing import bias_units, interleave_gates, pack
from .tables import TABLE_SIZE


@dataclass
class Operation:
    """One ap_start: argument registers, beats to send, beats expected back."""
    args: dict
    send: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    recv_beats: int = 0

    @property
    def name(self) -> str:
        return regmap.OPCODE_NAMES[self.args["opcode"]]


def _args(opcode: int, **values) -> dict:
    args = dict.fromkeys(regmap.ARGUMENTS, 0)
    args.update(values, opcode=opcode)
    return args


def info() -> Operation:
    return Operation(_args(regmap.OP_INFO))


def load_tables(sig=None, tanh=None) -> Operation:
    beats = stream.table_beats(sig, tanh)
    return Operation(_args(regmap.OP_LOAD_TABLES, load_count=2 * TABLE_SIZE), beats)


def load_weights(words: np.ndarray, base: int) -> Operation:
    return Operation(_args(regmap.OP_LOAD_WEIGHTS, load_base=base, load_count=len(words)),
                     stream.weight_beats(words))


def load_bias(units: np.ndarray, base: int) -> Operation:
    return Operation(_args(regmap.OP_LOAD_BIAS, load_base=base, load_count=len(units)),
                     stream.bias_beats(units))


@dataclass
class LayerImage:
    """A quantized cell packed for one plan, and where it lives in the buffers."""
    cell: object  # sharp.quantized.QuantizedCell, of either cell type
    plan: Plan
    wx_base: int = 0
    bias_base: int = 0

    @property
    def wh_base(self) -> int:
        return self.wx_base + self.plan.words_x

    @property
    def words(self) -> int:
        return self.plan.words

    def load_operations(self) -> list[Operation]:
        cfg = self.plan.config
        q = self.cell.gates
        wx = pack(interleave_gates(self.cell.w_x, q), self.plan.group_x, cfg)
        wh = pack(interleave_gates(self.cell.w_h, q), self.plan.group_h, cfg)
        return [load_weights(np.concatenate([wx, wh]), self.wx_base),
                load_bias(bias_units(self.cell), self.bias_base)]

    def run(self, x_int: np.ndarray, initial: tuple | None = None,
            final_state: bool = False) -> Operation:
        """RUN of one sequence: (T, I) int16. initial: the state to start from, (h,) or (h, c)
        of H values each, h int16 and c int32 of 25 bits (STATE_IN); final_state: out_stream ends with the state buffer
        (STATE_OUT). ARCHITECTURE.md §8, "Carried state"."""
        steps = x_int.shape[0]
        p = self.plan
        regs = run_registers(p, self.cell.shift_x, self.cell.shift_h, self.wx_base,
                             self.wh_base, self.bias_base)
        regs["steps"] = steps
        regs["state"] = ((regmap.STATE_IN if initial is not None else 0)
                         | (regmap.STATE_OUT if final_state else 0))
        send = stream.sequence_beats(x_int)
        if initial is not None:
            names = cell_module(self.cell.kind).STATE
            if len(initial) != len(names):
                raise ValueError(f"the initial state of a {self.cell.kind} layer is "
                                 f"({', '.join(names)}), got {len(initial)} tensors")
            send = np.concatenate([stream.state_beats(initial, names), send])
        beats_h = ceil_div(p.hidden_size, 4)
        trailer = state_beats(p.hidden_size, self.cell.kind)[1] if final_state else 0
        return Operation(regs, send, steps * beats_h + trailer)


def layer_image(config: HardwareConfig, cell, mode: int, steps: int = 1, group_x=None,
                group_h=None, wx_base: int = 0, bias_base: int = 0, word_budget=None) -> LayerImage:
    p = make_plan(config, cell.input_size, cell.hidden_size, steps, mode, group_x, group_h,
                  word_budget, cell.kind)
    return LayerImage(cell, p, wx_base, bias_base)


def decode_hidden(beats: np.ndarray, steps: int, hidden: int) -> np.ndarray:
    """out_stream beats of a RUN -> (T, H) int16."""
    return stream.unpack_int16(beats, steps, hidden)


def decode_final_state(beats: np.ndarray, steps: int, hidden: int, cell: str
                       ) -> tuple[np.ndarray, np.ndarray]:
    """out_stream beats of a RUN with STATE_OUT -> ((T, H) int16 hidden states, (H,) state
    buffer: c_{T-1} of an LSTM (int32), h_{T-1} of a GRU (int16))."""
    beats_h = ceil_div(hidden, 4)
    beats = np.asarray(beats, dtype="<u8")
    buffered = cell_module(cell).STATE[-1]
    return (stream.unpack_int16(beats[:steps * beats_h], steps, hidden),
            stream.unpack_elements(beats[steps * beats_h:], hidden,
                                   STATE_FORMATS[buffered].dtype))

