"""Float recurrent models in numpy (sharp.LSTM, sharp.GRU), equal to torch.nn.LSTM and
torch.nn.GRU, and their .npz file format (docs/MODELS.md). The cell-specific float math is in
sharp.cells; this module holds what both cells share."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .cells import CELL_NAMES, cell_module
from .state import TorchConvention, check_sequence, layout_name, output_layout, run_layers

# 1: float models, always batch-first, no `kind`. 2: adds `kind` and `batch_first`.
# 3: adds `cell` ("lstm" or "gru"); files of 1 and 2 are LSTMs.
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
KINDS = ("float", "quantized")
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class CellWeights:
    """One layer, one direction, in torch's layout and gate order (LSTM i, f, g, o; GRU r, z, n),
    R = Q·H rows."""
    w_ih: np.ndarray  # (R, I)
    w_hh: np.ndarray  # (R, H)
    b_ih: np.ndarray  # (R,)
    b_hh: np.ndarray  # (R,)


# -- files ------------------------------------------------------------------------------------
def _head(path: Path) -> bytes:
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    with open(path, "rb") as f:
        return f.read(16)


def _pickle_refused(exc: Exception) -> bool:
    return "pickle" in str(exc)


def read_npz(path) -> dict[str, np.ndarray]:
    """Every array of a SHARP model file (.npz), never unpickling; errors name the file."""
    path = Path(path)
    head = _head(path)
    what = "a valid SHARP model file (.npz archive)"
    if head.startswith(NPY_MAGIC):
        raise ValueError(f"{path} is not {what}: it is a single .npy array")
    if not head.startswith(ZIP_MAGIC):
        raise ValueError(f"{path} is not {what}: it does not start like a zip archive "
                         f"(its first bytes are {head[:8]!r})")
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except Exception as exc:  # zipfile, truncated data, object arrays
        reason = ("it holds Python objects (pickled data), which sharp never loads"
                  if _pickle_refused(exc) else str(exc))
        raise ValueError(f"{path} is not {what}: {reason}") from None


def read_npy(path, what: str = "input") -> np.ndarray:
    """One numeric array from an .npy file; an .npz or a text file is named as such."""
    path = Path(path)
    try:
        head = _head(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{what} file {path} does not exist") from None
    if head.startswith(ZIP_MAGIC):
        try:
            with np.load(path, allow_pickle=False) as f:
                names = list(f.files)
        except Exception:
            names = []
        if "format_version" in names:
            raise ValueError(f"{path} is a SHARP model file (.npz), not an {what} array (.npy): "
                             "pass it as --model")
        raise ValueError(f"{path} is an .npz archive (arrays: {', '.join(names) or 'none'}), not "
                         f"a readable .npy array; save the {what} with np.save(path, array)")
    if not head.startswith(NPY_MAGIC):
        raise ValueError(f"{path} is not a readable .npy array: it does not start with the .npy "
                         f"header (its first bytes are {head[:8]!r}); save it with np.save")
    try:
        return np.load(path, allow_pickle=False)
    except Exception as exc:
        reason = ("it holds Python objects (pickled data), which sharp never loads"
                  if _pickle_refused(exc) else str(exc))
        raise ValueError(f"{path} is not a readable .npy array: {reason}") from None


def _show(arr: np.ndarray) -> str:
    text = repr(arr.tolist()) if arr.size <= 4 else f"an array of shape {arr.shape}"
    return f"{text} (dtype {arr.dtype})"


def int_field(data: dict, key: str, path, lo: int | None = None, hi: int | None = None) -> int:
    """A scalar integer entry of a model file, in lo..hi."""
    if key not in data:
        raise ValueError(f"{path} is not a valid SHARP model file: missing {key}")
    arr = data[key]
    if arr.shape != () or arr.dtype.kind not in "iub":
        raise ValueError(f"{path}: {key} must be an integer scalar, found {_show(arr)}")
    value = int(arr)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise ValueError(f"{path}: {key}={value} is outside {bounds}")
    return value


def bool_field(data: dict, key: str, path, default: bool) -> bool:
    return bool(int_field(data, key, path, 0, 1)) if key in data else default


def file_kind(data: dict, path) -> tuple[int, str]:
    """(format_version, kind) of a model file's arrays: kind "float" or "quantized"."""
    if "format_version" not in data:
        raise ValueError(f"{path} is not a SHARP model file: missing format_version (it holds "
                         f"{', '.join(sorted(data)[:6]) or 'no arrays'})")
    version = int_field(data, "format_version", path)
    if version not in READABLE_VERSIONS:
        raise ValueError(f"{path} has format_version {version}; this version of sharp reads "
                         f"{', '.join(map(str, READABLE_VERSIONS))}")
    if version == 1:
        return version, "float"
    kind = data.get("kind")
    if kind is None or kind.shape != () or kind.dtype.kind != "U" or str(kind) not in KINDS:
        found = "nothing" if kind is None else _show(kind)
        raise ValueError(f"{path}: kind must be one of {', '.join(KINDS)}, found {found}")
    return version, str(kind)


