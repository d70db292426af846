"""C simulation of the HLS kernels (hls/) with plain g++, bit-exact against the golden model.

The testbench hls/tb/sharp_tb.cpp replays a vector file of operations (argument registers,
input beats with TLAST, expected output beats) through sharp_top and writes back every output
beat and register. This module writes those files from sharp.program's operations and the
golden model, builds the testbench once per build (cached under build/hls/, keyed on the
sources, flags and compiler), and compares. `python -m sharp.hls_csim` (make hls-csim) runs a
set of LSTM and GRU shapes under both schedules on the default build and prints a pass/fail
summary.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import cycle_model, program, regmap, stream
from .config import STATE_FORMATS, ZF, HardwareConfig
from .dispatcher import MODE_NAMES
from .cells import cell_module, gates
from .golden import run_cell_carried
from .model import LSTM
from .quantized import QuantizedCell, QuantizedLSTM
from .toolchain import BUILD, REPO, build_lock

HLS_DIR = REPO / "hls"
CACHE = BUILD / "hls"
KERNEL = HLS_DIR / "sharp_top.cpp"
TESTBENCH = HLS_DIR / "tb" / "sharp_tb.cpp"
CSIM_INCLUDE = HLS_DIR / "csim"  # the C-simulation ap_axi_sdata.h
# -Wno-uninitialized / -Wno-maybe-uninitialized: the warnings come from inside hls4ml's
# ap_private.h (its constructors read VAL before setting it), see docs/HLS.md.
CXXFLAGS = ("-std=c++17", "-O2", "-Wall", "-Werror", "-Wno-unknown-pragmas",
            "-Wno-uninitialized", "-Wno-maybe-uninitialized")
MACROS = (("SHARP_N", "tiles"), ("SHARP_K", "lanes"), ("SHARP_MAX_INPUT", "max_input"),
          ("SHARP_MAX_HIDDEN", "max_hidden"), ("SHARP_WDEPTH", "weight_depth"),
          ("SHARP_BDEPTH", "bias_depth"), ("SHARP_MAX_BATCH", "max_batch"))
BEAT_KEEP = 0xFF
# the vector file carries every register of sharp.regmap.ARGUMENTS (17 since contract v2's cell,
# state and batch; version 3 of the file had 16), the result file every output (14, max_batch last)
VECTOR_HEADER = "sharp-vectors 4"
RESULT_HEADER = "sharp-results 2"


def ap_types_dir() -> Path:
    """hls4ml's copy of the ap_types headers (ap_int.h, hls_stream.h), from the installed package."""
    import hls4ml
    path = Path(hls4ml.__file__).parent / "templates" / "vivado" / "ap_types"
    if not (path / "ap_int.h").exists():
        raise FileNotFoundError(f"hls4ml {hls4ml.__version__} has no ap_types/ap_int.h under {path}")
    return path


def macro_flags(config: HardwareConfig | None) -> list[str]:
    """-D flags for a build; None builds hls/sharp_config.h's defaults untouched."""
    if config is None:
        return []
    return [f"-D{macro}={getattr(config, field_name)}" for macro, field_name in MACROS]


def compile_command(config: HardwareConfig | None, output: Path, hls_dir: Path = HLS_DIR) -> list[str]:
    return ["g++", *CXXFLAGS, "-isystem", str(ap_types_dir()), "-I", str(hls_dir / "csim"),
            *macro_flags(config), str(hls_dir / "sharp_top.cpp"), str(hls_dir / "tb" / "sharp_tb.cpp"),
            "-o", str(output)]


def _snapshot() -> dict[str, bytes]:
    """The C++ sources by path under hls/, read once: the build compiles exactly what it hashed."""
    paths = [*HLS_DIR.glob("*.h"), *CSIM_INCLUDE.glob("*.h"), KERNEL, TESTBENCH]
    return {str(p.relative_to(HLS_DIR)): p.read_bytes() for p in sorted(paths)}


