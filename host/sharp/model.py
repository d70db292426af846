"""Float LSTM reference in numpy, equal to torch.nn.LSTM, and its .npz file format."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1


@dataclass
class LSTMCellWeights:
    """One layer, one direction, in torch's layout and gate order (i, f, g, o)."""
    w_ih: np.ndarray  # (4H, I)
    w_hh: np.ndarray  # (4H, H)
    b_ih: np.ndarray  # (4H,)
    b_hh: np.ndarray  # (4H,)


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def check_sequence(x, input_size: int) -> tuple[np.ndarray, bool]:
    """Validate a (T, I) or (B, T, I) float input; returns (B, T, I) float64 and whether batched."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu":
        raise ValueError(f"input dtype {arr.dtype} is not numeric; expected a float array")
    if arr.ndim not in (2, 3):
        raise ValueError(f"input has shape {arr.shape}; expected (T, {input_size}) or "
                         f"(B, T, {input_size})")
    if arr.shape[-1] != input_size:
        raise ValueError(f"input feature size {arr.shape[-1]} does not match the model's "
                         f"input_size {input_size}")
    if arr.shape[-2] == 0 or (arr.ndim == 3 and arr.shape[0] == 0):
        raise ValueError(f"input has shape {arr.shape}; it needs at least one sequence and step")
    bad = ~np.isfinite(arr.astype(np.float64))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"input contains NaN or Inf ({np.count_nonzero(bad)} values, first at "
                         f"index {where})")
    batched = arr.ndim == 3
    return (arr if batched else arr[None]).astype(np.float64), batched


class LSTM:
    """A (possibly stacked, possibly bidirectional) LSTM, batch-first."""

    def __init__(self, input_size: int, hidden_size: int, layers: list[list[LSTMCellWeights]]):
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.layers = layers
        self._validate()

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
        h = self.hidden_size
        for li, dirs in enumerate(self.layers):
            n_in = self.layer_input_size(li)
            for di, cell in enumerate(dirs):
                want = {"w_ih": (4 * h, n_in), "w_hh": (4 * h, h), "b_ih": (4 * h,), "b_hh": (4 * h,)}
                for name, shape in want.items():
                    arr = getattr(cell, name)
                    if arr.shape != shape:
                        raise ValueError(f"layer {li} direction {di}: {name} has shape {arr.shape}, "
                                         f"expected {shape}")
                    if not np.all(np.isfinite(arr)):
                        raise ValueError(f"layer {li} direction {di}: {name} contains NaN or Inf")

    @classmethod
    def random(cls, input_size: int, hidden_size: int, num_layers: int = 1,
               bidirectional: bool = False, seed: int = 0) -> "LSTM":
        """torch's default initialisation: U(-1/sqrt(H), 1/sqrt(H)) for every tensor."""
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(hidden_size)
        dirs = 2 if bidirectional else 1
        layers = []
        for li in range(num_layers):
            n_in = input_size if li == 0 else hidden_size * dirs
            layers.append([LSTMCellWeights(*(rng.uniform(-bound, bound, s) for s in (
                (4 * hidden_size, n_in), (4 * hidden_size, hidden_size),
                (4 * hidden_size,), (4 * hidden_size,)))) for _ in range(dirs)])
        return cls(input_size, hidden_size, layers)

    @classmethod
    def from_torch(cls, module) -> "LSTM":
        if getattr(module, "proj_size", 0):
            raise ValueError(f"proj_size={module.proj_size} is not supported; the limit is 0")
        if not module.bias:
            raise ValueError("LSTM without bias is not supported: bias=False")
        dirs = 2 if module.bidirectional else 1
        layers = []
        for li in range(module.num_layers):
            cells = []
            for d in range(dirs):
                sfx = f"l{li}" + ("_reverse" if d else "")
                get = lambda n: getattr(module, f"{n}_{sfx}").detach().cpu().double().numpy().copy()
                cells.append(LSTMCellWeights(get("weight_ih"), get("weight_hh"), get("bias_ih"),
                                             get("bias_hh")))
            layers.append(cells)
        return cls(module.input_size, module.hidden_size, layers)

    def forward(self, x) -> np.ndarray:
        """Float forward pass: (T, I) -> (T, H*dirs) or (B, T, I) -> (B, T, H*dirs)."""
        seq, batched = check_sequence(x, self.input_size)
        for dirs in self.layers:
            outs = [_run_float_cell(c, seq[:, ::-1] if d else seq) for d, c in enumerate(dirs)]
            seq = np.concatenate([o[:, ::-1] if d else o for d, o in enumerate(outs)], axis=-1)
        return seq if batched else seq[0]

    __call__ = forward

    def save(self, path) -> None:
        arrays = {"format_version": np.array(FORMAT_VERSION), "input_size": np.array(self.input_size),
                  "hidden_size": np.array(self.hidden_size),
                  "num_layers": np.array(self.num_layers),
                  "num_directions": np.array(self.num_directions)}
        for li, dirs in enumerate(self.layers):
            for d, cell in enumerate(dirs):
                for name in ("w_ih", "w_hh", "b_ih", "b_hh"):
                    arrays[f"l{li}_d{d}_{name}"] = getattr(cell, name)
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path) -> "LSTM":
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as f:
                data = {k: f[k] for k in f.files}
        except FileNotFoundError:
            raise
        except Exception as exc:  # zipfile, pickle refusal, truncated data
            raise ValueError(f"{path} is not a valid SHARP model file (.npz): {exc}") from None
        need = ("format_version", "input_size", "hidden_size", "num_layers", "num_directions")
        missing = [k for k in need if k not in data]
        if missing:
            raise ValueError(f"{path} is not a SHARP model file: missing {', '.join(missing)}")
        if int(data["format_version"]) != FORMAT_VERSION:
            raise ValueError(f"{path} has format_version {int(data['format_version'])}; "
                             f"this version reads {FORMAT_VERSION}")
        layers = []
        for li in range(int(data["num_layers"])):
            cells = []
            for d in range(int(data["num_directions"])):
                keys = [f"l{li}_d{d}_{n}" for n in ("w_ih", "w_hh", "b_ih", "b_hh")]
                absent = [k for k in keys if k not in data]
                if absent:
                    raise ValueError(f"{path} is not a valid SHARP model: missing {', '.join(absent)}")
                cells.append(LSTMCellWeights(*(data[k].astype(np.float64) for k in keys)))
            layers.append(cells)
        return cls(int(data["input_size"]), int(data["hidden_size"]), layers)

    def quantize(self, calibration=None):
        from .quantized import QuantizedLSTM
        return QuantizedLSTM.from_float(self, calibration)


def _run_float_cell(cell: LSTMCellWeights, x: np.ndarray) -> np.ndarray:
    """x: (B, T, I) -> h: (B, T, H)."""
    batch, steps, _ = x.shape
    hidden = cell.w_hh.shape[1]
    xproj = x @ cell.w_ih.T + (cell.b_ih + cell.b_hh)
    h = np.zeros((batch, hidden))
    c = np.zeros((batch, hidden))
    out = np.empty((batch, steps, hidden))
    for t in range(steps):
        z = xproj[:, t] + h @ cell.w_hh.T
        i, f, g, o = np.split(z, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        out[:, t] = h
    return out
