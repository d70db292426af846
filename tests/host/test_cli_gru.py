"""The `sharp` command with GRU models: plan --cell, run and quantize take GRU files."""
from __future__ import annotations

import json

import numpy as np
import pytest

import sharp
from sharp import cli, dispatcher
from sharp.cycle_model import padding_limit

SMALL_FLAGS = ("--tiles", 2, "--lanes", 4, "--max-input", 64, "--max-hidden", 64,
               "--weight-depth", 1024, "--bias-depth", 64)


def run_cli(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_plan_json_for_either_cell_matches_the_dispatcher(cell, capsys):
    code, out, _ = run_cli(capsys, "plan", "--cell", cell, "--input", 40, "--hidden", 100,
                           "--steps", 8, "--json")
    assert code == 0
    r = json.loads(out)
    config = sharp.HardwareConfig()
    want = dispatcher.baselines(config, 40, 100, 8, cell)
    assert r["cell"] == cell and r["rows"] == {"gru": 300, "lstm": 400}[cell]
    assert r["padding_limit"] == padding_limit(config, 40, 100, cell)
    for name, p in want.items():
        got = r["plans"][name]
        assert (got["words"], got["cycles"], got["group_x"], got["group_h"]) == \
            (p.words, p.estimate.cycles, p.group_x, p.group_h)


def test_plan_text_names_the_cell_and_lstm_stays_the_default(capsys):
    code, out, _ = run_cli(capsys, "plan", "--cell", "gru", "--input", 40, "--hidden", 100)
    assert code == 0 and out.startswith("40x100 GRU layer (300 gate rows), 1 steps")
    code, out, _ = run_cli(capsys, "plan", "--input", 40, "--hidden", 100)
    assert code == 0 and out.startswith("40x100 LSTM layer (400 gate rows)")
    with pytest.raises(SystemExit):
        cli.main(["plan", "--cell", "rnn", "--input", "4", "--hidden", "4"])
    assert "invalid choice: 'rnn' (choose from 'lstm', 'gru')" in capsys.readouterr().err


@pytest.fixture
def gru_files(tmp_path, rng, seed):
    model = sharp.GRU.random(6, 10, 2, True, seed=seed, batch_first=False)
    model.save(tmp_path / "g.npz")
    x = rng.standard_normal((5, 3, 6))  # (T, B, I): the model is time-major
    np.save(tmp_path / "x.npy", x)
    return tmp_path, model, x


def test_run_a_float_gru_file_matches_the_golden_model(gru_files, capsys):
    d, model, x = gru_files
    code, out, err = run_cli(capsys, "run", "--model", d / "g.npz", "--input", d / "x.npy",
                             "--calibration", d / "x.npy", "--json", *SMALL_FLAGS)
    assert code == 0, err
    r = json.loads(out)
    q = model.quantize(calibration=x)
    np.testing.assert_array_equal(np.array(r["h"]), q.forward(x))
    assert r["cell"] == "gru" and r["output_shape"] == [5, 3, 20]
    error = np.max(np.abs(q.forward(x) - model.forward(x)))
    assert r["max_abs_error_vs_float"] == pytest.approx(float(error))
    assert r["stats"]["active_lane_cycles"] == 3 * 5 * 3 * 10 * ((6 + 10) * 2 + (20 + 10) * 2)
    assert "GRU 6->10" in r["plan"]


def test_quantize_a_gru_then_run_the_quantized_file(gru_files, capsys):
    d, model, x = gru_files
    code, out, err = run_cli(capsys, "quantize", "--model", d / "g.npz", "--calibration",
                             d / "x.npy", "--output", d / "gq.npz", "--json")
    assert code == 0, err
    r = json.loads(out)
    assert r["cell"] == "gru" and r["output"] == str(d / "gq.npz")
    assert isinstance(sharp.load(d / "gq.npz"), sharp.QuantizedGRU)
    code, out, err = run_cli(capsys, "run", "--model", d / "gq.npz", "--input", d / "x.npy",
                             *SMALL_FLAGS)
    assert code == 0, err
    assert "(GRU, (T, B, I), time-major" in out and "no float reference" in out
    code, out, _ = run_cli(capsys, "quantize", "--model", d / "g.npz", "--output",
                           d / "text.npz")
    assert code == 0 and out.startswith(f"quantized {d / 'g.npz'} (GRU 6->10, 2 layer(s)")
    code, _, err = run_cli(capsys, "quantize", "--model", d / "gq.npz", "--output", d / "again.npz")
    assert code == 2 and "already a quantized model file" in err


def test_run_refuses_a_gru_too_large_for_the_build_in_one_line(gru_files, capsys):
    d, _, _ = gru_files
    sharp.GRU.random(6, 64, seed=1).save(d / "big.npz")
    np.save(d / "x1.npy", np.zeros((4, 6)))
    code, _, err = run_cli(capsys, "run", "--model", d / "big.npz", "--input", d / "x1.npy",
                           *SMALL_FLAGS)
    assert code == 2
    assert "a 6x64 GRU layer needs at least" in err and "the budget is 1024" in err
    assert err.count("\n") == 1


def test_info_says_every_build_runs_both_cells(capsys):
    code, out, _ = run_cli(capsys, "info", "--board", "pynq-z2", "--json")
    assert code == 0 and json.loads(out)["cells"] == ["lstm", "gru"]
    code, out, _ = run_cli(capsys, "info", "--board", "pynq-z2")
    assert code == 0 and "cells: LSTM, GRU, chosen per RUN (register cell)" in out