def _build_key(config: HardwareConfig | None, sources: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, content in sources.items():
        digest.update(name.encode() + b"\0" + content)
    for header in sorted(ap_types_dir().rglob("*.h")):
        digest.update(header.read_bytes())
    digest.update(" ".join(compile_command(config, Path("out"), Path("hls"))).encode())
    digest.update(subprocess.run(["g++", "--version"], capture_output=True, text=True).stdout.encode())
    return digest.hexdigest()[:16]


def build(config: HardwareConfig | None = None) -> Path:
    """Compile kernel + testbench for this build (cached); returns the executable."""
    name = "defaults" if config is None else config.name  # every build parameter, -batch<MAX_BATCH> last
    sources = _snapshot()
    target = CACHE / f"{name}-{_build_key(config, sources)}" / "sharp_csim"
    if target.exists():
        return target
    with build_lock():
        if target.exists():  # another process built it while we waited
            return target
        staging = target.parent / "hls"
        for rel, content in sources.items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_bytes(content)
        partial = target.with_suffix(".partial")
        command = compile_command(config, partial, staging)
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"g++ failed to build the HLS C simulation ({name}):\n"
                               f"{' '.join(command)}\n{result.stderr}")
        partial.rename(target)
    return target


@dataclass
class Transaction:
    """One operation for the testbench, with what it is expected to produce."""
    op: program.Operation
    last: np.ndarray | None = None    # TLAST per input beat; default: on the final beat only
    expect: np.ndarray | None = None  # expected out_stream beats (uint64); None: not checked
    expect_status: int | None = None

    def tlast(self) -> np.ndarray:
        if self.last is not None:
            if len(self.last) != len(self.op.send):
                raise ValueError(f"{len(self.last)} TLAST flags for {len(self.op.send)} beats")
            return np.asarray(self.last, dtype=bool)
        flags = np.zeros(len(self.op.send), dtype=bool)
        if len(flags):
            flags[-1] = True
        return flags


@dataclass
class Outcome:
    """What one operation left behind: output registers, beats, unread input.

    `stuck` = (beats received, beats expected) when in_stream ended early: the hardware would
    still be waiting (no ap_done), and `regs` is then empty.
    """
    regs: dict
    leftover: int
    beats: np.ndarray
    last: np.ndarray
    keep: np.ndarray = field(repr=False)
    strb: np.ndarray = field(repr=False)
    stuck: tuple[int, int] | None = None

    @property
    def cycles(self) -> int:
        return self.regs["cycles_lo"] | self.regs["cycles_hi"] << 32

    @property
    def active(self) -> int:
        return self.regs["active_lo"] | self.regs["active_hi"] << 32


@dataclass
class CsimRun:
    outcomes: list[Outcome]
    testbench_passed: bool  # the testbench's own checks (expected beats and status)
    log: str
    seconds: float


def operation_text(t: Transaction) -> str:
    """One operation of a vector file."""
    args = [int(t.op.args[name]) for name in regmap.ARGUMENTS]
    for name, value in zip(regmap.ARGUMENTS, args):
        if not 0 <= value < 1 << 32:
            raise ValueError(f"register {name}={value} does not fit 32 bits")
    lines = ["op", "args " + " ".join(map(str, args)), f"send {len(t.op.send)}"]
    lines.extend(f"{int(b):x} {int(l)}" for b, l in zip(np.asarray(t.op.send, np.uint64), t.tlast()))
    expect = [] if t.expect is None else [f"{int(b):x}" for b in np.asarray(t.expect, np.uint64)]
    count = -1 if t.expect is None else len(expect)
    status = -1 if t.expect_status is None else t.expect_status
    lines.append(f"expect {count} {status}")
    lines.extend(expect)
    return "\n".join(lines) + "\n"


def write_vectors(path: Path, transactions: list[Transaction]) -> None:
    path.write_text(VECTOR_HEADER + "\n" + "".join(operation_text(t) for t in transactions))


def parse_results(text: str) -> list[Outcome]:
    tokens = text.split()
    if tokens[:2] != RESULT_HEADER.split():
        raise ValueError(f"not a sharp result file (no {RESULT_HEADER!r} header)")
    pos, outcomes = 2, []
    while pos < len(tokens):
        outcome, pos = parse_outcome(tokens, pos)
        outcomes.append(outcome)
    return outcomes


