"""sharp.Accelerator: load a quantized LSTM or GRU and run sequences on a backend.

The host orchestrates stacked and bidirectional models cell by cell (one cell = one layer, one
direction). Cells stay resident at different buffer bases when they fit together; otherwise
each cell's weights are reloaded before its runs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from tqdm import tqdm

from .cells import cell_module
from .ports import open_port
from .config import HF, STATE_FORMATS, HardwareConfig
from .cycle_model import OVERLAPPED
from .dispatcher import MODE_NAMES, check_batch
from .driver import Driver, check_timeout
from .ports import Port
from .program import LayerImage, decode_final_state, decode_hidden, layer_image, load_tables
from .quantized import QUANTIZED_MODELS, QuantizedModel
from .state import TorchConvention, check_sequence, run_layers


# RunStats.state
EMPTY = "empty"            # no run() yet
COMPLETE = "complete"      # the last run() returned
INCOMPLETE = "incomplete"  # the last run() raised: the counts cover the operations it finished
LOADS = ("LOAD_WEIGHTS", "LOAD_BIAS", "LOAD_TABLES")
BEAT_BYTES = 8  # one 64-bit stream beat


@dataclass(frozen=True)
class OperationTotals:
    """The operations of one opcode in a run(): how many, their busy cycles (the `cycles`
    counter) and the bytes they streamed in (host to core) and out (core to host)."""
    count: int = 0
    cycles: int = 0
    bytes_in: int = 0
    bytes_out: int = 0


def _no_operations() -> dict:
    return {name: OperationTotals() for name in ("RUN", *LOADS)}


@dataclass(frozen=True)
class RunStats:
    """What the last run() did on the hardware: every operation it executed, by opcode.

    `operations` holds RUN, LOAD_WEIGHTS, LOAD_BIAS and LOAD_TABLES (loads happen inside run()
    when the model's cells do not fit the buffers together, or after a reset; loads done by
    load() itself belong to no run). The other counters are summed over the RUN operations.
    `cycles` is every operation's busy cycles (RUN + LOAD); the host's register accesses between
    operations are not counted. `state` is "empty" before the first run(), "complete" after a
    run() that returned and "incomplete" after one that raised. `saturation` is the quantizer's
    report of this run: tensor name -> values clipped to int16 (the input x now), empty when
    none were; run() passes it to _run_layers(x_int, saturation).
    """
    state: str = EMPTY
    sequences: int = 0
    macs: int = 0
    operations: dict = field(default_factory=_no_operations)
    active_lane_cycles: int = 0
    issue_cycles: int = 0
    stall_input: int = 0
    stall_dependency: int = 0
    stall_output: int = 0
    saturation: dict = field(default_factory=dict)

    @classmethod
    def of(cls, executed: list, sequences: int, macs: int, state: str,
           saturation: dict | None = None) -> "RunStats":
        """Totals over (opcode name, Counters, bytes in, bytes out) records."""
        ops = _no_operations()
        runs = []
        for name, c, bytes_in, bytes_out in executed:
            t = ops[name]
            ops[name] = OperationTotals(t.count + 1, t.cycles + c.cycles, t.bytes_in + bytes_in,
                                        t.bytes_out + bytes_out)
            if name == "RUN":
                runs.append(c)
        fields = ("active_lane_cycles", "issue_cycles", "stall_input", "stall_dependency",
                  "stall_output")
        return cls(state, sequences, macs, ops, saturation=dict(saturation or {}),
                   **{f: sum(getattr(c, f) for c in runs) for f in fields})

    @property
    def runs(self) -> int:
        return self.operations["RUN"].count

    @property
    def run_cycles(self) -> int:
        return self.operations["RUN"].cycles

    @property
    def loads(self) -> int:
        return sum(self.operations[n].count for n in LOADS)

    @property
    def load_cycles(self) -> int:
        return sum(self.operations[n].cycles for n in LOADS)

    @property
    def load_bytes(self) -> int:
        return sum(self.operations[n].bytes_in for n in LOADS)

    @property
    def cycles(self) -> int:
        """Busy cycles of every operation of the run: RUN and LOAD."""
        return self.run_cycles + self.load_cycles

    @property
    def bytes_in(self) -> int:
        return sum(t.bytes_in for t in self.operations.values())

    @property
    def bytes_out(self) -> int:
        return sum(t.bytes_out for t in self.operations.values())

    @property
    def utilization(self) -> float:
        """Useful MACs over the MAC lane-cycles of every operation (RUN and LOAD); 0 without any."""
        return self.active_lane_cycles / (self.cycles * self.macs) if self.cycles else 0.0

    @property
    def run_utilization(self) -> float:
        """Useful MACs over the MAC lane-cycles of the RUN operations alone; 0 without any."""
        return self.active_lane_cycles / (self.run_cycles * self.macs) if self.run_cycles else 0.0

    @property
    def stalls(self) -> dict:
        return {"input": self.stall_input, "dependency": self.stall_dependency,
                "output": self.stall_output}

    def projected_ms(self, clock_mhz: float) -> float:
        """Time every operation's busy cycles (RUN and LOAD) take at this clock."""
        if not clock_mhz > 0:
            raise ValueError(f"clock_mhz={clock_mhz} must be > 0")
        return self.cycles / (clock_mhz * 1e3)

    def as_dict(self) -> dict:
        names = ("runs", "run_cycles", "loads", "load_cycles", "load_bytes", "cycles", "bytes_in",
                 "bytes_out", "utilization", "run_utilization")
        return {**asdict(self), **{n: getattr(self, n) for n in names}}

    def summary(self) -> str:
        return stats_summary(self.as_dict())


