"""Load and run a layer on a VerilatorPort through the host driver (sharp.driver)."""
from __future__ import annotations

import numpy as np

from sharp import program
from sharp.driver import Counters, Driver

TIMEOUT_S = 0.05  # 5M simulated cycles at the port's 100 MHz: far above any test layer


def load_tables(driver: Driver) -> None:
    driver.execute(program.load_tables(), TIMEOUT_S)


def load(driver: Driver, image: program.LayerImage) -> None:
    for op in image.load_operations():
        driver.execute(op, TIMEOUT_S)


def run(driver: Driver, image: program.LayerImage, x_int: np.ndarray) -> tuple[Counters, np.ndarray]:
    """RUN one sequence; returns the counters and h as (T, H) int16."""
    counters, beats = driver.execute(image.run(x_int), TIMEOUT_S)
    return counters, program.decode_hidden(beats, x_int.shape[0], image.cell.hidden_size)


def mismatch(h: np.ndarray, expected: np.ndarray) -> str:
    """'' if equal, else where and how the first difference is."""
    where = np.argwhere(h != expected)
    if where.size == 0:
        return ""
    t, j = where[0]
    return (f"{len(where)} of {h.size} h values differ from the golden model; first at "
            f"(t={t}, j={j}): got {h[t, j]}, expected {expected[t, j]}")
