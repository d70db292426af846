"""The forecasting task shared by train_gru_membrane.py and gru_membrane.py: matplotlib's bundled
recording of a neuron's membrane potential (mpl-data/sample_data/membrane.dat, 12000 samples of
a cell that fires about every 140 samples). From a window of the last 32 samples, forecast the
potential 8 samples after it: the spikes come from the slow ramp before them, which a GRU's
state integrates. The split is chronological: the first 75% trains, the rest is held out."""
from __future__ import annotations

import numpy as np
from matplotlib import cbook

STEPS = 32             # samples in each input window (time steps of the GRU)
AHEAD = 8              # forecast this many samples after the window's last one
TRAIN_FRACTION = 0.75  # the first part of the recording; the rest is held out
TRAIN_STRIDE, HELD_OUT_STRIDE = 2, 8  # window starts; held-out windows barely overlap


def recording() -> np.ndarray:
    """The membrane potential, float64 (12000,)."""
    path = cbook.get_sample_data("membrane.dat", asfileobj=False)
    return np.fromfile(path, dtype=np.float32).astype(np.float64)


def _windows(z: np.ndarray, lo: int, hi: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
    starts = np.arange(lo, hi - STEPS - AHEAD + 1, stride)
    x = np.stack([z[s:s + STEPS] for s in starts])[..., None]
    return x, z[starts + STEPS - 1 + AHEAD]


def load_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_held_out, y_held_out): x (B, 32, 1), y (B,), standardised with the
    training part's mean and standard deviation (so errors are in its standard deviations)."""
    v = recording()
    cut = int(len(v) * TRAIN_FRACTION)
    z = (v - v[:cut].mean()) / v[:cut].std()
    return (*_windows(z, 0, cut, TRAIN_STRIDE), *_windows(z, cut, len(z), HELD_OUT_STRIDE))