def stats_summary(d: dict) -> str:
    """RunStats.as_dict() in words: what the cycles were spent on and what each figure covers."""
    if d["state"] == EMPTY:
        return "no run yet"
    lines = [f"{d['runs'] + d['loads']} operations, {d['cycles']} busy cycles: {d['runs']} RUN "
             f"({d['run_cycles']} cycles), {d['loads']} LOAD ({d['load_cycles']} cycles, "
             f"{d['load_bytes']} bytes of weights, biases and tables)",
             f"MAC utilization {100 * d['utilization']:.1f}% over all {d['cycles']} cycles, "
             f"{100 * d['run_utilization']:.1f}% over the {d['run_cycles']} RUN cycles; "
             f"RUN stalls: input {d['stall_input']}, dependency {d['stall_dependency']}, "
             f"output {d['stall_output']}"]
    if d["state"] == INCOMPLETE:
        lines.append("incomplete: the run() raised; these count the operations finished before")
    return "\n".join(lines)


class Accelerator(TorchConvention):
    """A quantized model, LSTM or GRU, on one backend ("golden", "verilator", "hls", "pynq" or a
    Port). Every build runs both cells; layers of either stay resident side by side.

    Called as torch's module (sharp.state): out, (h_n, c_n) = acc(x, (h0, c0)) for an LSTM,
    out, h_n = acc(x, h0) for a GRU, variable-length batches, and acc.stream() frame by frame;
    run(x) gives the outputs alone. A batch is split, per layer and direction, into RUNs of at
    most `batch` sequences (ARCHITECTURE.md §6, "Batched RUNs"; None: the build's MAX_BATCH),
    which the array interleaves; sequences of different lengths share RUNs up to the shortest
    one's end and carry their state into the next RUN. An initial state travels as STATE_IN,
    and an LSTM's final c as the STATE_OUT trailer (ARCHITECTURE.md §8, "Carried state"). The
    grouping is planned for RUNs of `batch` sequences; the bits do not depend on it.

    group_x, group_h pin the registers of those names, log2 of the tiles per group for W_x and
    W_h (docs/ARCHITECTURE.md §4); None lets the dispatcher choose. timeout_s bounds each
    operation: a finite number of seconds > 0, simulated time on the verilator backend, which
    refuses less than VerilatorPort.min_timeout_s (1 ms). `stats` describes the last run().
    counters=False reads only the status register after each operation, not the performance
    counters (on a board each read costs the host tens of microseconds, docs/PYNQ.md); `stats`
    then raises. Errors are detected and reported either way.
    """

    def __init__(self, backend: str | Port = "golden", config: HardwareConfig | None = None,
                 bitstream=None, mode: int = OVERLAPPED, group_x: int | None = None,
                 group_h: int | None = None, timeout_s: float = 10.0, progress: bool = True,
                 counters: bool = True, batch: int | None = None):
        if mode not in MODE_NAMES:
            raise ValueError(f"mode={mode} is not one of {sorted(MODE_NAMES)} "
                             f"({', '.join(f'{k} {v}' for k, v in MODE_NAMES.items())})")
        check_timeout(timeout_s)
        port = open_port(backend, config, bitstream) if isinstance(backend, str) else backend
        self.backend = backend if isinstance(backend, str) else type(backend).__name__
        self.timeout_s = check_timeout(timeout_s, getattr(port, "min_timeout_s", 0.0),
                                       getattr(port, "min_timeout_reason", ""))
        if not isinstance(counters, bool):
            raise TypeError(f"counters={counters!r} must be True or False")
        self.driver = Driver(port, counters=counters)
        self.config = self.driver.read_config(timeout_s)
        if config is not None and config != self.config:
            raise ValueError(f"the host config {config} does not match the hardware's build "
                             f"{self.config} (read with INFO)")
        self.batch = self.config.max_batch if batch is None else batch
        check_batch(self.config, self.batch)
        self.mode, self.group_x, self.group_h = mode, group_x, group_h
        self.progress = progress
        self.model: QuantizedModel | None = None
        self.images: list[LayerImage] = []
        self.resident = False
        self.stats = RunStats(macs=self.config.macs)  # state "empty" until the first run()
        self._forget_buffers()

    # -- loading --------------------------------------------------------------------------
    def load(self, model: QuantizedModel, steps_hint: int = 16) -> None:
        """Place and load a quantized model (sharp.QuantizedLSTM or sharp.QuantizedGRU);
        steps_hint is the sequence length the grouping is chosen for (the cycle model depends
        on it a little; results do not). A model that does not fit the build is refused with
        the capacity it exceeds, and the model loaded before stays loaded."""
        if not isinstance(model, QuantizedModel):
            takes = " or ".join(f"sharp.{c.__name__}" for c in QUANTIZED_MODELS.values())
            raise TypeError(f"load() takes a {takes}, not {type(model).__name__}; "
                            "quantize a float model first: model.quantize(calibration)")
        images, resident = self._place(model, steps_hint)
        self.model, self.images, self.resident = model, images, resident
        self._loaded = set()  # the tables, if loaded, stay valid
        for k in range(len(images) if resident else 1):
            self._ensure_loaded(k)

    def _place(self, model: QuantizedModel, steps: int) -> tuple[list[LayerImage], bool]:
        """All cells resident one after the other, each planned within the words still free;
        when they do not fit together, every cell at base 0, reloaded before its runs."""
        c = self.config
        cells = [cell for dirs in model.layers for cell in dirs]
        images, wx_base, bias_base = [], 0, 0
        for cell in cells:
            if bias_base + cell.hidden_size > c.bias_depth or wx_base >= c.weight_depth:
                break
            try:
                image = self._image(cell, steps, wx_base, bias_base, c.weight_depth - wx_base)
            except ValueError:
                break
            images.append(image)
            wx_base += image.words
            bias_base += cell.hidden_size
        else:
            return images, True
        alone = []
        for k, cell in enumerate(cells):
            try:
                alone.append(self._image(cell, steps))
            except ValueError as exc:
                layer, direction = divmod(k, model.num_directions)
                raise ValueError(f"layer {layer} direction {direction}: {exc}") from None
        return alone, False

    def _image(self, cell, steps: int, wx_base: int = 0, bias_base: int = 0,
               budget: int | None = None) -> LayerImage:
        return layer_image(self.config, cell, self.mode, steps, self.group_x, self.group_h,
                           wx_base, bias_base, budget, self.batch)

    @property
    def stats(self) -> RunStats:
        if not self.driver.counters:
            raise RuntimeError("stats needs the performance counters, and this Accelerator "
                               "reads only the status register (counters=False); make it with "
                               "counters=True (the default) to have them")
        return self._stats

    @stats.setter
    def stats(self, value: RunStats) -> None:
        self._stats = value

    def _forget_buffers(self) -> None:
        self._loaded: set[int] = set()
        self._tables_loaded = False
        self._resets_seen = self.driver.resets

    def _execute(self, op, executed: list | None):
        """One operation; a run() passes `executed` to count it in its stats."""
        counters, beats = self.driver.execute(op, self.timeout_s)
        if executed is not None and self.driver.counters:
            executed.append((op.name, counters, BEAT_BYTES * len(op.send), BEAT_BYTES * len(beats)))
        return counters, beats

    def _ensure_loaded(self, k: int, executed: list | None = None) -> None:
        if self.driver.resets != self._resets_seen:
            # A reset may have cut a load short: trust nothing that was loaded before it.
            self._forget_buffers()
        if not self._tables_loaded:
            self._execute(load_tables(), executed)
            self._tables_loaded = True
        if k in self._loaded:
            return
        if not self.resident:
            self._loaded.clear()  # every cell lives at base 0
        for op in self.images[k].load_operations():
            self._execute(op, executed)
        self._loaded.add(k)

    @property
    def needs_reload(self) -> bool:
        """True after a reset, until the next run() reloads the model."""
        return self.driver.resets != self._resets_seen

    # -- running --------------------------------------------------------------------------
    def run(self, x, raw: bool = False) -> np.ndarray:
        """x: float (T, I) -> h (T, H*dirs); a batch in the model's layout, (B, T, I) or (T, B, I)
        (model.batch_first), gives h in the same layout. raw=True gives int16 Q.15."""
        self.stats = RunStats(INCOMPLETE, macs=self.config.macs)  # stays so if this run() raises
        model = self._spec()
        seq, batched = check_sequence(x, model.input_size, model.batch_first)
        x_int, _, saturation = self._encode(seq, None)
        out, _ = self._carried(x_int, None, None, False, saturation)
        return model.output_layout(self._decode_out(out, raw), batched)

    # sharp.state.TorchConvention's hooks: the loaded model's encoding, the RUNs on the backend
    def _spec(self) -> QuantizedModel:
        if self.model is None:
            raise RuntimeError("no model is loaded: call load(quantized_model) first")
        return self.model

    def _stream_token(self):
        return self._spec()

    def _encode(self, x, initial):
        x_int, state, saturation = self._spec()._encode(x, initial)
        return x_int, state, {**saturation, **{k: n for k, n in self.model.saturated.items() if n}}

    def _decode_out(self, out, raw):
        return self.model._decode_out(out, raw)

    def _decode_state(self, final, raw):
        return self.model._decode_state(final, raw)

    def _carried(self, x_int: np.ndarray, lengths, initial, want_final: bool = True,
                 saturation: dict | None = None) -> tuple:
        """Every cell on (B, T, I) int16, layer by layer, in batched RUNs: -> ((B, T, F)
        int16, the final state tensors or None without want_final). Sets `stats` (with this
        call's saturation report) even when it raises."""
        self.stats = RunStats(INCOMPLETE, macs=self.config.macs)
        batch = x_int.shape[0]
        executed: list = []

        def run_cell(k, cell, seq, init, steps):
            self._ensure_loaded(k, executed)
            return self._run_cell(self.images[k], seq, steps, init, want_final, executed, bar)

        try:
            with tqdm(total=batch * len(self.images), disable=not self.progress, delay=1.0,
                      unit="sequence", desc=f"sharp {self.backend}") as bar:
                result = run_layers(self.model.layers, x_int, lengths, initial, run_cell)
        except BaseException:
            self.stats = RunStats.of(executed, batch, self.config.macs, INCOMPLETE, saturation)
            raise
        self.stats = RunStats.of(executed, batch, self.config.macs, COMPLETE, saturation)
        return result

    def _run_cell(self, image: LayerImage, seq: np.ndarray, lengths, initial, want_final: bool,
                  executed: list, bar) -> tuple:
        """One cell's RUNs. The sequences, shortest first, go in groups of at most `batch`; a
        group's RUN lasts until its shortest sequence ends, and the longer ones carry their state
        into the group's next RUN (STATE_OUT for an LSTM's c, then STATE_IN), so every RUN holds
        sequences of one length. STATE_IN when an initial state is given."""
        batch, steps, _ = seq.shape
        hidden = image.cell.hidden_size
        names = cell_module(image.cell.kind).STATE
        has_c = "c" in names   # h_{T-1} is the last output; c only comes in the trailer
        lengths = np.full(batch, steps) if lengths is None else np.asarray(lengths)
        out = np.zeros((batch, steps, hidden), dtype=np.int16)
        final = [np.zeros((batch, hidden), dtype=STATE_FORMATS[name].dtype) for name in names]
        order = np.argsort(lengths, kind="stable")
        for first in range(0, batch, self.batch):
            live = order[first:first + self.batch]
            state = None if initial is None else tuple(np.asarray(s)[live] for s in initial)
            done = 0
            while len(live):
                n = int(lengths[live].min())
                more = lengths[live] > n
                trailer = has_c and (want_final or bool(more.any()))
                op = image.run(np.ascontiguousarray(seq[live, done:n]), state, trailer)
                _, beats = self._execute(op, executed)
                if trailer:
                    h, c = decode_final_state(beats, n - done, hidden, image.cell.kind, len(live))
                else:
                    h, c = decode_hidden(beats, n - done, hidden, len(live)), None
                out[live, done:n] = h
                ended = live[~more]
                final[0][ended] = h[~more, -1]
                if trailer:
                    final[names.index("c")][ended] = c[~more]
                bar.update(len(ended))
                if more.any():
                    state = (h[more, -1],) + ((c[more],) if has_c else ())
                live, done = live[more], n
        return out, tuple(final) if want_final else None

    def describe(self) -> str:
        """The plan of every cell and where it lives."""
        if self.model is None:
            return "no model loaded"
        where = "resident" if self.resident else "reloaded before its runs"
        lines = []
        for k, image in enumerate(self.images):
            layer, direction = divmod(k, self.model.num_directions)
            lines.append(f"layer {layer} dir {direction} ({image.cell.kind.upper()} "
                         f"{image.cell.input_size}->"
                         f"{image.cell.hidden_size}) at word {image.wx_base}, bias unit "
                         f"{image.bias_base}, {where}\n  {image.plan.describe()}")
        return "\n".join(lines)
