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
from .dispatcher import Plan, check_batch, plan as make_plan, run_registers
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
        """RUN of one sequence, (T, I) int16, or of a batch of B sequences of one length,
        (B, T, I) (ARCHITECTURE.md §6, "Batched RUNs"). initial: the state to start from, (h,)
        or (h, c), each (H,) for one sequence or (B, H) for a batch, h int16 and c int32 of 25
        bits (STATE_IN); final_state: out_stream ends with each sequence's state buffer
        (STATE_OUT). ARCHITECTURE.md §8."""
        if isinstance(x_int, (list, tuple)):
            lengths = sorted({len(s) for s in x_int})
            if len(lengths) > 1:
                raise ValueError(f"the sequences of one RUN must have one length (ARCHITECTURE.md "
                                 f"§6, \"Batched RUNs\"), got lengths {lengths}; "
                                 "sharp.Accelerator splits sequences of different lengths")
        x_int = np.asarray(x_int)
        single = x_int.ndim == 2
        x = x_int[None] if single else x_int
        if x.ndim != 3 or x.shape[2] != self.cell.input_size:
            raise ValueError(f"x has shape {x_int.shape}; a RUN takes (T, I) or (B, T, I) with "
                             f"I = {self.cell.input_size}")
        batch, steps = x.shape[:2]
        p = self.plan
        check_batch(p.config, batch)
        regs = run_registers(p, self.cell.shift_x, self.cell.shift_h, self.wx_base,
                             self.wh_base, self.bias_base)
        regs.update(steps=steps, batch=batch,
                    state=((regmap.STATE_IN if initial is not None else 0)
                           | (regmap.STATE_OUT if final_state else 0)))
        # the items in order: x_t of sequences 0..B-1, then x_{t+1}
        send = stream.sequence_beats(x.transpose(1, 0, 2).reshape(steps * batch, -1))
        if initial is not None:
            names = cell_module(self.cell.kind).STATE
            if len(initial) != len(names):
                raise ValueError(f"the initial state of a {self.cell.kind} layer is "
                                 f"({', '.join(names)}), got {len(initial)} tensors")
            states = []
            for name, values in zip(names, initial):
                values = np.asarray(values)
                want = (self.cell.hidden_size,) if single else (batch, self.cell.hidden_size)
                if values.shape != want:
                    raise ValueError(f"the initial {name} has shape {values.shape}; this RUN of "
                                     f"{batch} sequence(s) needs {want}")
                states.append(values.reshape(batch, -1))
            send = np.concatenate([*(stream.state_beats(tuple(s[b] for s in states), names)
                                     for b in range(batch)), send])
        beats_h = ceil_div(p.hidden_size, 4)
        trailer = state_beats(p.hidden_size, self.cell.kind)[1] if final_state else 0
        return Operation(regs, send, batch * (steps * beats_h + trailer))


def layer_image(config: HardwareConfig, cell, mode: int, steps: int = 1, group_x=None,
                group_h=None, wx_base: int = 0, bias_base: int = 0, word_budget=None,
                batch: int = 1) -> LayerImage:
    p = make_plan(config, cell.input_size, cell.hidden_size, steps, mode, group_x, group_h,
                  word_budget, cell.kind, batch)
    return LayerImage(cell, p, wx_base, bias_base)


def decode_hidden(beats: np.ndarray, steps: int, hidden: int, batch: int | None = None
                  ) -> np.ndarray:
    """out_stream beats of a RUN -> (T, H) int16 for one sequence (batch None), or (B, T, H)
    for a RUN of `batch` sequences, whose beats come item by item (h_t of sequences 0..B-1)."""
    h = stream.unpack_int16(beats, steps * (batch or 1), hidden)
    return h if batch is None else h.reshape(steps, batch, hidden).transpose(1, 0, 2)


def decode_final_state(beats: np.ndarray, steps: int, hidden: int, cell: str,
                       batch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """out_stream beats of a RUN with STATE_OUT -> (the hidden states as decode_hidden gives
    them, the state buffers: c_{T-1} of an LSTM (int32), h_{T-1} of a GRU (int16), (H,) for one
    sequence or (B, H) for a batch)."""
    beats_h = ceil_div(hidden, 4)
    n = batch or 1
    beats = np.asarray(beats, dtype="<u8")
    form = STATE_FORMATS[cell_module(cell).STATE[-1]]
    trailer = beats[n * steps * beats_h:].reshape(n, -1)
    states = np.stack([stream.unpack_elements(t, hidden, form.dtype) for t in trailer])
    return (decode_hidden(beats[:n * steps * beats_h], steps, hidden, batch),
            states[0] if batch is None else states)

