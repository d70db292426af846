"""sharp.Accelerator: load a quantized LSTM and run sequences on a backend.

The host orchestrates stacked and bidirectional models cell by cell (one cell = one layer, one
direction). Cells stay resident at different buffer bases when they fit together; otherwise
each cell's weights are reloaded before its runs.
"""
from __future__ import annotations

from dataclasses import dataclass, asdict

import numpy as np
from tqdm import tqdm

from .backends import open_port
from .config import HF, HardwareConfig
from .cycle_model import OVERLAPPED
from .dispatcher import MODE_NAMES, plan as make_plan
from .driver import Counters, Driver
from .port import Port
from .program import LayerImage, decode_hidden, load_tables
from .quantized import QuantizedLSTM


@dataclass(frozen=True)
class RunStats:
    """Hardware counters summed over the RUN operations of the last run()."""
    sequences: int
    runs: int
    cycles: int
    active_lane_cycles: int
    issue_cycles: int
    stall_input: int
    stall_dependency: int
    stall_output: int
    macs: int

    @classmethod
    def total(cls, counters: list[Counters], sequences: int, macs: int) -> "RunStats":
        fields = ("cycles", "active_lane_cycles", "issue_cycles", "stall_input",
                  "stall_dependency", "stall_output")
        return cls(sequences, len(counters), macs=macs,
                   **{f: sum(getattr(c, f) for c in counters) for f in fields})

    @property
    def utilization(self) -> float:
        """Useful MACs over the MAC lane-cycles the runs occupied."""
        return self.active_lane_cycles / (self.cycles * self.macs)

    @property
    def stalls(self) -> dict:
        return {"input": self.stall_input, "dependency": self.stall_dependency,
                "output": self.stall_output}

    def projected_ms(self, clock_mhz: float) -> float:
        """Time the counted cycles take at this clock."""
        if not clock_mhz > 0:
            raise ValueError(f"clock_mhz={clock_mhz} must be > 0")
        return self.cycles / (clock_mhz * 1e3)

    def as_dict(self) -> dict:
        return {**asdict(self), "utilization": self.utilization}