def parse_outcome(tokens: list[str], pos: int) -> tuple[Outcome, int]:
    """One `result` block from tokens[pos:]; returns it and the position after it."""
    if tokens[pos] != "result":
        raise ValueError(f"malformed result at token {pos}: {tokens[pos]!r}")
    regs, stuck = {}, None
    if tokens[pos + 2] == "stuck":
        stuck = (int(tokens[pos + 3]), int(tokens[pos + 4]))
        pos += 5
    else:
        pos += 3
        regs = dict(zip(regmap.OUTPUTS, (int(v) for v in tokens[pos:pos + len(regmap.OUTPUTS)])))
        pos += len(regmap.OUTPUTS)
    if tokens[pos] != "leftover" or tokens[pos + 2] != "recv":
        raise ValueError(f"malformed result at token {pos}")
    leftover, count = int(tokens[pos + 1]), int(tokens[pos + 3])
    pos += 4
    rows = np.array(tokens[pos:pos + 4 * count], dtype=object).reshape(count, 4)
    pos += 4 * count
    return Outcome(regs, leftover,
                   beats=np.array([int(v, 16) for v in rows[:, 0]], dtype=np.uint64),
                   last=np.array([v == "1" for v in rows[:, 1]], dtype=bool),
                   keep=np.array([int(v, 16) for v in rows[:, 2]], dtype=np.int64),
                   strb=np.array([int(v, 16) for v in rows[:, 3]], dtype=np.int64),
                   stuck=stuck), pos


def run(transactions: list[Transaction], config: HardwareConfig | None = None) -> CsimRun:
    """Replay the transactions through one process of the testbench (buffers persist)."""
    exe = build(config)
    with tempfile.TemporaryDirectory(prefix="sharp_csim_") as tmp:
        vectors, results = Path(tmp) / "vectors.txt", Path(tmp) / "results.txt"
        write_vectors(vectors, transactions)
        start = time.perf_counter()
        proc = subprocess.run([str(exe), str(vectors), str(results)], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"the HLS C simulation stopped with exit code {proc.returncode}:\n"
                               f"{proc.stdout}{proc.stderr}")
        outcomes = parse_results(results.read_text())
    if len(outcomes) != len(transactions):
        raise RuntimeError(f"the testbench ran {len(outcomes)} of {len(transactions)} operations")
    return CsimRun(outcomes, proc.returncode == 0, proc.stdout + proc.stderr, seconds)


# ---- layers: the golden model's cells, loaded and run as the host would ----

def random_float_layer(rng: np.random.Generator, input_size: int, hidden: int) -> QuantizedLSTM:
    """A torch-initialised layer quantized with calibration data: the realistic case."""
    model = LSTM.random(input_size, hidden, seed=int(rng.integers(1 << 31)))
    return QuantizedLSTM.from_float(model, calibration=rng.uniform(-4, 4, (8, input_size)))


