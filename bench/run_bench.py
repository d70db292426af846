"""`make bench`: MAC-lane utilization and speed across model shapes on the simulated RTL, at
batch 1 and over a batch sweep (batched RUNs, ARCHITECTURE.md §6).

Every figure written here is produced by this run: RTL cycles from the performance counters of
the Verilator-simulated sharp_top, the torch CPU latency measured on this machine now. Projected
accelerator times are projections from simulated cycles at the stated clock, not measurements.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm

from cpu_reference import torch_ms
from measure import measure_shape
from report import plot, targets, write_json, write_markdown
from shapes import runs

from sharp.ports.verilator import VerilatorPort

CLOCK_MHZ = 200.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a reduced suite (a few minutes)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent,
                    help="where results.json, results.md and the plots go")
    ap.add_argument("--seed", type=int, default=None, help="model/input seed (default: fresh)")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    print(f"benchmark seed {seed} (reproduce with --seed {seed}); clock {CLOCK_MHZ:.0f} MHz")

    plan = list(runs(args.quick))
    ports, records = {}, []
    for build, config, cell, shape, note, batch in tqdm(plan, desc="bench", unit="run"):
        if build not in ports:
            ports[build] = VerilatorPort(config)
        cpu_ms = torch_ms(cell, *shape, batch)
        record = measure_shape(ports[build], config, cell, shape, seed, CLOCK_MHZ, cpu_ms, batch)
        record["note"] = note
        records.append(record)
        baselines = (f", narrow {100 * record['baseline_utilization']:5.1f}%, wide "
                     f"{100 * record['wide_baseline_utilization']:5.1f}%" if batch == 1 else "")
        tqdm.write(f"{build} {cell} {shape!s:>16} batch {batch}: util "
                   f"{100 * record['utilization']:5.1f}% (limit "
                   f"{100 * record['padding_limit']:5.1f}%{baselines}), model err "
                   f"{100 * record['model_error']:+.2f}%, host "
                   f"{record['host_register_accesses_per_sequence']:.3g} register accesses and "
                   f"{record['host_transfers_per_sequence']:.3g} DMA transfers per sequence, "
                   f"{record['sim_cycles_per_s'] / 1e6:.2f}M cycles/s, "
                   f"bit-exact {record['bit_exact']}")

    args.out.mkdir(parents=True, exist_ok=True)
    write_json(records, args.out / "results.json")
    header = (f"# Benchmark results ({'quick' if args.quick else 'full'} suite, seed {seed})\n\n"
              f"Cycles come from the RTL performance counters (Verilator). Projected times are "
              f"projections from simulated cycles at {CLOCK_MHZ:.0f} MHz; CPU times are "
              f"torch.nn.LSTM or torch.nn.GRU (the row's cell) at the row's batch, per sequence, "
              f"measured on this machine in the same run. Host work per sequence is counted by "
              f"replaying the PYNQ driver on a fake board (bench/host_cost.py).")
    write_markdown(records, args.out / "results.md", header)
    images = plot(records, args.out)
    print("\nTargets:")
    for text, ok, figure in targets(records):
        print(f"  [{'met' if ok else 'MISSED'}] {text}: {figure}")
    print(f"\nwrote {args.out / 'results.json'}, {args.out / 'results.md'}, "
          + ", ".join(str(p) for p in images))
    return 0 if all(r["bit_exact"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