class Accelerator:
    def __init__(self, backend: str | Port = "golden", config: HardwareConfig | None = None,
                 bitstream=None, mode: int = OVERLAPPED, group_x: int | None = None,
                 group_h: int | None = None, timeout_s: float = 10.0, progress: bool = True):
        if mode not in MODE_NAMES:
            raise ValueError(f"mode={mode} is not one of {sorted(MODE_NAMES)} "
                             f"({', '.join(f'{k} {v}' for k, v in MODE_NAMES.items())})")
        if not timeout_s > 0:
            raise ValueError(f"timeout_s={timeout_s} must be > 0")
        port = open_port(backend, config, bitstream) if isinstance(backend, str) else backend
        self.backend = backend if isinstance(backend, str) else type(backend).__name__
        self.driver = Driver(port)
        self.timeout_s = timeout_s
        self.config = self.driver.read_config(timeout_s)
        if config is not None and config != self.config:
            raise ValueError(f"the host config {config} does not match the hardware's build "
                             f"{self.config} (read with INFO)")
        self.mode, self.group_x, self.group_h = mode, group_x, group_h
        self.progress = progress
        self.model: QuantizedLSTM | None = None
        self.images: list[LayerImage] = []
        self.resident = False
        self.stats: RunStats | None = None
        self._forget_buffers()

    # -- loading --------------------------------------------------------------------------
    def load(self, model: QuantizedLSTM, steps_hint: int = 16) -> None:
        """Place and load a quantized model; steps_hint is the sequence length the grouping is
        chosen for (the cycle model depends on it a little; results do not)."""
        if not isinstance(model, QuantizedLSTM):
            raise TypeError(f"load() takes a sharp.QuantizedLSTM, not {type(model).__name__}; "
                            "quantize a float model first: model.quantize(calibration)")
        cells = [cell for dirs in model.layers for cell in dirs]
        images, resident = self._place(cells, steps_hint)
        self.model, self.images, self.resident = model, images, resident
        self._loaded = set()  # the tables, if loaded, stay valid
        for k in range(len(images) if resident else 1):
            self._ensure_loaded(k)

    def _place(self, cells: list, steps: int) -> tuple[list[LayerImage], bool]:
        """All cells resident one after the other, each planned within the words still free;
        when they do not fit together, every cell at base 0, reloaded before its runs."""
        c = self.config
        images, wx_base, bias_base = [], 0, 0
        for cell in cells:
            if bias_base + cell.hidden_size > c.bias_depth or wx_base >= c.weight_depth:
                break
            try:
                p = self._plan(cell, steps, c.weight_depth - wx_base)
            except ValueError:
                break
            images.append(LayerImage(cell, p, wx_base, bias_base))
            wx_base += p.words
            bias_base += cell.hidden_size
        else:
            return images, True
        return [LayerImage(cell, self._plan(cell, steps, None)) for cell in cells], False

    def _plan(self, cell, steps: int, budget: int | None):
        return make_plan(self.config, cell.input_size, cell.hidden_size, steps, self.mode,
                         self.group_x, self.group_h, budget)

    def _forget_buffers(self) -> None:
        self._loaded: set[int] = set()
        self._tables_loaded = False
        self._resets_seen = self.driver.resets

    def _ensure_loaded(self, k: int) -> None:
        if self.driver.resets != self._resets_seen:
            # A reset may have cut a load short: trust nothing that was loaded before it.
            self._forget_buffers()
        if not self._tables_loaded:
            self.driver.execute(load_tables(), self.timeout_s)
            self._tables_loaded = True
        if k in self._loaded:
            return
        if not self.resident:
            self._loaded.clear()  # every cell lives at base 0
        for op in self.images[k].load_operations():
            self.driver.execute(op, self.timeout_s)
        self._loaded.add(k)

    @property
    def needs_reload(self) -> bool:
        """True after a reset, until the next run() reloads the model."""
        return self.driver.resets != self._resets_seen

    # -- running --------------------------------------------------------------------------
    def run(self, x, raw: bool = False) -> np.ndarray:
        """x: float (T, I) -> h (T, H*dirs); a batch in the model's layout, (B, T, I) or (T, B, I)
        (model.batch_first), gives h in the same layout. raw=True gives int16 Q.15."""
        if self.model is None:
            raise RuntimeError("no model is loaded: call load(quantized_model) first")
        x_int, batched = self.model.quantize_input(x)
        batch = x_int.shape[0]
        counters: list[Counters] = []
        seq = x_int
        with tqdm(total=batch * len(self.images), disable=not self.progress, delay=1.0,
                  unit="run", desc=f"sharp {self.backend}") as bar:
            k = 0
            for dirs in self.model.layers:
                outs = []
                for d in range(len(dirs)):
                    self._ensure_loaded(k)
                    outs.append(self._run_cell(self.images[k], seq, reverse=d == 1,
                                               counters=counters, bar=bar))
                    k += 1
                seq = np.concatenate(outs, axis=-1)
        self.stats = RunStats.total(counters, batch, self.config.macs)
        out = seq if raw else seq.astype(np.float64) / (1 << HF)
        return self.model.output_layout(out, batched)

    def _run_cell(self, image: LayerImage, seq: np.ndarray, reverse: bool, counters: list,
                  bar) -> np.ndarray:
        batch, steps, _ = seq.shape
        hidden = image.cell.hidden_size
        out = np.empty((batch, steps, hidden), dtype=np.int16)
        for b in range(batch):
            x = seq[b, ::-1] if reverse else seq[b]
            c, beats = self.driver.execute(image.run(np.ascontiguousarray(x)), self.timeout_s)
            h = decode_hidden(beats, steps, hidden)
            out[b] = h[::-1] if reverse else h
            counters.append(c)
            bar.update()
        return out

    def describe(self) -> str:
        """The plan of every cell and where it lives."""
        if self.model is None:
            return "no model loaded"
        where = "resident" if self.resident else "reloaded before its runs"
        lines = []
        for k, image in enumerate(self.images):
            layer, direction = divmod(k, self.model.num_directions)
            lines.append(f"layer {layer} dir {direction} ({image.cell.input_size}->"
                         f"{image.cell.hidden_size}) at word {image.wx_base}, bias unit "
                         f"{image.bias_base}, {where}\n  {image.plan.describe()}")
        return "\n".join(lines)