def random_int_layer(rng: np.random.Generator, input_size: int, hidden: int,
                     kind: str = "lstm", weight_bits: int = 16) -> QuantizedLSTM:
    """Random int16 weights (of `weight_bits` magnitude bits; 16: full range) and full-range int32
    biases, of either cell type: full range saturates z, c, a and the table indices."""
    rows = gates(kind) * hidden
    frac_x = int(rng.integers(0, 16))
    frac_wx = int(rng.integers(max(0, ZF - frac_x), 25))  # shift_x = fx + fwx - ZF >= 0
    limit = 1 << (weight_bits - 1)
    bias_limit = 1 << (31 if weight_bits == 16 else 12 + weight_bits // 2)
    cell = QuantizedCell(
        w_x=rng.integers(-limit, limit, (rows, input_size)),
        w_h=rng.integers(-limit, limit, (rows, hidden)),
        bias=rng.integers(-bias_limit, bias_limit, rows), frac_x=frac_x, frac_wx=frac_wx,
        frac_wh=int(rng.integers(ZF - 15, 25)), kind=kind,  # shift_h = 15 + fwh - ZF >= 0
        bias_hn=rng.integers(-bias_limit, bias_limit, hidden) if kind == "gru" else None)
    return QuantizedLSTM(input_size, hidden, [[cell]])


@dataclass
class LayerCase:
    """A layer of either cell type (its QuantizedCell's kind), an input sequence, and the plan
    (groupings, mode, bases) it runs with; optionally from a carried initial state and returning
    the final state (ARCHITECTURE.md §8, "Carried state"); one sequence, or a batch of B
    sequences in one RUN (ARCHITECTURE.md §6, "Batched RUNs")."""
    config: HardwareConfig
    model: QuantizedLSTM
    x_int: np.ndarray  # (T, I) int16, or (B, T, I) for a batch
    mode: int
    group_x: int | None = None
    group_h: int | None = None
    wx_base: int = 0
    bias_base: int = 0
    initial: tuple | None = None  # (h,) or (h, c), (H,) or (B, H) each (h int16, c int32): STATE_IN
    final_state: bool = False     # STATE_OUT

    def __post_init__(self):
        cell = self.model.layers[0][0]
        self.x_int = np.asarray(self.x_int)
        single = self.x_int.ndim == 2
        x = self.x_int[None] if single else self.x_int
        self.batch = None if single else len(x)  # decode_hidden's batch: None for one sequence
        self.image = program.layer_image(self.config, cell, self.mode, x.shape[1], self.group_x,
                                         self.group_h, self.wx_base, self.bias_base,
                                         batch=len(x))
        initial = None if self.initial is None else \
            tuple(np.asarray(s).reshape(len(x), -1) for s in self.initial)
        hidden, final = run_cell_carried(cell, x, initial)  # the golden model
        # (T, H) int16 and (h_{T-1},) or (h_{T-1}, c_{T-1}) of (H,), or (B, T, H) and (B, H)
        self.expected = hidden[0] if single else hidden
        self.expected_final = tuple(s[0] for s in final) if single else final

    @property
    def sequences(self) -> int:
        return self.batch or 1

    @property
    def steps(self) -> int:
        return self.x_int.shape[-2]

    @property
    def expected_beats(self) -> np.ndarray:
        """out_stream: the h of the items in order (h_0 of sequences 0..B-1, then h_1, ...), then
        with STATE_OUT each sequence's state buffer (c of an LSTM, h of a GRU)."""
        hidden = self.expected.reshape(self.sequences, self.steps, -1)
        beats = stream.pack_int16(hidden.transpose(1, 0, 2).reshape(self.sequences * self.steps, -1))
        if self.final_state:
            state = self.expected_final[-1].reshape(self.sequences, -1)
            beats = np.concatenate([beats, *(stream.final_state_beats(s, self.cell) for s in state)])
        return beats

    @property
    def cell(self) -> str:
        return self.model.layers[0][0].kind

    @property
    def plan(self):
        return self.image.plan

    @property
    def estimate(self) -> cycle_model.CycleEstimate:
        p = self.plan
        return cycle_model.estimate(self.config, p.input_size, p.hidden_size, self.steps,
                                    p.group_x, p.group_h, p.mode, self.cell,
                                    state_in=self.initial is not None, state_out=self.final_state,
                                    batch=self.sequences)

    def describe(self) -> str:
        p = self.plan
        carried = (" STATE_IN" if self.initial is not None else "") + (" STATE_OUT" if self.final_state else "")
        batch = "" if self.batch is None else f" B={self.batch}"
        return (f"{self.cell} I={p.input_size} H={p.hidden_size} T={self.steps}{batch} {MODE_NAMES[p.mode]} "
                f"group_x={p.group_x} group_h={p.group_h}{carried}")

    def load_transactions(self) -> list[Transaction]:
        return [Transaction(op, expect=np.zeros(0, np.uint64), expect_status=0)
                for op in self.image.load_operations()]

    def run_transaction(self) -> Transaction:
        return Transaction(self.image.run(self.x_int, self.initial, self.final_state),
                           expect=self.expected_beats, expect_status=0)


def tables_transaction() -> Transaction:
    return Transaction(program.load_tables(), expect=np.zeros(0, np.uint64), expect_status=0)


def run_failures(case: LayerCase, outcome: Outcome) -> list[str]:
    """Everything a RUN's outcome must satisfy: golden bits, stream framing, counters."""
    failures = []
    steps, hidden = case.steps, case.expected.shape[-1]
    if outcome.regs["status"] != 0:
        failures.append(f"status {regmap.describe_status(outcome.regs['status'])}")
    if outcome.leftover:
        failures.append(f"{outcome.leftover} input beats left unread")
    want = case.expected_beats
    if len(outcome.beats) != len(want):
        failures.append(f"{len(outcome.beats)} output beats, expected {len(want)}")
    else:
        if case.final_state:
            got, got_state = program.decode_final_state(outcome.beats, steps, hidden, case.cell,
                                                        case.batch)
            want_state = case.expected_final[-1]
            wrong = np.argwhere(got_state != want_state)
            if len(wrong):
                at = tuple(wrong[0])
                failures.append(f"{len(wrong)} final-state values differ from the golden model; first "
                                f"{[int(i) for i in at]} = {got_state[at]}, golden {want_state[at]}")
        else:
            got = program.decode_hidden(outcome.beats, steps, hidden, case.batch)
        wrong = np.argwhere(got != case.expected)
        if len(wrong):
            at = tuple(wrong[0])
            failures.append(f"{len(wrong)} hidden values differ from the golden model; first "
                            f"h{[int(i) for i in at]} = {got[at]}, golden {case.expected[at]}")
        if not np.array_equal(outcome.beats, want):
            failures.append("zero padding of the last beat of a step or of the final state differs")
        if not (outcome.last[-1] and not outcome.last[:-1].any()):
            failures.append("TLAST is not on the last output beat alone")
        if not ((outcome.keep == BEAT_KEEP).all() and (outcome.strb == BEAT_KEEP).all()):
            failures.append("TKEEP/TSTRB are not all ones")
    est = case.estimate
    counters = {"cycles": (outcome.cycles, est.cycles),
                "issue_cycles": (outcome.regs["issue_cycles"], est.issue_cycles),
                "active": (outcome.active, est.active_lane_cycles),
                "stall_input": (outcome.regs["stall_input"], est.stall_input),
                "stall_dependency": (outcome.regs["stall_dependency"], est.stall_dependency),
                "stall_output": (outcome.regs["stall_output"], 0)}
    for name, (got_value, model_value) in counters.items():
        if got_value != model_value:
            failures.append(f"{name} = {got_value}, cycle model {model_value}")
    return failures


# ---- make hls-csim ----

# edge sizes, sizes off the K and N grid, and the two shapes docs/HLS.md estimates; the GRU's
# (random integer cells until the host has a float GRU here) on a few of them
SHAPES = ((1, 1, 3), (5, 7, 4), (17, 33, 6), (130, 20, 3), (64, 64, 5), (3, 129, 2),
          (40, 100, 50), (256, 256, 150))
GRU_SHAPES = ((1, 1, 3), (17, 33, 6), (3, 129, 2), (40, 100, 50))
# batched RUNs (ARCHITECTURE.md §6): MAX_BATCH sequences of a shape above in one RUN
BATCH_SHAPES = (("lstm", (64, 64, 5)), ("lstm", (40, 100, 50)), ("gru", (40, 100, 50)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sharp.hls_csim", description=__doc__.split("\n")[0])
    parser.add_argument("--write-vectors", type=Path, metavar="PATH",
                        help="only write a vector file for the default build (for vitis_hls csim/cosim)")
    parser.add_argument("--build", action="append", default=[], metavar="MACRO=VALUE",
                        help="a build macro of hls/sharp_config.h for --write-vectors, e.g. SHARP_N=8")
    args = parser.parse_args(argv)
    seed = int(os.environ.get("SHARP_SEED") or int.from_bytes(os.urandom(4), "little"))
    print(f"SHARP_SEED={seed}")
    rng = np.random.default_rng(seed)
    if args.write_vectors:
        config = config_from_macros(args.build)
        write_vectors(args.write_vectors, vitis_transactions(config, rng))
        print(f"wrote {args.write_vectors} for the {config.name} build")
        return 0

    config = HardwareConfig()
    print(f"HLS C simulation, default {config.name} build (g++ {' '.join(CXXFLAGS)})")
    started = time.perf_counter()
    build(None)
    print(f"build: {time.perf_counter() - started:.1f} s (cached under {CACHE})")
    failed = 0
    print(f"{'cell':>4} {'shape (I, H, T)':>16} {'B':>2} {'mode':>10} {'gx,gh':>6} {'cycles':>8} "
          f"{'model':>8} {'csim s':>7}  result")
    layers = [("lstm", shape, 1) for shape in SHAPES] + [("gru", shape, 1) for shape in GRU_SHAPES] \
        + [(kind, shape, config.max_batch) for kind, shape in BATCH_SHAPES]
    for kind, (input_size, hidden, steps), batch in layers:
        if kind == "lstm":
            model = random_float_layer(rng, input_size, hidden)
            x = model.quantize_input(rng.uniform(-4, 4, (batch * steps, input_size)))[0][0]
        else:
            model = random_int_layer(rng, input_size, hidden, "gru", weight_bits=10)
            x = rng.integers(-1 << 15, 1 << 15, (batch * steps, input_size))
        x = x.reshape(batch, steps, input_size) if batch > 1 else x
        for mode in MODE_NAMES:
            case = LayerCase(config, model, x, mode)
            result = run([tables_transaction(), *case.load_transactions(), case.run_transaction()])
            outcome = result.outcomes[-1]
            failures = run_failures(case, outcome)
            if not result.testbench_passed:
                failures.append("the testbench's own checks failed:\n" + result.log)
            failed += bool(failures)
            p = case.plan
            print(f"{kind:>4} {str((input_size, hidden, steps)):>16} {batch:>2} {MODE_NAMES[mode]:>10} "
                  f"{f'{p.group_x},{p.group_h}':>6} {outcome.cycles:>8} {case.estimate.cycles:>8} "
                  f"{result.seconds:>7.2f}  {'PASS' if not failures else 'FAIL'}")
            for failure in failures:
                print(f"{'':>18}{failure}")
    total = 2 * len(layers)
    print(f"{total - failed}/{total} passed (seed {seed})")
    return 1 if failed else 0


def config_from_macros(assignments: list[str]) -> HardwareConfig:
    """SHARP_N=8 style assignments (run_hls.tcl's -tclargs) -> the HardwareConfig they build."""
    fields = dict(MACROS)
    values = {}
    for item in assignments:
        macro, sep, value = item.partition("=")
        if not sep or macro not in fields or not value.isdigit():
            raise ValueError(f"build setting {item!r} is not MACRO=VALUE with MACRO one of "
                             f"{', '.join(fields)}")
        values[fields[macro]] = int(value)
    return HardwareConfig(**values)


def vitis_transactions(config: HardwareConfig, rng: np.random.Generator) -> list[Transaction]:
    """A short, self-checking set for vitis_hls csim and cosim: INFO, tables, a small LSTM and a
    small GRU in both modes, once carrying a random state in and out, and once as a batch of
    min(3, MAX_BATCH) sequences carrying their states, and out-of-capacity RUNs (an input size, a
    batch)."""
    info = Transaction(program.info(), expect=np.zeros(0, np.uint64), expect_status=0)
    out = [info, tables_transaction()]
    input_size, hidden = min(5, config.max_input), min(7, config.max_hidden)
    model = random_float_layer(rng, input_size, hidden)
    x = model.quantize_input(rng.uniform(-4, 4, (3, input_size)))[0][0]
    gru = random_int_layer(rng, input_size, hidden, "gru", weight_bits=10)
    gru_x = rng.integers(-1 << 15, 1 << 15, (3, input_size))
    for layer, inputs in ((model, x), (gru, gru_x)):
        for mode in MODE_NAMES:
            case = LayerCase(config, layer, inputs, mode)
            out += [*case.load_transactions(), case.run_transaction()]
        state = tuple(rng.integers(STATE_FORMATS[name].lo, STATE_FORMATS[name].hi + 1, hidden)
                      for name in cell_module(case.cell).STATE)
        out.append(LayerCase(config, layer, inputs, cycle_model.OVERLAPPED, initial=state, final_state=True).run_transaction())
        batch = min(3, config.max_batch)
        states = tuple(rng.integers(STATE_FORMATS[name].lo, STATE_FORMATS[name].hi + 1, (batch, hidden))
                       for name in cell_module(case.cell).STATE)
        sequences = rng.integers(-1 << 15, 1 << 15, (batch, 3, input_size)) if case.cell == "gru" \
            else model.quantize_input(rng.uniform(-4, 4, (batch * 3, input_size)))[0][0].reshape(batch, 3, -1)
        out.append(LayerCase(config, layer, sequences, cycle_model.OVERLAPPED, initial=states,
                             final_state=True).run_transaction())
    for wrong in ({"input_size": config.max_input + 1}, {"batch": config.max_batch + 1}):
        bad = program.Operation(dict(case.image.run(x).args, **wrong))
        out.append(Transaction(bad, expect=np.zeros(0, np.uint64), expect_status=regmap.STATUS_BAD_ARGS))
    return out


if __name__ == "__main__":
    sys.exit(main())
