"""One shape and cell type on one build: SHARP, both baselines and both ablations, measured on
the RTL."""
from __future__ import annotations

import time

import numpy as np

import sharp
from sharp import cycle_model
from sharp.accelerator import Accelerator
from sharp.cycle_model import OVERLAPPED, SEQUENTIAL

# name -> (mode, group_x, group_h): the registers, log2 of the tiles per group; None lets the
# dispatcher choose (ARCHITECTURE.md §9)
DESIGNS = {
    "adaptive": (OVERLAPPED, None, None),
    "narrow": (SEQUENTIAL, 0, 0),
    "wide": (SEQUENTIAL, "max", "max"),
    "grouping_only": (SEQUENTIAL, None, None),
    "schedule_only": (OVERLAPPED, 0, 0),
}


MODELS = {"lstm": sharp.LSTM, "gru": sharp.GRU}


def measure_shape(port, config, cell: str, shape, seed: int, clock_mhz: float,
                  cpu_ms: float) -> dict:
    input_size, hidden, steps = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps, input_size))
    q = MODELS[cell].random(input_size, hidden, seed=seed).quantize(calibration=x)
    expected = q.run_int(q.quantize_input(x)[0])[0]

    results, sim_cycles, sim_seconds = {}, 0, 0.0
    for name, (mode, gx, gh) in DESIGNS.items():
        gx = config.max_group if gx == "max" else gx
        gh = config.max_group if gh == "max" else gh
        acc = Accelerator(port, config, mode=mode, group_x=gx, group_h=gh, progress=False)
        acc.load(q, steps_hint=steps)
        start_cycles, start = port.cycles, time.perf_counter()
        h = acc.run(x, raw=True)
        sim_seconds += time.perf_counter() - start
        sim_cycles += port.cycles - start_cycles
        results[name] = dict(stats=acc.stats, plan=acc.images[0].plan,
                             bit_exact=bool(np.array_equal(h, expected)))

    a = results["adaptive"]
    stats, plan = a["stats"], a["plan"]
    model = cycle_model.estimate(config, input_size, hidden, steps, plan.group_x, plan.group_h,
                                 OVERLAPPED, cell)
    projected_ms = stats.projected_ms(clock_mhz)
    return {
        "build": config.name, "cell": cell, "input": input_size, "hidden": hidden, "steps": steps,
        "macs": config.macs, "seed": seed, "tiles_per_group_x": plan.tiles_per_group_x,
        "tiles_per_group_h": plan.tiles_per_group_h, "group_x": plan.group_x,
        "group_h": plan.group_h,
        "cycles": stats.cycles, "utilization": stats.utilization,
        "active_lane_cycles": stats.active_lane_cycles, "issue_cycles": stats.issue_cycles,
        "stall_input": stats.stall_input, "stall_dependency": stats.stall_dependency,
        "stall_output": stats.stall_output,
        "padding_limit": cycle_model.padding_limit(config, input_size, hidden, cell),
        "baseline_cycles": results["narrow"]["stats"].cycles,
        "baseline_utilization": results["narrow"]["stats"].utilization,
        "wide_baseline_cycles": results["wide"]["stats"].cycles,
        "wide_baseline_utilization": results["wide"]["stats"].utilization,
        "grouping_only_cycles": results["grouping_only"]["stats"].cycles,
        "schedule_only_cycles": results["schedule_only"]["stats"].cycles,
        "model_cycles": model.cycles,
        "model_error": (model.cycles - stats.cycles) / stats.cycles,
        "cpu_ms": cpu_ms, "projected_ms": projected_ms, "clock_mhz": clock_mhz,
        "cpu_over_projected": cpu_ms / projected_ms,
        # the five runs' simulated cycles over their wall time, host overhead included
        "sim_cycles_per_s": sim_cycles / sim_seconds, "sim_cycles": sim_cycles,
        "bit_exact": all(r["bit_exact"] for r in results.values()),
    }
