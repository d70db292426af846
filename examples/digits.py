"""Classify the held-out digits on the simulated accelerator (`make run`).

The LSTM (digits_lstm.npz, trained once by train_digits.py) runs on the Verilator-simulated
sharp_top; the linear head runs on the host. Float, golden fixed-point and accelerator accuracy
are printed; the accelerator must reproduce the golden model bit for bit. The last line is the
verdict: the three accuracies and whether the accelerator was bit-exact.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import sharp
import sharp.dispatcher
from sharp.config import HF
from digits_data import load_split

HERE = Path(__file__).resolve().parent


def classify(h_last: np.ndarray, head) -> np.ndarray:
    return np.argmax(h_last @ head["weight"].T + head["bias"], axis=1)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--backend", choices=["verilator", "golden"], default="verilator")
    p.add_argument("--clock-mhz", type=float, default=200.0, help="for the projected latency")
    args = p.parse_args(argv)

    model = sharp.LSTM.load(HERE / "digits_lstm.npz")
    head = dict(np.load(HERE / "digits_head.npz"))
    x_train, _, x_test, y_test = load_split()
    q = model.quantize(calibration=x_train)
    if any(q.saturated.values()):
        print(f"note: weights saturated while quantizing: {q.saturated}")

    float_pred = classify(model.forward(x_test)[:, -1], head)
    golden_raw = q.run_int(q.quantize_input(x_test)[0])
    golden_pred = classify(golden_raw[:, -1].astype(np.float64) / (1 << HF), head)

    config = sharp.HardwareConfig()  # the default 8x16 build (docs/ARCHITECTURE.md §2)
    acc = sharp.Accelerator(args.backend, config)
    acc.load(q, steps_hint=x_test.shape[1])
    start = time.perf_counter()
    raw = acc.run(x_test, raw=True)
    wall = time.perf_counter() - start
    pred = classify(raw[:, -1].astype(np.float64) / (1 << HF), head)

    same_bits = np.array_equal(raw, golden_raw) and np.array_equal(pred, golden_pred)
    s = acc.stats
    n = len(y_test)
    accuracy = {"float": np.mean(float_pred == y_test),
                "golden fixed-point": np.mean(golden_pred == y_test),
                f"accelerator ({args.backend})": np.mean(pred == y_test)}
    print(f"held-out digits: {n} sequences of {x_test.shape[1]} steps x {x_test.shape[2]} features, "
          f"LSTM hidden {model.hidden_size}, on the {config.name} build ({config.macs} MACs)")
    print(f"raw h bits identical to the golden model: {same_bits} ({raw.size} int16 values)")
    print(s.summary())
    print(f"projected latency per sequence at {args.clock_mhz:g} MHz: "
          f"{1e3 * s.projected_ms(args.clock_mhz) / n:.2f} us "
          f"({s.cycles / n:.0f} cycles); simulation took {wall:.1f} s")
    print("plan (tiles per group, rows in parallel: docs/ARCHITECTURE.md §4):")
    print(acc.describe())
    base = sharp.dispatcher.baselines(config, model.input_size, model.hidden_size, x_test.shape[1])
    print("cycle model, cycles per sequence, SHARP (adaptive) against the fixed designs of "
          "docs/ARCHITECTURE.md §9: "
          + ", ".join(f"{name} {p.estimate.cycles}" for name, p in base.items()))
    print("result: accuracy " + ", ".join(f"{k} {100 * v:.1f}%" for k, v in accuracy.items())
          + f"; accelerator bit-exact with the golden model: {'yes' if same_bits else 'NO'}")
    if not same_bits:
        print("FAIL: the accelerator differs from the golden model", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
