"""`make bench` (host cost): the PYNQ driver's host work per sequence, before and after the cut,
at batch 1 and in batched RUNs.

Counted, not timed: each session is recorded on the golden port and replayed through the real
PynqPort over tests/host/fake_pynq.py, which tallies every call the board would be asked to
make (register accesses, ap_done polls, DMA transfers and bytes, buffer allocations). Host
times are projections from those counts at the per-call costs below, which are stated
assumptions, not measurements on a board.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

import sharp
from sharp.ports import RecordingPort, open_port
from sharp.toolchain import REPO

sys.path.insert(0, str(REPO / "tests" / "host"))
import fake_pynq  # noqa: E402

# Host cost per call on a Zynq-7020 board (PYNQ-Z1/Z2, Python on the Cortex-A9):
# Published: 5600 MMIO.write calls took 150-200 ms on a PYNQ-Z1, 27-36 us each
# (discuss.pynq.io/t/mmio-write-is-too-slow/389); the issue quotes 30-40 us. Reads are
# assumed to cost the same as writes.
MMIO_ACCESS_US = 32.0
# ASSUMPTION: one small DMA transfer through pynq's driver, transfer() and its wait() with their
# own register accesses of the AXI DMA; the issue says a small DMA round trip is "well under a
# millisecond". No published figure found.
DMA_TRANSFER_US = 150.0
# ASSUMPTION: pynq.allocate of a small contiguous buffer with its freebuffer(). No published
# figure found.
ALLOCATE_US = 100.0

SHAPE = (8, 32, 8)  # the digits example: input 8, hidden 32, 8 steps
MODELS = {"lstm": sharp.LSTM, "gru": sharp.GRU}
# variant -> (Driver.cache_arguments, Accelerator counters): "before" is the driver before the
# cut, every argument written and every output read for every operation.
VARIANTS = {"before": (False, True), "after": (True, True), "after, counters=False": (True, False)}


def projected_us(counts: dict) -> float:
    """Host time of these calls at the costs above (a projection, not a measurement)."""
    mmio = counts["register_writes"] + counts["register_reads"] + counts["ap_done_polls"]
    dma = counts["dma_send_transfers"] + counts["dma_recv_transfers"]
    return mmio * MMIO_ACCESS_US + dma * DMA_TRANSFER_US + counts["allocations"] * ALLOCATE_US


@contextlib.contextmanager
def fake_board(log):
    """The fake pynq module, replaying `log`, in place of pynq; sys.modules restored after."""
    replay = fake_pynq.Replay(log)
    module = fake_pynq.make_module(replay)
    names = ("pynq", "pynq.lib", "sharp.ports.pynq")
    saved = {n: sys.modules.get(n) for n in names}
    sys.modules.update({"pynq": module, "pynq.lib": module.lib})
    sys.modules.pop("sharp.ports.pynq", None)  # imported again, against the fake
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bit = Path(tmp) / "sharp.bit"
            bit.write_bytes(b"bitstream")
            bit.with_suffix(".hwh").write_text("<hwh/>")
            yield replay, bit
    finally:
        for n, m in saved.items():
            if m is None:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = m


def session(acc, q, x, mark) -> list:
    """load, one RUN's batch, then len(x) sequences; mark(phase) after each step."""
    acc.load(q, steps_hint=x.shape[1])
    mark("load")
    out = [acc.run(x[:acc.batch], raw=True)]
    mark("first")
    out.append(acc.run(x, raw=True))
    mark("later")
    return out


def accelerator(backend, config, variant, **kw):
    cache, counters = VARIANTS[variant]
    acc = sharp.Accelerator(backend, config, progress=False, counters=counters, **kw)
    acc.driver.cache_arguments = cache
    return acc


