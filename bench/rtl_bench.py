"""RTL benchmark on the fast Verilator harness (a benchmark, not a test: it prints figures).

1. Simulation speed: simulated cycles per second of sharp.sim.VerilatorPort on the default
   build (target: >= 200k cycles/s).
2. MAC-lane utilization measured from the RTL's counters, adaptive SHARP (dispatcher's grouping,
   overlapped schedule) against the narrow and wide baselines (ARCHITECTURE.md §9), next to the
   cycle model's prediction, with bit-exactness against the golden model.

    .venv/bin/python bench/rtl_bench.py [--json results.json] [--seed N]
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from tqdm import tqdm

import sharp
from sharp import dispatcher, program
from sharp.driver import Driver
from sharp.ports.verilator import VerilatorPort

SHAPES = [(40, 100, 50), (256, 256, 150)]  # (input, hidden, steps)
DESIGNS = ("adaptive", "narrow", "wide")
TIMEOUT_S = 1.0  # 100M simulated cycles at the port's nominal 100 MHz


def random_layer(input_size: int, hidden: int, steps: int, rng: np.random.Generator):
    model = sharp.LSTM.random(input_size, hidden, seed=int(rng.integers(2**31)))
    x = rng.uniform(-2.0, 2.0, (steps, input_size))
    quantized = model.quantize(x)
    x_int, _ = quantized.quantize_input(x)
    return quantized.layers[0][0], x_int[0], quantized.run_int(x_int)[0]


def measure(config: sharp.HardwareConfig, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    driver = Driver(port)
    driver.execute(program.load_tables(), TIMEOUT_S)
    rows = []
    run_cycles = run_seconds = 0.0
    jobs = [(shape, design) for shape in SHAPES for design in DESIGNS]
    layers = {shape: random_layer(*shape, rng) for shape in SHAPES}
    for shape, design in tqdm(jobs, desc="RTL runs", unit="run"):
        cell, x_int, expected = layers[shape]
        plan = dispatcher.baselines(config, *shape)[design]
        image = program.LayerImage(cell, plan)
        for op in image.load_operations():
            driver.execute(op, TIMEOUT_S)
        before, start = port.cycles, time.perf_counter()
        counters, beats = driver.execute(image.run(x_int), TIMEOUT_S)
        run_seconds += time.perf_counter() - start
        run_cycles += port.cycles - before
        h = program.decode_hidden(beats, shape[2], shape[1])
        rows.append({
            "shape": list(shape), "design": design, "mode": plan.mode,
            "tiles_per_group_x": plan.tiles_per_group_x,
            "tiles_per_group_h": plan.tiles_per_group_h,
            "group_x": plan.group_x, "group_h": plan.group_h,
            "cycles": counters.cycles, "model_cycles": plan.estimate.cycles,
            "utilization": counters.active_lane_cycles / (counters.cycles * config.macs),
            "model_utilization": plan.estimate.utilization,
            "issue_cycles": counters.issue_cycles, "stall_input": counters.stall_input,
            "stall_dependency": counters.stall_dependency,
            "bit_exact": bool(np.array_equal(h, expected)),
        })
    return {"config": config.as_dict(), "seed": seed, "simulated_cycles": int(run_cycles),
            "seconds": run_seconds, "cycles_per_second": run_cycles / run_seconds, "runs": rows}


def report(result: dict) -> str:
    cfg = sharp.HardwareConfig(**result["config"])
    lines = [f"Verilator harness on the default {cfg.name} build ({cfg.macs} MACs): "
             f"{result['simulated_cycles']:,} cycles of RUN in {result['seconds']:.2f} s = "
             f"{result['cycles_per_second'] / 1e3:,.0f}k simulated cycles/s (target >= 200k)",
             "",
             f"{'shape (I,H,T)':>15} {'design':>9} {'mode':>4} {'tiles/group':>11} {'RTL cycles':>11} "
             f"{'model':>11} {'util RTL':>8} {'model':>6} {'vs narrow':>9} {'bit-exact':>9}"]
    for shape in SHAPES:
        runs = [r for r in result["runs"] if tuple(r["shape"]) == shape]
        narrow = next(r for r in runs if r["design"] == "narrow")["cycles"]
        for r in runs:
            lines.append(
                f"{str(shape):>15} {r['design']:>9} {r['mode']:>4} "
                f"{str(r['tiles_per_group_x']) + '/' + str(r['tiles_per_group_h']):>11} "
                f"{r['cycles']:>11,} {r['model_cycles']:>11,} "
                f"{100 * r['utilization']:>7.1f}% {100 * r['model_utilization']:>5.1f}% "
                f"{narrow / r['cycles']:>8.2f}x {'yes' if r['bit_exact'] else 'NO':>9}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--seed", type=int, default=None, help="model/input seed (default: fresh)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    print(f"seed {seed}")
    result = measure(sharp.HardwareConfig(), seed)
    print(report(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    if not all(r["bit_exact"] for r in result["runs"]):
        raise SystemExit("some RTL runs were not bit-exact against the golden model")


if __name__ == "__main__":
    main()