def file_cell(data: dict, path, version: int) -> str:
    """The cell type of a model file ("lstm" or "gru"); files before format 3 are LSTMs."""
    if version < 3:
        return "lstm"
    cell = data.get("cell")
    if cell is None or cell.shape != () or cell.dtype.kind != "U" or str(cell) not in CELL_NAMES:
        found = "nothing" if cell is None else _show(cell)
        raise ValueError(f"{path}: cell must be one of {', '.join(CELL_NAMES)}, found {found}")
    return str(cell)


def class_name(kind: str, cell: str) -> str:
    """The class that holds a model of this kind and cell: sharp.GRU, sharp.QuantizedLSTM, ..."""
    return f"sharp.{'Quantized' if kind == 'quantized' else ''}{cell.upper()}"


def check_reader(path, data: dict, kind: str, cell: str) -> None:
    """Refuse a model file that is not of this kind ("float" or "quantized") and cell, naming
    what the file holds and the class that reads it."""
    version, found_kind = file_kind(data, path)
    found_cell = file_cell(data, path, version)
    reader = class_name(kind, cell)
    if found_cell != cell:
        raise ValueError(f"{path} holds a {found_cell.upper()} model (cell {found_cell!r}), and "
                         f"{reader}.load reads {cell.upper()} models (cell {cell!r}); load it "
                         f"with {class_name(found_kind, found_cell)}.load, or with sharp.load, "
                         "which reads any model file")
    if found_kind == kind:
        return
    if kind == "float":
        raise ValueError(f"{path} is a quantized model file; load it with "
                         f"{class_name(found_kind, cell)}.load or sharp.load")
    raise ValueError(f"{path} is a float model file; quantize it first: "
                     f"{class_name(found_kind, cell)}.load(path).quantize(calibration=...) or "
                     "`sharp quantize`")


def npz_path(path):
    """The file np.savez writes for path: it appends .npz when the name lacks it. An open file
    is returned as it is."""
    if not isinstance(path, (str, os.PathLike)):
        return path
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def check_no_extra(data: dict, expected: set, path, counts: str) -> None:
    extra = sorted(set(data) - expected)
    if extra:
        raise ValueError(f"{path} holds arrays that {counts} do not account for: "
                         f"{', '.join(extra[:6])}{', ...' if len(extra) > 6 else ''}; the file "
                         "is inconsistent (is num_layers or num_directions wrong?)")


# -- torch modules ----------------------------------------------------------------------------
def _torch_class_name(module) -> str:
    cls = type(module)
    try:
        import torch
        if getattr(torch.nn, cls.__name__, None) is cls:
            return f"torch.nn.{cls.__name__}"
    except ImportError:
        pass
    return f"{cls.__module__}.{cls.__qualname__}"


def _wrong_module(model_cls, module) -> str:
    """What from_torch got and what it takes, with the way to what the user meant."""
    takes = cell_module(model_cls.cell).TORCH_CLASS
    text = (f"sharp.{model_cls.__name__}.from_torch takes a torch.nn.{takes}; got "
            f"{_torch_class_name(module)}")
    by_torch_class = {cell_module(c).TORCH_CLASS: c for c in CELL_NAMES}
    kind = type(module).__name__
    if kind in by_torch_class:
        text += (f". Pass it to sharp.{MODELS[by_torch_class[kind]].__name__}.from_torch, which "
                 f"takes a torch.nn.{kind}")
    elif kind == "RNN":
        text += (". RNN layers are not supported yet; SHARP runs LSTM and GRU layers "
                 "(sharp.LSTM.from_torch, sharp.GRU.from_torch)")
    elif kind.endswith("Cell") and kind[:-4] in by_torch_class:
        layer = kind[:-4]
        text += (f". A {kind} is one step of one layer: copy its weights into an "
                 f"nn.{layer}(input_size, hidden_size) (weight_ih_l0, weight_hh_l0, bias_ih_l0, "
                 f"bias_hh_l0) and pass that to sharp.{MODELS[by_torch_class[layer]].__name__}"
                 ".from_torch")
    children = getattr(module, "named_modules", None)
    if children is not None:
        inner = [(n, type(m).__name__) for n, m in children()
                 if n and type(m).__name__ in by_torch_class]
        if inner:
            name, layer = inner[0]
            text += (f". It contains an nn.{layer} at '{name}': pass that submodule to "
                     f"sharp.{MODELS[by_torch_class[layer]].__name__}.from_torch")
    return text


