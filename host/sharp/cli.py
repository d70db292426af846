"""The `sharp` command: quantize a model (LSTM or GRU), run it, plan a layer, show a build's
parameters."""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from contextlib import contextmanager

import numpy as np

from .accelerator import Accelerator, stats_summary
from .ports import BACKENDS
from .boards import board, boards
from .cells import CELL_NAMES
from .config import CONTRACT_VERSION, HardwareConfig
from .cycle_model import OVERLAPPED, SEQUENTIAL, padding_limit
from .dispatcher import MODE_NAMES, baselines
from .driver import HardwareError
from .fixedpoint import SaturationWarning
from .model import RecurrentModel, check_sequence, layout_name, read_npy
from .onnx_import import from_onnx
from .quantized import QuantizedModel, load

MODES = {"overlapped": OVERLAPPED, "sequential": SEQUENTIAL}
CONFIG_FLAGS = {"tiles": "N, tiles", "lanes": "K, lanes per tile", "max_input": "MAX_INPUT",
                "max_hidden": "MAX_HIDDEN", "weight_depth": "WDEPTH, in weight words",
                "bias_depth": "BDEPTH, in hidden units",
                "max_batch": "MAX_BATCH, the most sequences one RUN carries"}


def add_config_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(f"build (default: {HardwareConfig().name}, the default build)")
    g.add_argument("--board", help=f"a row of overlay/boards.csv ({', '.join(sorted(boards()))})")
    for name, meaning in CONFIG_FLAGS.items():
        g.add_argument("--" + name.replace("_", "-"), type=int, help=meaning)


def config_from(args, required: bool = True) -> HardwareConfig | None:
    given = {k: getattr(args, k) for k in CONFIG_FLAGS if getattr(args, k) is not None}
    if args.board:
        if given:
            raise ValueError(f"--board {args.board} fixes the build; drop "
                             f"{', '.join('--' + k.replace('_', '-') for k in given)}")
        return board(args.board).config
    if not given and not required:
        return None
    return HardwareConfig(**given)


def tiles_per_group(text: str) -> int:
    """--tiles-per-group-x/-h M -> the group_x/group_h register value, log2 M."""
    try:
        m = int(text)
    except ValueError:
        m = 0
    if m < 1 or m & (m - 1):
        raise argparse.ArgumentTypeError(f"{text!r} tiles per group: must be a power of two "
                                         "(1, 2, 4 .. up to the build's tiles N)")
    return m.bit_length() - 1


def add_backend_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=BACKENDS, default="golden")
    p.add_argument("--bitstream", help="sharp.bit for the pynq backend (sharp.hwh next to it); "
                   "default: the overlay the package carries for the board (sharp.overlays)")
    add_config_options(p)


def open_accelerator(args, **kw) -> Accelerator:
    # On a board the build comes from the hardware; a given config is checked against it.
    config = config_from(args, required=args.backend != "pynq")
    return Accelerator(args.backend, config, bitstream=args.bitstream, **kw)


def load_model(path: str) -> RecurrentModel | QuantizedModel:
    """A model file: .onnx (sharp.from_onnx), else a SHARP .npz, float or quantized."""
    if path.endswith(".onnx"):
        model = from_onnx(path)
        if model.initial_state is not None or model.state_inputs:
            print(f"sharp: note: {path} gives an initial state "
                  f"({', '.join(model.state_inputs) or 'as constants'}); `sharp run` starts "
                  "from zero: pass the state in Python, acc(x, state)", file=sys.stderr)
        return model
    try:
        return load(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"model file {path} does not exist") from None


