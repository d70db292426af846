"""The `sharp` command: run a model, plan a layer, show a build's parameters."""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from .accelerator import Accelerator, stats_summary
from .backends import BACKENDS
from .boards import board, boards
from .config import CONTRACT_VERSION, HardwareConfig
from .cycle_model import OVERLAPPED, SEQUENTIAL, padding_limit
from .dispatcher import MODE_NAMES, baselines
from .driver import HardwareError
from .model import LSTM

MODES = {"overlapped": OVERLAPPED, "sequential": SEQUENTIAL}
CONFIG_FLAGS = {"tiles": "N, tiles", "lanes": "K, lanes per tile", "max_input": "MAX_INPUT",
                "max_hidden": "MAX_HIDDEN", "weight_depth": "WDEPTH, in weight words",
                "bias_depth": "BDEPTH, in hidden units"}


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
    p.add_argument("--bitstream", help="sharp.bit for the pynq backend (sharp.hwh next to it)")
    add_config_options(p)


def open_accelerator(args, **kw) -> Accelerator:
    # On a board the build comes from the hardware; a given config is checked against it.
    config = config_from(args, required=args.backend != "pynq")
    return Accelerator(args.backend, config, bitstream=args.bitstream, **kw)


def load_input(path: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"input file {path} does not exist") from None
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"{path} is not a readable .npy array: {exc}") from None


def load_model(path: str) -> LSTM:
    try:
        return LSTM.load(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"model file {path} does not exist") from None


def cmd_run(args) -> dict:
    model = load_model(args.model)
    x = load_input(args.input)
    q = model.quantize(calibration=x)
    acc = open_accelerator(args, mode=MODES[args.mode], group_x=args.group_x,
                           group_h=args.group_h, timeout_s=args.timeout, progress=not args.json)
    acc.load(q, steps_hint=x.shape[-2])
    h = acc.run(x)
    s = acc.stats
    if args.output:
        np.save(args.output, h)
    return {"backend": args.backend, "config": acc.config.as_dict(), "input_shape": list(x.shape),
            "output_shape": list(h.shape), "max_abs_error_vs_float": float(np.max(np.abs(h - model(x)))),
            "input_saturated": q.last_input_saturated, "weights_saturated": q.saturated,
            "plan": acc.describe(), "stats": s.as_dict(),
            "projected_ms": {"clock_mhz": args.clock_mhz, "total": s.projected_ms(args.clock_mhz),
                             "per_sequence": s.projected_ms(args.clock_mhz) / s.sequences},
            **({"h": h.tolist()} if args.json else {})}


def print_run(r: dict) -> None:
    s = r["stats"]
    print(f"backend {r['backend']}: input {tuple(r['input_shape'])} -> h {tuple(r['output_shape'])}, "
          f"max |h - float| = {r['max_abs_error_vs_float']:.2e}")
    if r["input_saturated"] or any(r["weights_saturated"].values()):
        print(f"warning: saturated while quantizing: input {r['input_saturated']}, "
              f"weights {r['weights_saturated']}")
    print(r["plan"])
    print(stats_summary(s))
    p = r["projected_ms"]
    print(f"projected at {p['clock_mhz']:g} MHz over all {s['cycles']} cycles (RUN and LOAD): "
          f"{p['total']:.4f} ms ({p['per_sequence']:.4f} ms per sequence)")


def cmd_plan(args) -> dict:
    config = config_from(args)
    plans = baselines(config, args.input, args.hidden, args.steps)
    adaptive = plans["adaptive"].estimate.cycles
    return {"build": config.name, "config": config.as_dict(), "input": args.input,
            "hidden": args.hidden, "steps": args.steps,
            "padding_limit": padding_limit(config, args.input, args.hidden),
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
    print(f"{r['input']}x{r['hidden']} LSTM layer, {r['steps']} steps, on the {c.name} build "
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
            "contract_version": CONTRACT_VERSION}


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
          f"bias buffer {c['bias_depth']} units; contract version {r['contract_version']}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sharp", description=__doc__)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run an LSTM (.npz) on a (T, I) or (B, T, I) input (.npy)")
    run.add_argument("--model", required=True)
    run.add_argument("--input", required=True)
    run.add_argument("--output", help="save h here (.npy)")
    run.add_argument("--mode", choices=MODES, default="overlapped")
    run.add_argument("--tiles-per-group-x", type=tiles_per_group, dest="group_x", metavar="M",
                     help="pin W_x's grouping: M tiles fused per group (1, 2, 4 .. N); "
                          "the dispatcher chooses by default")
    run.add_argument("--tiles-per-group-h", type=tiles_per_group, dest="group_h", metavar="M",
                     help="pin W_h's grouping, likewise")
    run.add_argument("--clock-mhz", type=float, default=200.0, help="for the projected latency")
    run.add_argument("--timeout", type=float, default=10.0, help="seconds per operation")
    run.add_argument("--json", action="store_true")
    add_backend_options(run)
    run.set_defaults(func=cmd_run, show=print_run)

    plan = sub.add_parser("plan", help="the dispatcher's choice for a layer, against the baselines")
    plan.add_argument("--input", type=int, required=True)
    plan.add_argument("--hidden", type=int, required=True)
    plan.add_argument("--steps", type=int, default=1)
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
