"""Stream a neuron's membrane potential through the GRU forecaster, one sample at a time.

The GRU of gru_membrane.py (membrane_gru.npz, hidden 16) runs on the chosen backend (the
Verilator-simulated sharp_top by default) as a streaming model would on a board: each new sample
is one frame, stream.step(frame) runs it as one RUN that starts from the state the last frame
left (STATE_IN, ARCHITECTURE.md §8 "Carried state"), and the head forecasts the potential 8
samples ahead from every h. The host carries the state between frames. The streamed h must equal,
bit for bit, one call over the whole stretch; the per-frame cycles and the latency they take at
the board's clock (overlay/boards.csv) are printed. The last line is the verdict.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

import sharp
from sharp.boards import board
from sharp.cycle_model import state_beats
from membrane_data import AHEAD, load_split, recording, TRAIN_FRACTION

HERE = Path(__file__).resolve().parent


def held_out_signal(frames: int) -> np.ndarray:
    """The first `frames` held-out samples, standardised as the training windows: (frames, 1)."""
    v = recording()
    cut = int(len(v) * TRAIN_FRACTION)
    z = (v - v[:cut].mean()) / v[:cut].std()
    return z[cut:cut + frames, None]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--backend", choices=["verilator", "hls", "golden"], default="verilator")
    p.add_argument("--board", default="pynq-z2", help="its clock sets the projected latency")
    p.add_argument("--frames", type=int, default=200, help="samples streamed, one per frame")
    args = p.parse_args(argv)

    model = sharp.GRU.load(HERE / "membrane_gru.npz")
    head = dict(np.load(HERE / "membrane_head.npz"))
    x_train = load_split()[0]
    q = model.quantize(calibration=x_train)
    signal = held_out_signal(args.frames)
    clock = board(args.board).clock_mhz

    config = sharp.HardwareConfig()  # the default 8x16 build (docs/ARCHITECTURE.md §2)
    acc = sharp.Accelerator(args.backend, config, progress=False)
    acc.load(q, steps_hint=1)
    whole, h_n = acc(signal, raw=True)  # one RUN over the whole stretch
    whole_cycles = acc.stats.cycles

    stream = acc.stream()
    streamed, cycles, beats = [], [], []
    start = time.perf_counter()
    for frame in tqdm(signal, desc=f"streaming on {args.backend}", unit="frame"):
        streamed.append(stream.step(frame, raw=True))
        s = acc.stats
        cycles.append(s.cycles)
        beats.append((s.bytes_in + s.bytes_out) // 8)
    wall = time.perf_counter() - start
    streamed = np.stack(streamed)
    same_bits = np.array_equal(streamed, whole) and np.array_equal(
        np.round(stream.state * 2 ** 15).astype(np.int16), h_n)

    h = streamed.astype(np.float64) / 2 ** 15
    forecast = h @ head["weight"][0] + head["bias"][0]
    target = signal[AHEAD:, 0]
    rmse = lambda guess: float(np.sqrt(np.mean((guess[:-AHEAD] - target) ** 2)))
    per_frame = float(np.mean(cycles))
    print(f"{args.frames} samples of the held-out membrane potential, one frame each, GRU "
          f"hidden {model.hidden_size} on the {config.name} build ({config.macs} MACs), backend "
          f"{args.backend}")
    print(f"per frame: {per_frame:.0f} busy cycles (min {min(cycles)}, max {max(cycles)}), "
          f"{np.mean(beats):.0f} stream beats in and out (the state's "
          f"{state_beats(model.hidden_size, 'gru')[0]} of them); projected latency {per_frame / clock:.2f} us at {args.board}'s "
          f"{clock:g} MHz, plus the host's register and DMA set-up per frame on a board")
    print(f"one RUN over all {args.frames} samples: {whole_cycles} cycles, "
          f"{whole_cycles / args.frames:.0f} a sample; simulating the stream took {wall:.1f} s")
    print(f"result: streamed h bit-identical to one call over the whole stretch, final state "
          f"included: {'yes' if same_bits else 'NO'}; forecast RMSE {AHEAD} samples ahead "
          f"{rmse(forecast):.4f}, naive last-sample forecast {rmse(signal[:, 0]):.4f} "
          "(standard deviations of the signal)")
    if not same_bits:
        print("FAIL: the streamed outputs differ from the whole-sequence outputs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
