"""Quantization of a float LSTM or GRU to the contract's number format (ARCHITECTURE.md §3),
and the quantized model file (docs/MODELS.md). What differs between the cells (their biases) is
in sharp.cells; this module holds what both share."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import cells, golden
from .config import CONTRACT_VERSION, HF, STATE_FORMATS, ZF
from .fixedpoint import TensorQuantization, frac_for, quantize_tensor
from .model import (FORMAT_VERSION, MODELS, RecurrentModel, bool_field, check_reader,
                    check_no_extra, check_sequence, file_cell, file_kind, int_field, npz_path,
                    output_layout, read_npz)
from .state import TORCH_NAMES, TorchConvention, run_layers

MAX_WEIGHT_FRAC = 24
MAX_INPUT_FRAC = 15
MAX_SHIFT = 40
DEFAULT_INPUT_FRAC = 11  # |x| < 16 when no calibration data is given
WEIGHT_TENSORS = ("w_ih", "w_hh")  # the float weights a cell is quantized from, torch's names
REPORT_KEYS = ("saturated", "zeroed", "max_abs")  # per cell, one value per tensor of tensors()
CELL_KEYS = ("w_x", "w_h", "frac_x", "frac_wx", "frac_wh", *REPORT_KEYS)  # and the biases


def tensors(cell: str) -> tuple[str, ...]:
    """The tensors a quantized cell of this type reports on: the weights, then its Q.16 biases
    (LSTM bias; GRU bias, bias_hn)."""
    return (*WEIGHT_TENSORS, *cells.cell_module(cell).BIAS_TENSORS)


@dataclass
class QuantizedCell:
    """One layer and direction of either cell type, R = Q·H rows (sharp.cells)."""
    w_x: np.ndarray   # (R, I) int16 values, torch gate order
    w_h: np.ndarray   # (R, H) int16 values
    # the fields named by the cell's BIAS_TENSORS hold its Q.16 int32 biases (sharp.cells)
    bias: np.ndarray  # (R,) int32 values, Q.16: the bias phase A adds (b_ih + b_hh; GRU: no b_hn)
    frac_x: int       # fractional bits of this layer's input
    frac_wx: int
    frac_wh: int
    # what quantizing each float tensor (tensors(kind)) lost; empty for a cell built from integers
    quantization: dict = field(default_factory=dict)
    kind: str = "lstm"                # the cell type, a key of sharp.cells.CELLS
    bias_hn: np.ndarray | None = None  # GRU only: (H,) int32 b_hn, Q.16

    @property
    def gates(self) -> int:
        return cells.gates(self.kind)

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
    def from_float(cls, weights, kind: str, frac_x: int, name: str = "") -> "QuantizedCell":
        """weights: torch's float tensors of one layer and direction (sharp.model.CellWeights)."""
        frac_wx = max(frac_for(np.max(np.abs(weights.w_ih)), MAX_WEIGHT_FRAC), ZF - frac_x)
        frac_wh = frac_for(np.max(np.abs(weights.w_hh)), MAX_WEIGHT_FRAC)
        w_x, qx = quantize_tensor(f"{name}w_ih", weights.w_ih, frac_wx)
        w_h, qh = quantize_tensor(f"{name}w_hh", weights.w_hh, frac_wh)
        report = {"w_ih": qx, "w_hh": qh}
        biases = {}
        for tensor, values in cells.cell_module(kind).float_biases(weights).items():
            ints, report[tensor] = quantize_tensor(f"{name}{tensor}", values, ZF, bits=32,
                                                   fixed_scale=True)
            biases[tensor] = ints.astype(np.int32)
        return cls(w_x=w_x.astype(np.int16), w_h=w_h.astype(np.int16), frac_x=frac_x,
                   frac_wx=frac_wx, frac_wh=frac_wh, quantization=report, kind=kind, **biases)


