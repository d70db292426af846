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
                             "--input", d / "x.npy", "--calibration", d / "x.npy",
                             "--json", "--output", d / "h.npy", "--tiles", 2, "--lanes", 4,
                             "--max-input", 64, "--max-hidden", 64, "--weight-depth", 1024,
                             "--bias-depth", 64)
    assert code == 0, err
    r = json.loads(out)
    want = model.quantize(calibration=x).forward(x)
    np.testing.assert_array_equal(np.array(r["h"]), want)
    np.testing.assert_array_equal(np.load(d / "h.npy"), want)
    assert r["output_shape"] == [3, 5, 20]
    assert r["stats"]["runs"] == 4   # one RUN of the three sequences per cell
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


# -- quantize and run: calibration, quantized files, layout, saturation (issue 10) ---------------
SMALL_BUILD = ["--tiles", 2, "--lanes", 4, "--max-input", 64, "--max-hidden", 64,
               "--weight-depth", 1024, "--bias-depth", 64]


def run_h(capsys, *argv):
    code, out, err = run_cli(capsys, "run", *argv, "--json")
    assert code == 0, err
    return np.array(json.loads(out)["h"]), json.loads(out), err


def test_a_sequences_bits_do_not_depend_on_the_batch_it_came_in(files, capsys, rng):
    d, model, _ = files
    # sequence 0 alone spans [-0.9, 0.9], the batch [-6, 6]: no scale fitted to the input
    # being run can give both the same bits
    batch = rng.uniform(-1, 1, (4, 5, 6)) * np.array([0.9, 6, 0.5, 1])[:, None, None]
    np.save(d / "batch.npy", batch)
    np.save(d / "one.npy", batch[0])
    np.save(d / "cal.npy", rng.standard_normal((8, 5, 6)) * 2)

    def same_bits(*how):
        in_batch, _, _ = run_h(capsys, *how, "--input", d / "batch.npy")
        alone, _, _ = run_h(capsys, *how, "--input", d / "one.npy")
        np.testing.assert_array_equal(in_batch[0], alone, err_msg=str(how))

    same_bits("--model", d / "m.npz")                                # the default range
    same_bits("--model", d / "m.npz", "--calibration", d / "cal.npy")
    assert run_cli(capsys, "quantize", "--model", d / "m.npz", "--calibration", d / "cal.npy",
                   "--output", d / "q.npz")[0] == 0
    same_bits("--model", d / "q.npz")                                # a deployed file


def test_run_says_what_it_calibrates_on(files, capsys):
    d, model, x = files
    code, out, _ = run_cli(capsys, "run", "--model", d / "m.npz", "--input", d / "x.npy")
    assert code == 0
    assert "input range [-16, 15.9995]" in out and "the default (no calibration data)" in out
    assert "no --calibration: the same fixed range for every input file and batch" in out
    h, r, _ = run_h(capsys, "--model", d / "m.npz", "--input", d / "x.npy")
    assert r["calibration"]["source"] == "default" and r["calibration"]["input_range"][0] == -16
    np.testing.assert_array_equal(h, model.quantize().forward(x))
    _, r, _ = run_h(capsys, "--model", d / "m.npz", "--input", d / "x.npy", "--calibration",
                    d / "x.npy")
    assert r["calibration"]["source"] == "file"
    assert r["calibration"]["input_frac"] == model.quantize(calibration=x).input_frac


@pytest.mark.parametrize("backend", ["golden", "verilator"])
def test_quantize_then_run_the_file_is_bit_identical_to_the_in_memory_model(backend, files,
                                                                              capsys, rng):
    d, model, x = files
    cal = rng.uniform(-3, 3, (6, 5, 6))
    np.save(d / "cal.npy", cal)
    code, out, err = run_cli(capsys, "quantize", "--model", d / "m.npz", "--calibration",
                             d / "cal.npy", "--output", d / "q.npz", "--json")
    assert code == 0, err
    q = model.quantize(calibration=cal)
    r = json.loads(out)
    assert r["calibration"]["input_frac"] == q.input_frac and r["weights_saturated"] == q.saturated
    h, r, _ = run_h(capsys, "--backend", backend, "--model", d / "q.npz", "--input", d / "x.npy",
                    *SMALL_BUILD)
    np.testing.assert_array_equal(h, q.forward(x))
    assert r["calibration"]["source"] == "quantized model file"
    assert r["max_abs_error_vs_float"] is None  # the file holds no float weights


def test_run_honours_a_time_major_model(tmp_path, rng, seed, capsys):
    import torch
    torch.manual_seed(seed)
    module = torch.nn.LSTM(6, 10, 2, bidirectional=True).double()  # batch_first=False
    sharp.LSTM.from_torch(module).save(tmp_path / "tm.npz")
    x = rng.uniform(-1, 1, (7, 3, 6))  # (T, B, I)
    np.save(tmp_path / "x.npy", x)
    h, r, _ = run_h(capsys, "--model", tmp_path / "tm.npz", "--input", tmp_path / "x.npy",
                    "--calibration", tmp_path / "x.npy")
    assert h.shape == (7, 3, 20) and r["batch_first"] is False
    with torch.no_grad():
        want = module(torch.from_numpy(x))[0].numpy()
    assert np.max(np.abs(h - want)) <= 2e-2


def test_run_reports_saturation_on_stderr_and_in_the_json(files, capsys):
    d, _, _ = files
    x = np.zeros((5, 6))
    x[1, 2], x[3, 4] = 40.0, -50.0  # beyond the default range [-16, 16)
    np.save(d / "big.npy", x)
    _, r, err = run_h(capsys, "--model", d / "m.npz", "--input", d / "big.npy")
    assert r["input_saturated"] == 2
    assert "sharp: warning: input: 2 of 30 values saturated" in err and "[-16, 15.9995]" in err
    assert len(r["warnings"]) == 1


def test_quantize_and_run_file_errors_name_the_file(files, capsys):
    d, _, _ = files
    (d / "notes.txt").write_text("hello")
    sharp.LSTM.random(6, 10, seed=0).quantize().save(d / "q.npz")
    cases = [
        (["run", "--model", d / "m.npz", "--input", d / "m.npz"],
         r"m\.npz is a SHARP model file \(\.npz\), not an input array"),
        (["run", "--model", d / "notes.txt", "--input", d / "x.npy"],
         r"notes\.txt is not a valid SHARP model file"),
        (["run", "--model", d / "q.npz", "--input", d / "x.npy", "--calibration", d / "x.npy"],
         "cannot re-scale a quantized model file"),
        (["run", "--model", d / "m.npz", "--input", d / "x.npy", "--calibration", d / "nope.npy"],
         r"calibration file .*nope\.npy does not exist"),
        (["quantize", "--model", d / "q.npz", "--output", d / "qq.npz"],
         "already a quantized model file"),
    ]
    for argv, message in cases:
        code, _, err = run_cli(capsys, *argv)
        assert code == 2 and err.count("\n") == 1, err
        assert re.search(message, err), (message, err)
        assert "pickle" not in err
