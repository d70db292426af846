"""One shape and cell type on one build, measured on the RTL: on a reference build at batch 1
SHARP, both baselines and both ablations; in a batched RUN and on the board rows, SHARP alone
(the baselines' mode 0 runs the items one after the other, so a batch changes nothing for
them)."""
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


def measure_shape(port, run, seed: int, cpu_ms: float) -> dict:
    """One run() of `run.batch` sequences per design through a model of `run.layers` layers
    (the baselines on the reference builds at batch 1 only, bench/shapes.py's Run); the
    record's cycles and utilization are those of its RUNs, its times per sequence. A model whose
    layers do not fit the weight buffer together is reloaded layer by layer: it is measured on
    its second run(), whose reloads are those every later batch pays. The host's work per
    sequence is counted on the fake board (bench/host_cost.py)."""
    config, cell, batch, layers, clock_mhz = run.config, run.cell, run.batch, run.layers, run.clock_mhz
    input_size, hidden, steps = shape = run.shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, input_size))
    q = MODELS[cell].random(input_size, hidden, num_layers=layers, seed=seed).quantize(calibration=x)
    expected = q.run_int(q.quantize_input(x)[0])

    designs = DESIGNS if batch == 1 and not run.board else {"adaptive": DESIGNS["adaptive"]}
    results, sim_cycles, sim_seconds = {}, 0, 0.0
    for name, (mode, gx, gh) in designs.items():
        gx = config.max_group if gx == "max" else gx
        gh = config.max_group if gh == "max" else gh
        acc = Accelerator(port, config, mode=mode, group_x=gx, group_h=gh, progress=False,
                          batch=batch)
        acc.load(q, steps_hint=steps)
        bit_exact = True
        for _ in range(1 if acc.resident else 2):
            start_cycles, start = port.cycles, time.perf_counter()
            h = acc.run(x, raw=True)
            sim_seconds += time.perf_counter() - start
            sim_cycles += port.cycles - start_cycles
            bit_exact &= bool(np.array_equal(h, expected))
        results[name] = dict(stats=acc.stats, plans=[image.plan for image in acc.images],
                             resident=acc.resident, bit_exact=bit_exact)

    a = results["adaptive"]
    stats, plans = a["stats"], a["plans"]
    sizes = [input_size] + [hidden] * (layers - 1)  # each layer's input
    model_cycles = sum(
        cycle_model.estimate(config, size, hidden, steps, p.group_x, p.group_h, OVERLAPPED, cell,
                             batch=batch).cycles for size, p in zip(sizes, plans))
    projected_ms = stats.projected_ms(clock_mhz) / batch  # RUNs and reloads
    host = host_cost.measure(cell, "after", batch, seed, config, shape, batch,
                             layers)["per_sequence"]
    host_us = host_cost.projected_us(host)
    plan = plans[0]
    record = {
        "build": run.build, "board": run.board, "config": config.name, "cell": cell, "input": input_size, "hidden": hidden,
        "steps": steps, "layers": layers, "batch": batch, "macs": config.macs, "seed": seed,
        "tiles_per_group_x": plan.tiles_per_group_x,
        "tiles_per_group_h": plan.tiles_per_group_h, "group_x": plan.group_x,
        "group_h": plan.group_h,
        "cycles": stats.run_cycles, "utilization": stats.run_utilization,
        "active_lane_cycles": stats.active_lane_cycles, "issue_cycles": stats.issue_cycles,
        "stall_input": stats.stall_input, "stall_dependency": stats.stall_dependency,
        "stall_output": stats.stall_output,
        "padding_limit": stack_padding_limit(config, sizes, hidden, cell),
        "model_cycles": model_cycles,
        "model_error": (model_cycles - stats.run_cycles) / stats.run_cycles,
        "resident": a["resident"],
        # what each batch reloads when the layers do not fit together (0 when resident)
        "reload_bytes_per_batch": stats.load_bytes,
        "reload_cycles_per_batch": stats.load_cycles,
        "reload_us_per_batch": stats.load_cycles / clock_mhz,
        "cpu_ms": cpu_ms, "projected_ms": projected_ms, "clock_mhz": clock_mhz,
        "cpu_over_projected": cpu_ms / projected_ms,
        # the runs' simulated cycles over their wall time, host overhead included
        "sim_cycles_per_s": sim_cycles / sim_seconds, "sim_cycles": sim_cycles,
        "host_transfers_per_sequence": host_cost.transfers(host),
        "host_register_accesses_per_sequence": host_cost.register_accesses(host),
        "host_projected_us_per_sequence": host_us,
        "end_to_end_us_per_sequence": 1e3 * projected_ms + host_us,
        "bit_exact": all(r["bit_exact"] for r in results.values()),
    }
    if len(designs) > 1:
        record.update({
            "baseline_cycles": results["narrow"]["stats"].run_cycles,
            "baseline_utilization": results["narrow"]["stats"].run_utilization,
            "wide_baseline_cycles": results["wide"]["stats"].run_cycles,
            "wide_baseline_utilization": results["wide"]["stats"].run_utilization,
            "grouping_only_cycles": results["grouping_only"]["stats"].run_cycles,
            "schedule_only_cycles": results["schedule_only"]["stats"].run_cycles})
    return record


def stack_padding_limit(config, sizes, hidden: int, cell: str) -> float:
    """The padding limit of layers with these inputs: their useful MACs over their padded
    lane-cycles, summed (one layer: cycle_model.padding_limit)."""
    useful = [hidden * (size + hidden) for size in sizes]  # per gate row: the same factor
    padded = sum(u / cycle_model.padding_limit(config, size, hidden, cell)
                 for u, size in zip(useful, sizes))
    return sum(useful) / padded