def measure(cell: str, variant: str, sequences: int, seed: int,
            config: sharp.HardwareConfig | None = None, shape=SHAPE, batch: int = 1,
            layers: int = 1) -> dict:
    """Host work of `variant` on a `cell` model of `shape` (the digits model by default) and
    `layers` layers in RUNs of `batch` sequences: the first run() after load(), and per sequence
    of a later run() of `sequences` sequences, as the fake board counted them."""
    config = config or sharp.HardwareConfig()
    input_size, hidden, steps = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((sequences, steps, input_size))
    q = MODELS[cell].random(input_size, hidden, num_layers=layers, seed=seed).quantize(calibration=x)
    recorder = RecordingPort(open_port("golden", config))
    session(accelerator(recorder, config, variant, batch=batch), q, x, lambda phase: None)

    with fake_board(recorder.log) as (replay, bit):
        board = accelerator("pynq", config, variant, bitstream=bit, batch=batch)
        marks = {}
        out = session(board, q, x, lambda phase: marks.setdefault(phase, dict(replay.counts)))
        assert replay.finished(), f"replay stopped at {replay.pos} of {len(replay.log)}"
    want = q.run_int(q.quantize_input(x)[0])
    first = {k: marks["first"][k] - marks["load"][k] for k in fake_pynq.HOST_WORK}
    later = {k: (marks["later"][k] - marks["first"][k]) / sequences for k in fake_pynq.HOST_WORK}
    return {"cell": cell, "input": input_size, "hidden": hidden, "steps": steps, "layers": layers,
            "sequences": sequences, "batch": batch, "seed": seed, "variant": variant,
            "cache_arguments": VARIANTS[variant][0], "counters": VARIANTS[variant][1],
            "first_run": first, "per_sequence": later,
            "projected_us_first_run": projected_us(first),
            "projected_us_per_sequence": projected_us(later),
            "bit_exact": bool(np.array_equal(out[0], want[:batch]) and np.array_equal(out[1], want))}


def transfers(counts: dict) -> float:
    """DMA transfers, both directions."""
    return counts["dma_send_transfers"] + counts["dma_recv_transfers"]


def register_accesses(counts: dict) -> float:
    """MMIO accesses of the core's registers: writes, reads and ap_done polls."""
    return counts["register_writes"] + counts["register_reads"] + counts["ap_done_polls"]


def table(records: list[dict]) -> str:
    lines = ["| cell | driver | batch | writes | reads | ap_done polls | DMA transfers | "
             "bytes in/out | allocations | projected host µs/sequence (first RUN after load) |",
             "|" + "---|" * 10]
    for r in records:
        c = r["per_sequence"]
        num = lambda v: f"{v:.3g}"
        lines.append(
            f"| {r['cell']} | {r['variant']} | {r['batch']} | {num(c['register_writes'])} | "
            f"{num(c['register_reads'])} | {num(c['ap_done_polls'])} | "
            f"{num(transfers(c))} | "
            f"{num(c['dma_send_bytes'])}/{num(c['dma_recv_bytes'])} | {num(c['allocations'])} | "
            f"{r['projected_us_per_sequence']:.0f} ({r['projected_us_first_run']:.0f}) |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sequences", type=int, default=16, help="sequences per run() (default 16)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent,
                    help="where host_cost.json goes")
    ap.add_argument("--seed", type=int, default=None, help="model/input seed (default: fresh)")
    args = ap.parse_args(argv)
    if args.sequences < 1:
        ap.error(f"--sequences {args.sequences} must be at least 1")
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    print(f"host cost seed {seed} (reproduce with --seed {seed}); projected at "
          f"{MMIO_ACCESS_US:g} µs per register access (published), {DMA_TRANSFER_US:g} µs per "
          f"DMA transfer and {ALLOCATE_US:g} µs per allocation (assumptions)")
    batches = (1, sharp.HardwareConfig().max_batch)
    records = [measure(cell, variant, args.sequences, seed, batch=batch)
               for cell in MODELS for batch in batches for variant in VARIANTS]
    print(table(records))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "host_cost.json"
    costs = {"mmio_access_us": MMIO_ACCESS_US, "dma_transfer_us": DMA_TRANSFER_US,
             "allocate_us": ALLOCATE_US}
    path.write_text(json.dumps({"costs_us": costs, "records": records}, indent=2) + "\n")
    print(f"wrote {path}")
    return 0 if all(r["bit_exact"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
