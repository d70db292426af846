"""Forecast a neuron's membrane potential with a GRU on the accelerator.

The GRU (membrane_gru.npz, trained once by train_gru_membrane.py on matplotlib's bundled
membrane.dat, see membrane_data.py) reads 32 samples and the linear head on its last h forecasts
the potential 8 samples later. It runs on the chosen backend (the Verilator-simulated sharp_top
by default); the head runs on the host. The forecast error of the float model, the golden
fixed-point model and the accelerator is printed side by side, with the naive forecast (the last
sample) for scale; the accelerator must reproduce the golden model bit for bit. The last line is
the verdict.
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
from membrane_data import AHEAD, load_split

HERE = Path(__file__).resolve().parent


def forecast(h_last: np.ndarray, head) -> np.ndarray:
    return h_last @ head["weight"][0] + head["bias"][0]


def rmse(prediction: np.ndarray, target: np.ndarray) -> float:
    return float(np.sqrt(np.mean((prediction - target) ** 2)))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--backend", choices=["verilator", "hls", "golden"], default="verilator")
    p.add_argument("--clock-mhz", type=float, default=200.0, help="for the projected latency")
    args = p.parse_args(argv)

    model = sharp.GRU.load(HERE / "membrane_gru.npz")
    head = dict(np.load(HERE / "membrane_head.npz"))
    x_train, _, x_test, y_test = load_split()
    q = model.quantize(calibration=x_train)

    float_forecast = forecast(model.forward(x_test)[:, -1], head)
    golden_raw = q.run_int(q.quantize_input(x_test)[0])
    golden_forecast = forecast(golden_raw[:, -1].astype(np.float64) / (1 << HF), head)

    config = sharp.HardwareConfig()  # the default 8x16 build (docs/ARCHITECTURE.md §2)
    acc = sharp.Accelerator(args.backend, config)
    acc.load(q, steps_hint=x_test.shape[1])
    start = time.perf_counter()
    raw = acc.run(x_test, raw=True)
    wall = time.perf_counter() - start
    accel_forecast = forecast(raw[:, -1].astype(np.float64) / (1 << HF), head)

    same_bits = np.array_equal(raw, golden_raw) and np.array_equal(accel_forecast, golden_forecast)
    s = acc.stats
    n = len(y_test)
    error = {"float": rmse(float_forecast, y_test),
             "golden fixed-point": rmse(golden_forecast, y_test),
             f"accelerator ({args.backend})": rmse(accel_forecast, y_test)}
    naive = rmse(x_test[:, -1, 0], y_test)
    print(f"held-out membrane potential: {n} windows of {x_test.shape[1]} samples, forecast "
          f"{AHEAD} samples ahead; GRU hidden {model.hidden_size}, on the {config.name} build "
          f"({config.macs} MACs)")
    print(f"raw h bits identical to the golden model: {same_bits} ({raw.size} int16 values)")
    print(s.summary())
    print(f"projected latency per sequence at {args.clock_mhz:g} MHz: "
          f"{1e3 * s.projected_ms(args.clock_mhz) / n:.2f} us "
          f"({s.cycles / n:.0f} cycles); simulation took {wall:.1f} s")
    print("plan (tiles per group, rows in parallel: docs/ARCHITECTURE.md §4):")
    print(acc.describe())
    base = sharp.dispatcher.baselines(config, model.input_size, model.hidden_size,
                                      x_test.shape[1], cell="gru")
    print("cycle model, cycles per sequence, SHARP (adaptive) against the fixed designs of "
          "docs/ARCHITECTURE.md §9: "
          + ", ".join(f"{name} {p.estimate.cycles}" for name, p in base.items()))
    print("result: forecast RMSE (standard deviations of the signal) "
          + ", ".join(f"{k} {v:.4f}" for k, v in error.items())
          + f"; naive last-sample forecast {naive:.4f}; accelerator bit-exact with the golden "
          f"model: {'yes' if same_bits else 'NO'}")
    if not same_bits:
        print("FAIL: the accelerator differs from the golden model", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
