"""Self-test of an installed sharp: the golden backend, the notebooks and, on a board, the overlay."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import sharp
import sharp.notebooks
import sharp.overlays
from sharp.dispatcher import plan

NOTEBOOKS = Path(sharp.notebooks.__file__).parent


def small_models(rng):
    """A stacked bidirectional LSTM and a GRU, random, with inputs; small enough for any build."""
    seed = int(rng.integers(2**31))
    x = rng.uniform(-1, 1, (2, 6, 5))
    return [(sharp.LSTM.random(5, 8, 2, True, seed=seed), x),
            (sharp.GRU.random(5, 8, 1, False, seed=seed + 1), x)]


def check_on(acc, rng):
    for model, x in small_models(rng):
        q = model.quantize(calibration=x)
        acc.load(q, steps_hint=x.shape[1])
        raw = acc.run(x, raw=True)
        np.testing.assert_array_equal(raw, q.run_int(q.quantize_input(x)[0]))
        # quantization error against float, far below the outputs' range of (-1, 1)
        assert np.max(np.abs(acc.run(x) - model.forward(x))) < 0.05


def test_the_golden_backend_runs_lstm_and_gru_bit_exact(rng):
    check_on(sharp.Accelerator("golden", progress=False), rng)


def test_the_notebooks_and_their_data_are_installed():
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert len(notebooks) >= 2
    for path in notebooks:
        cells = json.loads(path.read_text())["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        assert code[0].startswith('BACKEND = "verilator"'), path.name
    model = sharp.LSTM.load(NOTEBOOKS / "data" / "digits_lstm.npz")
    assert (model.input_size, model.hidden_size) == (8, 32)
    with np.load(NOTEBOOKS / "data" / "digits_data.npz") as data:
        assert data["test_pixels"].shape[1:] == (8, 8) and data["test_pixels"].max() <= 16


def test_a_missing_overlay_says_how_to_build_one(monkeypatch, tmp_path):
    monkeypatch.setattr(sharp.overlays, "OVERLAYS", tmp_path)
    monkeypatch.setenv("BOARD", "Pynq-Z2")
    with pytest.raises(FileNotFoundError, match=r"no SHARP overlay for board 'Pynq-Z2'.*make "
                                                r"bitstream BOARD=pynq-z2"):
        sharp.overlays.find_overlay()


def test_the_overlay_on_this_board(rng):
    """On a PYNQ board with an overlay installed: INFO, then both cells bit-exact with golden and
    the RUN cycles the cycle model predicts."""
    pytest.importorskip("pynq", reason="not on a board: pynq is not installed")
    try:
        bit = sharp.overlays.find_overlay()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    acc = sharp.Accelerator("pynq", bitstream=bit, progress=False)
    check_on(acc, rng)
    model, x = small_models(rng)[1]
    q = model.quantize(calibration=x)
    acc.load(q, steps_hint=x.shape[1])
    acc.run(x[:1])
    predicted = plan(acc.config, 5, 8, x.shape[1], cell="gru").estimate.cycles
    assert acc.stats.run_cycles == predicted