@contextmanager
def reported_warnings(messages: list):
    """Collect SaturationWarnings into messages (for the JSON) and print each as one line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SaturationWarning)
        try:
            yield
        finally:
            for w in caught:
                if issubclass(w.category, SaturationWarning):
                    messages.append(str(w.message))
                    print(f"sharp: warning: {' '.join(str(w.message).split())}", file=sys.stderr)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)


NO_CALIBRATION = ("  (no --calibration: the same fixed range for every input file and batch; pass "
                  "--calibration FILE with representative inputs, or run a file from "
                  "`sharp quantize`, to fit the range to your data)")


def quantized_model(model: RecurrentModel | QuantizedModel,
                    calibration: str | None) -> tuple[QuantizedModel, dict]:
    """The quantized model a run uses, and where its input scale came from. The scale never
    comes from the input being run, so a sequence gives the same bits in any batch."""
    if isinstance(model, QuantizedModel):
        if calibration:
            raise ValueError(f"--calibration {calibration} cannot re-scale a quantized model "
                             "file: its scales were fixed by `sharp quantize`; pass the float "
                             "model (.npz) to calibrate again")
        return model, {"source": "quantized model file"}
    if calibration is None:
        return model.quantize(), {"source": "default"}
    return model.quantize(calibration=read_npy(calibration, "calibration")), \
        {"source": "file", "path": calibration}


def saturation(q: QuantizedModel) -> dict:
    r = q.last_input
    return {"input_saturated": r.saturated if r else 0, "input_zeroed": r.zeroed if r else 0,
            "weights_saturated": q.saturated, "weights_zeroed": q.zeroed}


def steps_of(q: QuantizedModel, x: np.ndarray) -> int:
    return x.shape[-2] if x.ndim == 2 or q.batch_first else x.shape[0]


def cmd_run(args) -> dict:
    messages: list[str] = []
    with reported_warnings(messages):
        model = load_model(args.model)
        x = read_npy(args.input)
        check_sequence(x, model.input_size, model.batch_first)  # before any hardware is opened
        q, calibration = quantized_model(model, args.calibration)
        acc = open_accelerator(args, mode=MODES[args.mode], group_x=args.group_x,
                               group_h=args.group_h, timeout_s=args.timeout,
                               progress=not args.json, batch=args.batch)
        acc.load(q, steps_hint=steps_of(q, x))
        h = acc.run(x)
    s = acc.stats
    if args.output:
        np.save(args.output, h)
    lo, hi = q.input_range
    error = float(np.max(np.abs(h - model.forward(x)))) if isinstance(model, RecurrentModel) else None
    return {"backend": args.backend, "cell": q.cell, "config": acc.config.as_dict(),
            "input_shape": list(x.shape),
            "output_shape": list(h.shape), "batch_first": q.batch_first,
            "calibration": {**calibration, "input_frac": q.input_frac, "input_range": [lo, hi],
                            "describe": q.calibration},
            "max_abs_error_vs_float": error, **saturation(q), "warnings": messages,
            "plan": acc.describe(), "stats": s.as_dict(),
            "projected_ms": {"clock_mhz": args.clock_mhz, "total": s.projected_ms(args.clock_mhz),
                             "per_sequence": s.projected_ms(args.clock_mhz) / s.sequences},
            **({"h": h.tolist()} if args.json else {})}


def print_run(r: dict) -> None:
    s = r["stats"]
    error = ("no float reference (a quantized model file holds no float weights)"
             if r["max_abs_error_vs_float"] is None
             else f"max |h - float| = {r['max_abs_error_vs_float']:.2e}")
    print(f"backend {r['backend']}: input {tuple(r['input_shape'])} -> h {tuple(r['output_shape'])} "
          f"({r['cell'].upper()}, {layout_name(r['batch_first'])} model), {error}")
    print(f"input scale: {r['calibration']['describe']}")
    if r["calibration"]["source"] == "default":
        print(NO_CALIBRATION)
    if r["warnings"]:
        print(f"{len(r['warnings'])} saturation warning(s), on stderr")
    print(r["plan"])
    print(stats_summary(s))
    p = r["projected_ms"]
    print(f"projected at {p['clock_mhz']:g} MHz over all {s['cycles']} cycles (RUN and LOAD): "
          f"{p['total']:.4f} ms ({p['per_sequence']:.4f} ms per sequence)")


def cmd_quantize(args) -> dict:
    messages: list[str] = []
    with reported_warnings(messages):
        model = load_model(args.model)
        if isinstance(model, QuantizedModel):
            raise ValueError(f"{args.model} is already a quantized model file; `sharp quantize` "
                             "takes a float model (.npz)")
        q, calibration = quantized_model(model, args.calibration)
    written = q.save(args.output)
    lo, hi = q.input_range
    return {"model": args.model, "output": str(written), "cell": q.cell,
            "batch_first": q.batch_first,
            "input_size": q.input_size, "hidden_size": q.hidden_size,
            "num_layers": q.num_layers, "num_directions": q.num_directions,
            "calibration": {**calibration, "input_frac": q.input_frac, "input_range": [lo, hi],
                            "describe": q.calibration},
            "weights_saturated": q.saturated, "weights_zeroed": q.zeroed, "warnings": messages,
            "scales": [{"cell": f"l{li}_d{d}", "frac_x": c.frac_x, "frac_wx": c.frac_wx,
                        "frac_wh": c.frac_wh} for li, dirs in enumerate(q.layers)
                       for d, c in enumerate(dirs)]}


def print_quantize(r: dict) -> None:
    print(f"quantized {r['model']} ({r['cell'].upper()} {r['input_size']}->{r['hidden_size']}, "
          f"{r['num_layers']} "
          f"layer(s), {r['num_directions']} direction(s), {layout_name(r['batch_first'])})")
    print(f"input scale: {r['calibration']['describe']}")
    if r["calibration"]["source"] == "default":
        print(NO_CALIBRATION)
    for c in r["scales"]:
        print(f"  {c['cell']}: fractional bits x {c['frac_x']}, W_x {c['frac_wx']}, "
              f"W_h {c['frac_wh']}")
    print(f"weights: {sum(r['weights_saturated'].values())} saturated, "
          f"{sum(r['weights_zeroed'].values())} nonzero values became 0"
          + (f"; {len(r['warnings'])} saturation warning(s), on stderr" if r["warnings"] else ""))
    print(f"saved {r['output']}: run it with sharp run --model {r['output']} --input X.npy")


def cmd_plan(args) -> dict:
    config = config_from(args)
    plans = baselines(config, args.input, args.hidden, args.steps, args.cell, args.batch)
    adaptive = plans["adaptive"].estimate.cycles
    return {"build": config.name, "config": config.as_dict(), "cell": args.cell,
            "rows": plans["adaptive"].rows, "input": args.input, "hidden": args.hidden,
            "steps": args.steps, "batch": args.batch,
            "padding_limit": padding_limit(config, args.input, args.hidden, args.cell),
            "plans": {name: {"mode": MODE_NAMES[p.mode],
                             "tiles_per_group_x": p.tiles_per_group_x,
                             "tiles_per_group_h": p.tiles_per_group_h,
                             "group_x": p.group_x, "group_h": p.group_h,
                             "words": p.words, **p.estimate.as_dict(),
                             "cycles_vs_adaptive": p.estimate.cycles / adaptive,
                             "describe": p.describe()} for name, p in plans.items()}}


def print_plan(r: dict) -> None:
    c = HardwareConfig(**r["config"])
    adaptive = r["plans"]["adaptive"]["cycles"]
    print(f"{r['input']}x{r['hidden']} {r['cell'].upper()} layer ({r['rows']} gate rows), "
          f"{r['steps']} steps, RUNs of {r['batch']} sequence(s), on the {c.name} build "
          f"({c.macs} MACs); padding limit {100 * r['padding_limit']:.1f}% (the best utilization "
          "any grouping allows)")
    for name, p in r["plans"].items():
        print(f"{name:>14} {p['describe']}")
        if name != "adaptive":
            ratio = ("the same cycles as the adaptive plan" if p["cycles"] == adaptive else
                     f"{p['cycles_vs_adaptive']:.3g}x the adaptive plan's {adaptive} cycles")
            print(f"{'':>14} {ratio}")
    print("Terms: a group is m adjacent tiles fused into one dot product (m = tiles per group, "
          "register group_x/group_h = log2 m); docs/ARCHITECTURE.md §4 and §9.")


def cmd_info(args) -> dict:
    if args.board and args.backend == "golden" and not args.bitstream:
        b = board(args.board)
        out = {"board": b.name, "part": b.part, "clock_mhz": b.clock_mhz,
               "budget": {"dsp": b.dsp, "bram36": b.bram36, "uram": b.uram, "lut": b.lut}}
        config = b.config
    else:
        config = open_accelerator(args, progress=False).config
        out = {"backend": args.backend}
    return {**out, "build": config.name, "config": config.as_dict(), "macs": config.macs,
            "tiles_per_group": [1 << g for g in range(config.max_group + 1)],
            "weight_buffer_kib": config.weight_depth * config.macs * 2 / 1024,
            "contract_version": CONTRACT_VERSION, "cells": list(CELL_NAMES)}


def print_info(r: dict) -> None:
    if "board" in r:
        print(f"board {r['board']}: part {r['part']}, {r['clock_mhz']:g} MHz, budget {r['budget']}")
    else:
        print(f"backend {r['backend']} (read with INFO):")
    c = r["config"]
    print(f"  build {r['build']}")
    print(f"  tiles N={c['tiles']}, lanes K={c['lanes']}: {r['macs']} MACs; tiles per group "
          f"{', '.join(map(str, r['tiles_per_group']))}")
    print(f"  capacity: input <= {c['max_input']}, hidden <= {c['max_hidden']}")
    print(f"  weight buffer {c['weight_depth']} words ({r['weight_buffer_kib']:g} KiB), "
          f"bias buffer {c['bias_depth']} units; RUNs of up to {c['max_batch']} sequences; "
          f"contract version {r['contract_version']}")
    print(f"  cells: {', '.join(cell.upper() for cell in r['cells'])}, chosen per RUN (register "
          "cell)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sharp", description=__doc__)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run an LSTM or GRU (.npz, float or quantized) on an input "
                         "(.npy)")
    run.add_argument("--model", required=True,
                     help="a float model (sharp.LSTM.save, sharp.GRU.save), a quantized one "
                          "(sharp quantize) or an ONNX model with LSTM or GRU nodes (.onnx)")
    run.add_argument("--input", required=True,
                     help="(T, I), or a batch in the model's layout: (B, T, I) batch-first, "
                          "(T, B, I) time-major")
    run.add_argument("--calibration", help="representative inputs (.npy) that set the input "
                     "scale of a float model (default: the fixed range [-16, 16))")
    run.add_argument("--output", help="save h here (.npy)")
    run.add_argument("--mode", choices=MODES, default="overlapped")
    run.add_argument("--tiles-per-group-x", type=tiles_per_group, dest="group_x", metavar="M",
                     help="pin W_x's grouping: M tiles fused per group (1, 2, 4 .. N); "
                          "the dispatcher chooses by default")
    run.add_argument("--tiles-per-group-h", type=tiles_per_group, dest="group_h", metavar="M",
                     help="pin W_h's grouping, likewise")
    run.add_argument("--batch", type=int, metavar="B",
                     help="sequences per RUN, interleaved in the array (default: the build's "
                          "MAX_BATCH)")
    run.add_argument("--clock-mhz", type=float, default=200.0, help="for the projected latency")
    run.add_argument("--timeout", type=float, default=10.0, help="seconds per operation")
    run.add_argument("--json", action="store_true")
    add_backend_options(run)
    run.set_defaults(func=cmd_run, show=print_run)

    quant = sub.add_parser("quantize", help="calibrate a float model once and save the "
                           "quantized model file that `sharp run` deploys")
    quant.add_argument("--model", required=True, help="a float model, LSTM or GRU (.npz or "
                       ".onnx)")
    quant.add_argument("--calibration", help="representative inputs (.npy) in the model's "
                       "layout; they set the input scale (default: the fixed range [-16, 16))")
    quant.add_argument("--output", required=True, help="the quantized model file (.npz)")
    quant.add_argument("--json", action="store_true")
    quant.set_defaults(func=cmd_quantize, show=print_quantize)

    plan = sub.add_parser("plan", help="the dispatcher's choice for a layer, against the baselines")
    plan.add_argument("--input", type=int, required=True)
    plan.add_argument("--hidden", type=int, required=True)
    plan.add_argument("--steps", type=int, default=1)
    plan.add_argument("--batch", type=int, default=1, metavar="B",
                      help="sequences per RUN (default 1)")
    plan.add_argument("--cell", choices=CELL_NAMES, default="lstm",
                      help="the cell type: lstm (4H gate rows) or gru (3H rows)")
    plan.add_argument("--json", action="store_true")
    add_config_options(plan)
    plan.set_defaults(func=cmd_plan, show=print_plan)

    info = sub.add_parser("info", help="build parameters and capacities")
    info.add_argument("--json", action="store_true")
    add_backend_options(info)
    info.set_defaults(func=cmd_info, show=print_info)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        result = args.func(args)
    except (ValueError, TypeError, OSError, RuntimeError, TimeoutError, HardwareError) as exc:
        if args.debug:
            raise
        print(f"sharp: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        args.show(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
