"""One shape and cell type on one build, measured on the RTL: at batch 1 SHARP, both baselines
and both ablations; in a batched RUN, SHARP alone (the baselines' mode 0 runs the items one after
the other, so a batch changes nothing for them)."""
from __future__ import annotations

import time

import numpy as np

import host_cost
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
                  cpu_ms: float, batch: int = 1) -> dict:
    """One RUN per design of `batch` sequences; the record's cycles and utilization are the
    RUN's, its projected and CPU times per sequence. The host's work per sequence is counted on
    the fake board (bench/host_cost.py)."""
    input_size, hidden, steps = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, input_size))
    q = MODELS[cell].random(input_size, hidden, seed=seed).quantize(calibration=x)
    expected = q.run_int(q.quantize_input(x)[0])

    designs = DESIGNS if batch == 1 else {"adaptive": DESIGNS["adaptive"]}
    results, sim_cycles, sim_seconds = {}, 0, 0.0
    for name, (mode, gx, gh) in designs.items():
        gx = config.max_group if gx == "max" else gx
        gh = config.max_group if gh == "max" else gh
        acc = Accelerator(port, config, mode=mode, group_x=gx, group_h=gh, progress=False,
                          batch=batch)
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
                                 OVERLAPPED, cell, batch=batch)
    projected_ms = stats.projected_ms(clock_mhz) / batch
    host = host_cost.measure(cell, "after", batch, seed, config, shape, batch)["per_sequence"]
    record = {
        "build": config.name, "cell": cell, "input": input_size, "hidden": hidden, "steps": steps,
        "batch": batch, "macs": config.macs, "seed": seed,
        "tiles_per_group_x": plan.tiles_per_group_x,
        "tiles_per_group_h": plan.tiles_per_group_h, "group_x": plan.group_x,
        "group_h": plan.group_h,
        "cycles": stats.cycles, "utilization": stats.utilization,
        "active_lane_cycles": stats.active_lane_cycles, "issue_cycles": stats.issue_cycles,
        "stall_input": stats.stall_input, "stall_dependency": stats.stall_dependency,
        "stall_output": stats.stall_output,
        "padding_limit": cycle_model.padding_limit(config, input_size, hidden, cell),
        "model_cycles": model.cycles,
        "model_error": (model.cycles - stats.cycles) / stats.cycles,
        "cpu_ms": cpu_ms, "projected_ms": projected_ms, "clock_mhz": clock_mhz,
        "cpu_over_projected": cpu_ms / projected_ms,
        # the runs' simulated cycles over their wall time, host overhead included
        "sim_cycles_per_s": sim_cycles / sim_seconds, "sim_cycles": sim_cycles,
        "host_transfers_per_sequence": host_cost.transfers(host),
        "host_register_accesses_per_sequence": host_cost.register_accesses(host),
        "host_projected_us_per_sequence": host_cost.projected_us(host),
        "bit_exact": all(r["bit_exact"] for r in results.values()),
    }
    if batch == 1:
        record.update({
            "baseline_cycles": results["narrow"]["stats"].cycles,
            "baseline_utilization": results["narrow"]["stats"].utilization,
            "wide_baseline_cycles": results["wide"]["stats"].cycles,
            "wide_baseline_utilization": results["wide"]["stats"].utilization,
            "grouping_only_cycles": results["grouping_only"]["stats"].cycles,
            "schedule_only_cycles": results["schedule_only"]["stats"].cycles})
    return record
