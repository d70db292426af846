"""Quantization of a float LSTM to the contract's number format (ARCHITECTURE.md §3)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import golden
from .config import HF, ZF
from .fixedpoint import frac_for, quantize
from .model import LSTM, check_sequence

MAX_WEIGHT_FRAC = 24
MAX_INPUT_FRAC = 15
DEFAULT_INPUT_FRAC = 11  # |x| < 16 when no calibration data is given


@dataclass
class QuantizedCell:
    w_x: np.ndarray   # (4H, I) int16 values, torch gate order
    w_h: np.ndarray   # (4H, H) int16 values
    bias: np.ndarray  # (4H,) int32 values, Q.12
    frac_x: int       # fractional bits of this layer's input
    frac_wx: int
    frac_wh: int
    saturated: dict = field(default_factory=dict)

    @property
    def input_size(self) -> int:
        return self.w_x.shape[1]

    @property
    def hidden_size(self) -> int:
        return self.w_h.shape[1]

    @property
    def shift_x(self) -> int:
        return self.frac_x + self.frac_wx - ZF

    @property
    def shift_h(self) -> int:
        return HF + self.frac_wh - ZF

    @classmethod
    def from_float(cls, cell, frac_x: int) -> "QuantizedCell":
        frac_wx = max(frac_for(np.max(np.abs(cell.w_ih)), MAX_WEIGHT_FRAC), ZF - frac_x)
        frac_wh = frac_for(np.max(np.abs(cell.w_hh)), MAX_WEIGHT_FRAC)
        w_x, sat_x = quantize(cell.w_ih, frac_wx)
        w_h, sat_h = quantize(cell.w_hh, frac_wh)
        bias, sat_b = quantize(cell.b_ih + cell.b_hh, ZF, bits=32)
        return cls(w_x, w_h, bias, frac_x, frac_wx, frac_wh,
                   {"w_ih": sat_x, "w_hh": sat_h, "bias": sat_b})


class QuantizedLSTM:
    """A quantized LSTM: the golden model the accelerator must reproduce bit for bit."""

    def __init__(self, input_size: int, hidden_size: int, layers: list[list[QuantizedCell]]):
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.layers = layers
        self.last_input_saturated = 0

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_directions(self) -> int:
        return len(self.layers[0])

    @property
    def input_frac(self) -> int:
        return self.layers[0][0].frac_x

    @classmethod
    def from_float(cls, model: LSTM, calibration=None) -> "QuantizedLSTM":
        if calibration is None:
            frac_x = DEFAULT_INPUT_FRAC
        else:
            cal, _ = check_sequence(calibration, model.input_size)
            frac_x = frac_for(float(np.max(np.abs(cal))), MAX_INPUT_FRAC)
        layers = []
        for li, dirs in enumerate(model.layers):
            fx = frac_x if li == 0 else HF
            layers.append([QuantizedCell.from_float(cell, fx) for cell in dirs])
        return cls(model.input_size, model.hidden_size, layers)

    @property
    def saturated(self) -> dict:
        """Values that saturated while quantizing the weights, per tensor."""
        out = {}
        for li, dirs in enumerate(self.layers):
            for d, cell in enumerate(dirs):
                for name, count in cell.saturated.items():
                    out[f"l{li}_d{d}_{name}"] = count
        return out

    def quantize_input(self, x) -> tuple[np.ndarray, bool]:
        """Float (T, I) or (B, T, I) -> int16 (B, T, I); counts saturated values."""
        seq, batched = check_sequence(x, self.input_size)
        ints, self.last_input_saturated = quantize(seq, self.input_frac)
        return ints.astype(np.int16), batched

    def run_int(self, x_int: np.ndarray) -> np.ndarray:
        """Integer forward: (B, T, I) int16 -> (B, T, H*dirs) int16 in Q.15."""
        seq = x_int
        for dirs in self.layers:
            outs = [golden.run_cell(c, seq[:, ::-1] if d else seq) for d, c in enumerate(dirs)]
            seq = np.concatenate([o[:, ::-1] if d else o for d, o in enumerate(outs)], axis=-1)
        return seq

    def forward(self, x, raw: bool = False) -> np.ndarray:
        x_int, batched = self.quantize_input(x)
        out = self.run_int(x_int)
        if not raw:
            out = out.astype(np.float64) / (1 << HF)
        return out if batched else out[0]

    __call__ = forward
