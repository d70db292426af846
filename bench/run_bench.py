"""`make bench`: MAC-lane utilization and speed across model shapes on the simulated RTL.

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
    for build, config, cell, shape, note in tqdm(plan, desc="bench", unit="shape"):
        if build not in ports:
            ports[build] = VerilatorPort(config)
        cpu_ms = torch_ms(cell, *shape)
        record = measure_shape(ports[build], config, cell, shape, seed, CLOCK_MHZ, cpu_ms)
        record["note"] = note
        records.append(record)
        tqdm.write(f"{build} {cell} {shape!s:>16}: util {100 * record['utilization']:5.1f}% "
                   f"(limit {100 * record['padding_limit']:5.1f}%, narrow "
                   f"{100 * record['baseline_utilization']:5.1f}%, wide "
                   f"{100 * record['wide_baseline_utilization']:5.1f}%), model err "
                   f"{100 * record['model_error']:+.2f}%, "
                   f"{record['sim_cycles_per_s'] / 1e6:.2f}M cycles/s, "
                   f"bit-exact {record['bit_exact']}")

    args.out.mkdir(parents=True, exist_ok=True)
    write_json(records, args.out / "results.json")
    header = (f"# Benchmark results ({'quick' if args.quick else 'full'} suite, seed {seed})\n\n"
              f"Cycles come from the RTL performance counters (Verilator). Projected times are "
              f"projections from simulated cycles at {CLOCK_MHZ:.0f} MHz; CPU times are "
              f"torch.nn.LSTM or torch.nn.GRU (the row's cell) at batch 1, measured on this "
              f"machine in the same run.")
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
