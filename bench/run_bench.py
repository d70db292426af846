"""`make bench`: MAC-lane utilization and speed across model shapes on the simulated RTL, at
batch 1 and over a batch sweep (batched RUNs, ARCHITECTURE.md §6), on the two reference builds
and on every board row of overlay/boards.csv.

Every figure written here is produced by this run: RTL cycles from the performance counters of
the Verilator-simulated sharp_top, the torch CPU latency measured on this machine now, the host's
work counted by replaying the PYNQ driver. Projected times are projections from simulated cycles
at the row's clock (the reference builds at 200 MHz) and from counted host calls at stated
per-call costs, not measurements.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm

from cpu_reference import torch_ms
from measure import measure_shape
from host_cost import ALLOCATE_US, DMA_TRANSFER_US, MMIO_ACCESS_US
from report import plot, targets, write_json, write_markdown
from shapes import REFERENCE_CLOCK_MHZ, misfits, runs

from sharp.ports.verilator import VerilatorPort


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a reduced suite (a few minutes)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent,
                    help="where results.json, results.md and the plots go")
    ap.add_argument("--seed", type=int, default=None, help="model/input seed (default: fresh)")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    print(f"benchmark seed {seed} (reproduce with --seed {seed}); reference builds at "
          f"{REFERENCE_CLOCK_MHZ:.0f} MHz, board rows at their clocks")

    plan = list(runs(args.quick))
    ports, records = {}, []
    for run in tqdm(plan, desc="bench", unit="run"):
        if run.config.name not in ports:
            ports[run.config.name] = VerilatorPort(run.config)
        cpu_ms = torch_ms(run.cell, *run.shape, run.batch, run.layers)
        record = measure_shape(ports[run.config.name], run, seed, cpu_ms)
        record["note"] = run.note
        records.append(record)
        baselines = (f", narrow {100 * record['baseline_utilization']:5.1f}%, wide "
                     f"{100 * record['wide_baseline_utilization']:5.1f}%"
                     if "baseline_utilization" in record else "")
        layers = f" x{run.layers} layers" if run.layers > 1 else ""
        reload = ("" if record["resident"] else
                  f", reloads {record['reload_bytes_per_batch'] / 1024:.0f} KiB a batch")
        tqdm.write(f"{run.build} {run.cell} {run.shape!s:>16}{layers} batch {run.batch}: util "
                   f"{100 * record['utilization']:5.1f}% (limit "
                   f"{100 * record['padding_limit']:5.1f}%{baselines}){reload}, model err "
                   f"{100 * record['model_error']:+.2f}%, host "
                   f"{record['host_register_accesses_per_sequence']:.3g} register accesses and "
                   f"{record['host_transfers_per_sequence']:.3g} DMA transfers per sequence, "
                   f"{record['sim_cycles_per_s'] / 1e6:.2f}M cycles/s, "
                   f"bit-exact {record['bit_exact']}")

    args.out.mkdir(parents=True, exist_ok=True)
    write_json(records, args.out / "results.json")
    header = (f"# Benchmark results ({'quick' if args.quick else 'full'} suite, seed {seed})\n\n"
              f"Cycles come from the RTL performance counters (Verilator). Projected times are "
              f"projections from simulated cycles at the row's clock (each board's own; "
              f"{REFERENCE_CLOCK_MHZ:.0f} MHz for the reference builds); CPU times are "
              f"torch.nn.LSTM or torch.nn.GRU (the row's cell) at the row's batch, per sequence, "
              f"measured on this machine in the same run. Host work per sequence is counted by "
              f"replaying the PYNQ driver on a fake board (bench/host_cost.py) and projected at "
              f"{MMIO_ACCESS_US:g} µs per register access (published for a PYNQ-Z1), "
              f"{DMA_TRANSFER_US:g} µs per DMA transfer and {ALLOCATE_US:g} µs per allocation "
              f"(assumptions), the Cortex-A9 figures applied to every board. Reloads are timed "
              f"by the RTL's LOAD cycles at the board's clock: one 64-bit beat a cycle, "
              f"the most the DMA's stream can deliver.")
    write_markdown(records, args.out / "results.md", header, misfits(args.quick))
    images = plot(records, args.out)
    print("\nTargets:")
    for text, ok, figure in targets(records):
        print(f"  [{'met' if ok else 'MISSED'}] {text}: {figure}")
    print(f"\nwrote {args.out / 'results.json'}, {args.out / 'results.md'}, "
          + ", ".join(str(p) for p in images))
    return 0 if all(r["bit_exact"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
