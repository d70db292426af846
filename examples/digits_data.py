"""The digits task shared by train_digits.py and digits.py: scikit-learn's bundled 8x8 digits,
each image read as 8 time steps (rows) of 8 features, scaled to [-1, 1], with a fixed split."""
from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

SPLIT_SEED = 0
HELD_OUT_FRACTION = 0.25


def load_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_held_out, y_held_out); x has shape (B, 8, 8)."""
    digits = load_digits()
    x = digits.images.astype(np.float64) / 16.0 * 2.0 - 1.0  # pixel values are 0..16
    y = digits.target
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    n_held_out = round(len(y) * HELD_OUT_FRACTION)
    held_out, train = order[:n_held_out], order[n_held_out:]
    return x[train], y[train], x[held_out], y[held_out]
