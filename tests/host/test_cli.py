"""The `sharp` command: results match the golden model and the dispatcher; errors are one line, exit 2."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import sharp
from sharp import cli, dispatcher


@pytest.fixture
def files(tmp_path, rng, seed):
    model = sharp.LSTM.random(6, 10, 2, True, seed=seed)
    model.save(tmp_path / "m.npz")
    x = rng.standard_normal((3, 5, 6))
    np.save(tmp_path / "x.npy", x)
    return tmp_path, model, x


def run_cli(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("backend", ["golden", "verilator"])
def test_run_json_matches_the_golden_model(backend, files, capsys):
    d, model, x = files
    code, out, err = run_cli(capsys, "run", "--backend", backend, "--model", d / "m.npz",
                             "--input", d / "x.npy",
                             "--json", "--output", d / "h.npy", "--tiles", 2, "--lanes", 4,
                             "--max-input", 64, "--max-hidden", 64, "--weight-depth", 1024,
                             "--bias-depth", 64)
    assert code == 0, err
    r = json.loads(out)
    want = model.quantize(calibration=x)(x)
    np.testing.assert_array_equal(np.array(r["h"]), want)
    np.testing.assert_array_equal(np.load(d / "h.npy"), want)
    assert r["output_shape"] == [3, 5, 20]
    assert r["stats"]["runs"] == 3 * 4
    assert r["stats"]["active_lane_cycles"] == 3 * 5 * 4 * 10 * ((6 + 10) * 2 + (20 + 10) * 2)
    assert r["projected_ms"]["total"] == pytest.approx(r["stats"]["cycles"] / 200e3)


def test_run_text_and_sequential_mode(files, capsys):
    d, model, x = files
    code, out, _ = run_cli(capsys, "run", "--model", d / "m.npz", "--input", d / "x.npy",
                           "--mode", "sequential")
    assert code == 0
    assert "sequential: W_x " in out and "MAC utilization" in out and "projected at 200 MHz" in out


def test_plan_prints_the_dispatcher_choice_and_baselines(capsys):
    code, out, _ = run_cli(capsys, "plan", "--tiles", 8, "--lanes", 16, "--input", 40,
                           "--hidden", 100, "--steps", 50, "--json")
    assert code == 0
    r = json.loads(out)
    cfg = sharp.HardwareConfig(8, 16)
    want = dispatcher.baselines(cfg, 40, 100, 50)
    for name, p in want.items():
        assert r["plans"][name]["cycles"] == p.estimate.cycles
        assert (r["plans"][name]["group_x"], r["plans"][name]["group_h"]) == (p.group_x, p.group_h)
    code, out, _ = run_cli(capsys, "plan", "--tiles", 8, "--lanes", 16, "--input", 40,
                           "--hidden", 100, "--steps", 50)
    assert want["adaptive"].describe() in out and want["narrow"].describe() in out


def test_info_reads_the_board_table_and_the_backend(capsys):
    code, out, _ = run_cli(capsys, "info", "--board", "pynq-z2", "--json")
    assert code == 0
    r = json.loads(out)
    assert r["config"] == sharp.boards.board("pynq-z2").config.as_dict()
    code, out, _ = run_cli(capsys, "info", "--tiles", 2, "--lanes", 4, "--max-input", 64,
                           "--max-hidden", 64, "--weight-depth", 1024, "--bias-depth", 64, "--json")
    assert code == 0
    assert json.loads(out)["config"] == sharp.HardwareConfig(2, 4, 64, 64, 1024, 64).as_dict()


def bad_inputs(d):
    np.save(d / "wrong.npy", np.zeros((5, 7)))
    np.save(d / "nan.npy", np.full((5, 6), np.nan))
    (d / "junk.npz").write_bytes(b"PK not really")
    (d / "junk.npy").write_bytes(b"nonsense")
    sharp.LSTM.random(600, 8, seed=0).save(d / "big.npz")
    return [
        (["--model", d / "m.npz", "--input", d / "wrong.npy"], "feature size 7 does not match"),
        (["--model", d / "m.npz", "--input", d / "nan.npy"], "NaN"),
        (["--model", d / "big.npz", "--input", d / "x.npy"], "input feature size 6"),
        (["--model", d / "none.npz", "--input", d / "x.npy"], "model file .*none.npz does not exist"),
        (["--model", d / "m.npz", "--input", d / "none.npy"], "input file .*none.npy does not exist"),
        (["--model", d / "junk.npz", "--input", d / "x.npy"], "not a valid SHARP model file"),
        (["--model", d / "m.npz", "--input", d / "junk.npy"], "not a readable .npy array"),
        (["--model", d / "m.npz", "--input", d / "x.npy", "--tiles-per-group-x", 512],
         r"group_x=9 is outside 0\.\.3"),
        (["--model", d / "m.npz", "--input", d / "x.npy", "--board", "nope"], "unknown board 'nope'"),
    ]


def test_errors_are_one_line_with_exit_code_2(files, capsys):
    d, _, _ = files
    for argv, message in bad_inputs(d):
        code, out, err = run_cli(capsys, "run", *argv)
        assert code == 2, argv
        assert err.startswith("sharp: error: ") and err.count("\n") == 1, err
        assert re.search(message, err), (message, err)
        assert "Traceback" not in err


def test_too_large_model_for_the_build_names_the_limit(files, capsys):
    d, _, _ = files
    sharp.LSTM.random(200, 8, seed=0).save(d / "wide.npz")
    np.save(d / "x200.npy", np.zeros((4, 200)))
    code, _, err = run_cli(capsys, "run", "--model", d / "wide.npz", "--input", d / "x200.npy",
                           "--board", "pynq-z2")
    assert code == 2 and "input_size=200 is outside 1..128" in err
    code, _, err = run_cli(capsys, "run", "--model", d / "m.npz", "--input", d / "x.npy",
                           "--tiles", 2, "--lanes", 4, "--max-input", 64, "--max-hidden", 64,
                           "--weight-depth", 16, "--bias-depth", 64)
    assert code == 2 and "needs at least 100 weight words; the budget is 16" in err


def test_debug_shows_the_traceback_and_the_entry_point_works(files):
    d, _, _ = files
    argv = [sys.executable, "-m", "sharp.cli", "--debug", "run", "--model", str(d / "none.npz"),
            "--input", str(d / "x.npy")]
    r = subprocess.run(argv, capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" in r.stderr and "none.npz does not exist" in r.stderr
    r = subprocess.run([sys.executable, "-m", "sharp.cli", "plan", "--input", "8", "--hidden", "8"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "adaptive" in r.stdout