# -- the models -------------------------------------------------------------------------------
class RecurrentModel(TorchConvention):
    """A (possibly stacked, possibly bidirectional) float recurrent model of one cell type,
    `cell` (a key of sharp.cells.CELLS); sharp.LSTM and sharp.GRU are its two kinds.

    batch_first says how a batch is laid out, as in torch: True (B, T, I), False (T, B, I).
    A single sequence is (T, I) in both. Called as torch's module, out, (h_n, c_n) = m(x, (h0, c0))
    for an LSTM and out, h_n = m(x, h0) for a GRU (sharp.state); forward(x) gives the outputs."""

    cell = ""  # set by each subclass

    def __init__(self, input_size: int, hidden_size: int, layers: list[list[CellWeights]],
                 batch_first: bool = True):
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.layers = layers
        self.batch_first = bool(batch_first)
        self._validate()

    def __repr__(self) -> str:
        return (f"sharp.{type(self).__name__}(input_size={self.input_size}, hidden_size="
                f"{self.hidden_size}, num_layers={self.num_layers}, bidirectional="
                f"{self.bidirectional}, batch_first={self.batch_first})")

    @property
    def gates(self) -> int:
        """Q: the gate rows per hidden unit (R = Q·H rows per matrix)."""
        return cell_module(self.cell).GATES

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def bidirectional(self) -> bool:
        return len(self.layers[0]) == 2

    @property
    def num_directions(self) -> int:
        return len(self.layers[0])

    def layer_input_size(self, layer: int) -> int:
        return self.input_size if layer == 0 else self.hidden_size * self.num_directions

    def _validate(self) -> None:
        if self.input_size < 1 or self.hidden_size < 1:
            raise ValueError(f"input_size={self.input_size} and hidden_size={self.hidden_size} "
                             "must both be >= 1")
        if not self.layers or len({len(d) for d in self.layers}) != 1 or len(self.layers[0]) not in (1, 2):
            raise ValueError("every layer must have the same number of directions, 1 or 2")
        h, rows = self.hidden_size, self.gates * self.hidden_size
        for li, dirs in enumerate(self.layers):
            n_in = self.layer_input_size(li)
            for di, weights in enumerate(dirs):
                want = {"w_ih": (rows, n_in), "w_hh": (rows, h), "b_ih": (rows,), "b_hh": (rows,)}
                for name, shape in want.items():
                    arr = getattr(weights, name)
                    if arr.shape != shape:
                        raise ValueError(f"layer {li} direction {di}: {name} has shape {arr.shape}, "
                                         f"expected {shape} for a {self.cell.upper()} "
                                         f"({self.gates}·{h} rows)")
                    if not np.all(np.isfinite(arr)):
                        raise ValueError(f"layer {li} direction {di}: {name} contains NaN or Inf")

    @classmethod
    def random(cls, input_size: int, hidden_size: int, num_layers: int = 1,
               bidirectional: bool = False, seed: int = 0, batch_first: bool = True):
        """torch's default initialisation: U(-1/sqrt(H), 1/sqrt(H)) for every tensor."""
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(hidden_size)
        rows = cell_module(cls.cell).GATES * hidden_size
        dirs = 2 if bidirectional else 1
        layers = []
        for li in range(num_layers):
            n_in = input_size if li == 0 else hidden_size * dirs
            layers.append([CellWeights(*(rng.uniform(-bound, bound, s) for s in (
                (rows, n_in), (rows, hidden_size), (rows,), (rows,)))) for _ in range(dirs)])
        return cls(input_size, hidden_size, layers, batch_first)

    @classmethod
    def from_torch(cls, module):
        """The weights and the batch layout (batch_first) of a torch.nn.LSTM (sharp.LSTM) or
        torch.nn.GRU (sharp.GRU)."""
        try:
            import torch
        except ImportError:
            raise TypeError(_wrong_module(cls, module) + " (and torch is not installed)") from None
        if not isinstance(module, getattr(torch.nn, cell_module(cls.cell).TORCH_CLASS)):
            raise TypeError(_wrong_module(cls, module))
        torch_name = _torch_class_name(module)
        if getattr(module, "proj_size", 0):
            raise ValueError(f"{torch_name} with proj_size={module.proj_size} is not "
                             "supported: SHARP runs LSTMs without a projection, proj_size=0")
        if not module.bias:
            raise ValueError(f"{torch_name} with bias=False is not supported: SHARP takes "
                             "layers with both biases, bias=True")
        dirs = 2 if module.bidirectional else 1
        layers = []
        for li in range(module.num_layers):
            cells = []
            for d in range(dirs):
                sfx = f"l{li}" + ("_reverse" if d else "")
                get = lambda n: getattr(module, f"{n}_{sfx}").detach().cpu().double().numpy().copy()
                cells.append(CellWeights(get("weight_ih"), get("weight_hh"), get("bias_ih"),
                                         get("bias_hh")))
            layers.append(cells)
        return cls(module.input_size, module.hidden_size, layers, module.batch_first)

    def forward(self, x) -> np.ndarray:
        """Float forward pass from zeros: (T, I) -> (T, H*dirs); a batch keeps the model's
        layout, (B, T, I) -> (B, T, H*dirs) batch-first or (T, B, I) -> (T, B, H*dirs)
        time-major. A call, model(x, state), also gives the final state (sharp.state)."""
        seq, batched = check_sequence(x, self.input_size, self.batch_first)
        return output_layout(self._carried(seq, None, None)[0], batched, self.batch_first)

    # sharp.state.TorchConvention's hooks: float inputs and states as they are
    def _encode(self, x, initial):
        return x, initial, {}

    def _carried(self, x, lengths, initial, want_final=True, saturation=None):
        float_layer = cell_module(self.cell).float_layer
        return run_layers(self.layers, x, lengths, initial,
                          lambda k, w, seq, init, n: float_layer(w, seq, init, n))

    def _decode_out(self, out, raw: bool):
        if raw:
            raise ValueError("raw=True gives a quantized model's int16 values; a float model "
                             "has none (quantize it first: model.quantize(calibration))")
        return out

    _decode_state = _decode_out

    def save(self, path):
        """The float model file (docs/MODELS.md); returns the path written (.npz appended)."""
        arrays = {"format_version": np.array(FORMAT_VERSION), "kind": np.array("float"),
                  "cell": np.array(self.cell),
                  "input_size": np.array(self.input_size),
                  "hidden_size": np.array(self.hidden_size),
                  "num_layers": np.array(self.num_layers),
                  "num_directions": np.array(self.num_directions),
                  "batch_first": np.array(self.batch_first)}
        for li, dirs in enumerate(self.layers):
            for d, weights in enumerate(dirs):
                for name in ("w_ih", "w_hh", "b_ih", "b_hh"):
                    arrays[f"l{li}_d{d}_{name}"] = getattr(weights, name)
        target = npz_path(path)
        np.savez(target, **arrays)
        return target

    @classmethod
    def load(cls, path):
        """A float model file of this cell type; a quantized one is refused (load it with
        sharp.load), and so is a file of the other cell type."""
        data = read_npz(path)
        check_reader(path, data, "float", cls.cell)
        return cls.from_arrays(data, path)

    @classmethod
    def from_arrays(cls, data: dict, path):
        """The float model held by a model file's arrays (read with read_npz)."""
        need = ("input_size", "hidden_size", "num_layers", "num_directions")
        missing = [k for k in need if k not in data]
        if missing:
            raise ValueError(f"{path} is not a SHARP model file: missing {', '.join(missing)}")
        sizes = {k: int_field(data, k, path, 1) for k in need}
        int_field(data, "num_directions", path, 1, 2)
        layers, expected = [], {"format_version", "kind", "cell", "batch_first", *need}
        for li in range(sizes["num_layers"]):
            cells = []
            for d in range(sizes["num_directions"]):
                keys = [f"l{li}_d{d}_{n}" for n in ("w_ih", "w_hh", "b_ih", "b_hh")]
                absent = [k for k in keys if k not in data]
                if absent:
                    raise ValueError(f"{path} is not a valid SHARP model: missing {', '.join(absent)}")
                for k in keys:
                    if data[k].dtype.kind not in "fiu":
                        raise ValueError(f"{path}: {k} must be a float array, found dtype "
                                         f"{data[k].dtype}")
                cells.append(CellWeights(*(data[k].astype(np.float64) for k in keys)))
                expected.update(keys)
            layers.append(cells)
        check_no_extra(data, expected, path, f"num_layers={sizes['num_layers']} and "
                                             f"num_directions={sizes['num_directions']}")
        try:
            return cls(sizes["input_size"], sizes["hidden_size"], layers,
                       bool_field(data, "batch_first", path, default=True))
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    def quantize(self, calibration=None):
        """The fixed-point model (sharp.QuantizedLSTM or sharp.QuantizedGRU). calibration:
        representative inputs in this model's layout; they set the input scale. Without them
        the input range is [-16, 16). Saturated or zeroed values raise a
        sharp.SaturationWarning."""
        from .quantized import QUANTIZED_MODELS
        return QUANTIZED_MODELS[self.cell].from_float(self, calibration)


class LSTM(RecurrentModel):
    """A float LSTM equal to torch.nn.LSTM (gate order i, f, g, o)."""
    cell = "lstm"


class GRU(RecurrentModel):
    """A float GRU equal to torch.nn.GRU (gate order r, z, n; b_hn inside r's product)."""
    cell = "gru"


MODELS: dict[str, type[RecurrentModel]] = {"lstm": LSTM, "gru": GRU}