class QuantizedModel(TorchConvention):
    """A quantized model of one cell type, `cell`: the golden model the accelerator must
    reproduce bit for bit. sharp.QuantizedLSTM and sharp.QuantizedGRU are its two kinds.

    batch_first is the batch layout, as in the float model it came from. calibration_max_abs
    is the largest |x| of the calibration data that set the input scale (None: the default
    scale). Called as torch's module, q(x, state) gives (outputs, final state) (sharp.state);
    forward(x) the outputs alone. After each call, last_input says what quantizing that input
    clipped or zeroed, and last_state the same of the initial state's tensors (h0, c0)."""

    cell = ""  # set by each subclass

    def __init__(self, input_size: int, hidden_size: int, layers: list[list[QuantizedCell]],
                 batch_first: bool = True, calibration_max_abs: float | None = None):
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.layers = layers
        self.batch_first = bool(batch_first)
        self.calibration_max_abs = calibration_max_abs
        self.last_input: TensorQuantization | None = None
        self.last_state: dict[str, TensorQuantization] = {}

    def __repr__(self) -> str:
        return (f"sharp.{type(self).__name__}(input_size={self.input_size}, hidden_size="
                f"{self.hidden_size}, num_layers={self.num_layers}, bidirectional="
                f"{self.num_directions == 2}, batch_first={self.batch_first}, input range "
                f"[{self.input_range[0]:g}, {self.input_range[1]:g}])")

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_directions(self) -> int:
        return len(self.layers[0])

    @property
    def input_frac(self) -> int:
        return self.layers[0][0].frac_x

    @property
    def input_range(self) -> tuple[float, float]:
        """The inputs int16 at input_frac holds; values beyond saturate."""
        return -(2.0 ** (15 - self.input_frac)), (2 ** 15 - 1) / 2.0 ** self.input_frac

    @property
    def scale_source(self) -> str:
        """What set the input scale, in words."""
        if self.calibration_max_abs is None and self.input_frac == DEFAULT_INPUT_FRAC:
            return "the default (no calibration data)"
        if self.calibration_max_abs is None:
            return f"the model's own choice ({self.input_frac} fractional bits; no calibration data)"
        return f"calibration data with largest |x| {self.calibration_max_abs:.6g}"

    @property
    def calibration(self) -> str:
        """The input range and where it came from, in words."""
        lo, hi = self.input_range
        return (f"input range [{lo:g}, {hi:g}] ({self.input_frac} fractional bits), set by "
                f"{self.scale_source}")

    @classmethod
    def from_float(cls, model: RecurrentModel, calibration=None) -> "QuantizedModel":
        """Quantize a float model of this cell type; warns (SaturationWarning) for every tensor
        that loses values."""
        if not isinstance(model, RecurrentModel) or model.cell != cls.cell:
            what = (f"a sharp.{type(model).__name__}" if isinstance(model, RecurrentModel)
                    else type(model).__name__)
            raise TypeError(f"sharp.{cls.__name__}.from_float takes a float "
                            f"sharp.{MODELS[cls.cell].__name__}; got {what}")
        max_abs = None
        if calibration is None:
            frac_x = DEFAULT_INPUT_FRAC
        else:
            cal, _ = check_sequence(calibration, model.input_size, model.batch_first)
            max_abs = float(np.max(np.abs(cal)))
            frac_x = frac_for(max_abs, MAX_INPUT_FRAC)
            _, report = quantize_tensor("calibration data", cal, frac_x)
            report.warn("the calibration data's largest values set the input scale; "
                        "an outlier there costs every input its precision", stacklevel=3)
        layers = []
        for li, dirs in enumerate(model.layers):
            fx = frac_x if li == 0 else HF
            layers.append([QuantizedCell.from_float(w, cls.cell, fx, f"l{li}_d{d}_")
                           for d, w in enumerate(dirs)])
        q = cls(model.input_size, model.hidden_size, layers, model.batch_first, max_abs)
        q.warn_weights(stacklevel=3)
        return q

    def warn_weights(self, advice: str = "", stacklevel: int = 2) -> None:
        for report in self.weight_quantization.values():
            report.warn(advice, stacklevel=stacklevel + 1)

    @property
    def weight_quantization(self) -> dict[str, TensorQuantization]:
        """What quantizing each weight and bias tensor lost, by name (l0_d0_w_hh, ...)."""
        return {r.name: r for dirs in self.layers for cell in dirs
                for r in cell.quantization.values()}

    @property
    def saturated(self) -> dict:
        """Values that saturated while quantizing the weights, per tensor."""
        return {name: r.saturated for name, r in self.weight_quantization.items()}

    @property
    def zeroed(self) -> dict:
        """Nonzero weights that became 0 while quantizing, per tensor."""
        return {name: r.zeroed for name, r in self.weight_quantization.items()}

    @property
    def last_input_saturated(self) -> int:
        return self.last_input.saturated if self.last_input is not None else 0

    def quantize_input(self, x) -> tuple[np.ndarray, bool]:
        """Float (T, I) or a batch in the model's layout -> int16 (B, T, I), the accelerator's
        order, and whether x was batched. Warns (SaturationWarning) when values saturate or
        vanish; last_input holds the counts."""
        seq, batched = check_sequence(x, self.input_size, self.batch_first)
        return self.quantize_sequences(seq), batched

    def quantize_sequences(self, seq: np.ndarray) -> np.ndarray:
        """quantize_input of checked (B, T, I) floats."""
        ints, self.last_input = quantize_tensor("input", seq, self.input_frac)
        self.last_input.warn(f"the input scale was set by {self.scale_source}; calibrate on "
                             "data that covers the inputs", stacklevel=4)
        return ints.astype(np.int16)

    def quantize_state(self, tensors: tuple) -> tuple[np.ndarray, ...]:
        """The initial state's float tensors (sharp.state.check_state) -> h int16 in Q.15 and c
        int32 in Q.20 of 25 bits, saturating; warns (SaturationWarning) for values clipped, and
        last_state holds the counts."""
        names = cells.cell_module(self.cell).STATE
        out, self.last_state = [], {}
        for name, values in zip(names, tensors):
            form = STATE_FORMATS[name]
            ints, report = quantize_tensor(TORCH_NAMES[name], values, form.frac, bits=form.bits,
                                           fixed_scale=True)  # the contract fixes the scale
            report.warn(f"the contract holds {name} in {form.bits} bits with {form.frac} "
                        "fractional bits", stacklevel=4)
            self.last_state[TORCH_NAMES[name]] = report
            out.append(ints.astype(form.dtype))
        return tuple(out)

    def output_layout(self, out: np.ndarray, batched: bool) -> np.ndarray:
        """(B, T, F) results in the caller's layout (the inverse of quantize_input)."""
        return output_layout(out, batched, self.batch_first)

    def run_int(self, x_int: np.ndarray) -> np.ndarray:
        """Integer forward: (B, T, I) int16 -> (B, T, H*dirs) int16 in Q.15."""
        return self._carried(x_int, None, None)[0]

    def forward(self, x, raw: bool = False) -> np.ndarray:
        x_int, batched = self.quantize_input(x)
        return self.output_layout(self._decode_out(self.run_int(x_int), raw), batched)

    # sharp.state.TorchConvention's hooks: int16 inputs and states, as the accelerator's
    def _encode(self, x, initial):
        """Float (B, T, I) (or None) and state tensors (or None) -> int16, and what saturated:
        {tensor name: count} of the input and the state's tensors, nonzero counts only."""
        x_int = None if x is None else self.quantize_sequences(x)
        state = None if initial is None else self.quantize_state(initial)
        reports = ({"input": self.last_input} if x is not None else {}) | (
            self.last_state if initial is not None else {})
        return x_int, state, {name: r.saturated for name, r in reports.items() if r.saturated}

    def _carried(self, x_int, lengths, initial, want_final=True, saturation=None):
        return run_layers(self.layers, x_int, lengths, initial,
                          lambda k, cell, seq, init, n: golden.run_cell_carried(cell, seq, init, n))

    def _decode_out(self, out: np.ndarray, raw: bool) -> np.ndarray:
        return out if raw else out.astype(np.float64) / (1 << HF)

    def _decode_state(self, final: tuple, raw: bool) -> tuple:
        names = cells.cell_module(self.cell).STATE
        return final if raw else tuple(s.astype(np.float64) / (1 << STATE_FORMATS[n].frac)
                                       for n, s in zip(names, final))

    # -- the quantized model file ----------------------------------------------------------
    def save(self, path):
        """int16 weights, int32 biases, every scale and the quantization losses; no pickle.
        Returns the path written (.npz appended when missing)."""
        arrays = {"format_version": np.array(FORMAT_VERSION), "kind": np.array("quantized"),
                  "cell": np.array(self.cell), "contract_version": np.array(CONTRACT_VERSION),
                  "input_size": np.array(self.input_size),
                  "hidden_size": np.array(self.hidden_size),
                  "num_layers": np.array(self.num_layers),
                  "num_directions": np.array(self.num_directions),
                  "batch_first": np.array(self.batch_first)}
        if self.calibration_max_abs is not None:
            arrays["calibration_max_abs"] = np.array(self.calibration_max_abs)
        for li, dirs in enumerate(self.layers):
            for d, cell in enumerate(dirs):
                p = f"l{li}_d{d}_"
                arrays.update({p + "w_x": _as_int(cell.w_x, 16), p + "w_h": _as_int(cell.w_h, 16),
                               **{p + t: _as_int(getattr(cell, t), 32)
                                  for t in cells.cell_module(self.cell).BIAS_TENSORS},
                               p + "frac_x": np.array(cell.frac_x),
                               p + "frac_wx": np.array(cell.frac_wx),
                               p + "frac_wh": np.array(cell.frac_wh)})
                if cell.quantization:
                    reports = [cell.quantization[t] for t in tensors(self.cell)]
                    arrays[p + "saturated"] = np.array([r.saturated for r in reports])
                    arrays[p + "zeroed"] = np.array([r.zeroed for r in reports])
                    arrays[p + "max_abs"] = np.array([r.max_abs for r in reports])
        target = npz_path(path)
        np.savez(target, **arrays)
        return target

    @classmethod
    def load(cls, path) -> "QuantizedModel":
        """A quantized model file of this cell type (from save or `sharp quantize`); a file of
        the other cell type is refused. Repeats the file's quantization warnings, so a deployed
        model's losses stay visible."""
        data = read_npz(path)
        check_reader(path, data, "quantized", cls.cell)
        q = cls.from_arrays(data, path)
        q.warn_weights(f"recorded in {path} when it was quantized", stacklevel=2)
        return q

    @classmethod
    def from_arrays(cls, data: dict, path) -> "QuantizedModel":
        # A file's integers hold the number format of its contract version (ARCHITECTURE.md §3)
        version = int_field(data, "contract_version", path)
        first = cells.cell_module(cls.cell).SAME_BITS_SINCE
        if not first <= version <= CONTRACT_VERSION:
            raise ValueError(f"{path} was quantized for contract version {version}; this host "
                             f"speaks version {CONTRACT_VERSION} and reads {cls.cell.upper()} "
                             f"files of versions {first}..{CONTRACT_VERSION} (version {first} "
                             "changed the number format): quantize the float model again")
        n_in = int_field(data, "input_size", path, 1)
        hidden = int_field(data, "hidden_size", path, 1)
        num_layers = int_field(data, "num_layers", path, 1)
        dirs = int_field(data, "num_directions", path, 1, 2)
        expected = {"format_version", "kind", "cell", "contract_version", "input_size",
                    "hidden_size", "num_layers", "num_directions", "batch_first", "calibration_max_abs"}
        max_abs = None
        if "calibration_max_abs" in data:
            arr = data["calibration_max_abs"]
            if arr.shape != () or arr.dtype.kind != "f" or not np.isfinite(arr) or arr < 0:
                raise ValueError(f"{path}: calibration_max_abs must be a finite float >= 0, "
                                 f"found {arr!r}")
            max_abs = float(arr)
        layers = []
        for li in range(num_layers):
            row = []
            for d in range(dirs):
                p = f"l{li}_d{d}_"
                row.append(_cell_from_arrays(data, path, p, cls.cell, li, hidden,
                                             n_in if li == 0 else hidden * dirs))
                expected.update(p + k for k in (*CELL_KEYS, *tensors(cls.cell)))
            layers.append(row)
        check_no_extra(data, expected, path, f"num_layers={num_layers} and num_directions={dirs}")
        return cls(n_in, hidden, layers, bool_field(data, "batch_first", path, default=True),
                   max_abs)


