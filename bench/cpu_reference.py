"""torch.nn.LSTM / torch.nn.GRU CPU latency at a batch, measured in the same run as the simulations."""
from __future__ import annotations

import statistics
import time

import numpy as np


def torch_ms(cell: str, input_size: int, hidden: int, steps: int, batch: int = 1,
             layers: int = 1, repeats: int = 15) -> float:
    """Median wall time of one forward pass of a (steps, batch, input) tensor through `layers`
    layers, per sequence, in ms."""
    import torch
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](input_size, hidden, num_layers=layers).eval()
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((steps, batch, input_size))
                         .astype(np.float32))
    times = []
    with torch.inference_mode():
        module(x)  # warm-up: first call allocates
        for _ in range(repeats):
            start = time.perf_counter()
            module(x)
            times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times) / batch