def _as_int(values: np.ndarray, bits: int) -> np.ndarray:
    return np.asarray(values).astype(np.int16 if bits == 16 else np.int32)


def _int_tensor(data: dict, path, key: str, shape: tuple, bits: int) -> np.ndarray:
    if key not in data:
        raise ValueError(f"{path} is not a valid SHARP quantized model: missing {key}")
    arr = data[key]
    want = np.dtype(np.int16 if bits == 16 else np.int32)
    if arr.dtype != want:
        raise ValueError(f"{path}: {key} must be {want}, found dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{path}: {key} has shape {arr.shape}, expected {shape}")
    return arr


def _cell_from_arrays(data, path, p: str, kind: str, layer: int, hidden: int,
                      n_in: int) -> QuantizedCell:
    rows = cells.gates(kind) * hidden
    w_x = _int_tensor(data, path, p + "w_x", (rows, n_in), 16)
    w_h = _int_tensor(data, path, p + "w_h", (rows, hidden), 16)
    biases = {t: _int_tensor(data, path, p + t, (per_unit * hidden,), 32)
              for t, per_unit in cells.cell_module(kind).BIAS_TENSORS.items()}
    if layer == 0:
        frac_x = int_field(data, p + "frac_x", path, 0, MAX_INPUT_FRAC)
    else:  # a later layer's input is the previous layer's h, in Q.15
        frac_x = int_field(data, p + "frac_x", path, HF, HF)
    frac_wx = int_field(data, p + "frac_wx", path, max(0, ZF - frac_x),
                        min(MAX_WEIGHT_FRAC, MAX_SHIFT + ZF - frac_x))
    frac_wh = int_field(data, p + "frac_wh", path, 0, MAX_WEIGHT_FRAC)
    report = {}
    names = tensors(kind)
    counts = [data.get(p + k) for k in REPORT_KEYS]
    if any(c is not None for c in counts):
        if any(c is None or c.shape != (len(names),) or c.dtype.kind not in "fiu"
               for c in counts):
            raise ValueError(f"{path}: {', '.join(p + k for k in REPORT_KEYS)} must each hold "
                             f"{len(names)} numbers ({', '.join(names)})")
        quantized = {"w_ih": (w_x, frac_wx, 16), "w_hh": (w_h, frac_wh, 16),
                     **{t: (values, ZF, 32) for t, values in biases.items()}}
        for t, tensor in enumerate(names):
            values, frac, bits = quantized[tensor]
            report[tensor] = TensorQuantization(
                f"{p}{tensor}", values.size, int(counts[0][t]), int(counts[1][t]), frac, bits,
                float(counts[2][t]), fixed_scale=bits == 32)
    return QuantizedCell(w_x=w_x, w_h=w_h, frac_x=frac_x, frac_wx=frac_wx, frac_wh=frac_wh,
                         quantization=report, kind=kind, **biases)


class QuantizedLSTM(QuantizedModel):
    """A quantized LSTM (sharp.LSTM.quantize)."""
    cell = "lstm"


class QuantizedGRU(QuantizedModel):
    """A quantized GRU (sharp.GRU.quantize)."""
    cell = "gru"


QUANTIZED_MODELS: dict[str, type[QuantizedModel]] = {"lstm": QuantizedLSTM, "gru": QuantizedGRU}


def load(path) -> RecurrentModel | QuantizedModel:
    """Any model file, by its kind and cell: sharp.LSTM, sharp.GRU, sharp.QuantizedLSTM or
    sharp.QuantizedGRU."""
    data = read_npz(path)
    version, kind = file_kind(data, path)
    cell = file_cell(data, path, version)
    if kind == "quantized":
        q = QUANTIZED_MODELS[cell].from_arrays(data, path)
        q.warn_weights(f"recorded in {path} when it was quantized", stacklevel=2)
        return q
    return MODELS[cell].from_arrays(data, path)
