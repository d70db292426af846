"""`make hls-csim` (python -m sharp.hls_csim) and the vector files it writes for vitis_hls."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hls_builds import BUILDS

import sharp
from sharp import hls_csim, regmap
from sharp.boards import boards


def test_make_hls_csim_passes_and_prints_a_summary(seed):
    proc = subprocess.run([sys.executable, "-m", "sharp.hls_csim"], capture_output=True, text=True,
                          env=dict(os.environ, SHARP_SEED=str(seed)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    total = 2 * (len(hls_csim.SHAPES) + len(hls_csim.GRU_SHAPES) + len(hls_csim.BATCH_SHAPES))
    assert f"{total}/{total} passed (seed {seed})" in proc.stdout
    assert proc.stdout.count("PASS") == total
    batched_gru = sum(kind == "gru" for kind, _ in hls_csim.BATCH_SHAPES)
    assert proc.stdout.count(" gru ") == 2 * (len(hls_csim.GRU_SHAPES) + batched_gru)
    # the batched rows run MAX_BATCH sequences
    batch = f" {sharp.HardwareConfig().max_batch} "
    assert sum(batch in line for line in proc.stdout.splitlines() if "PASS" in line) >= 2 * len(hls_csim.BATCH_SHAPES)


def test_vitis_vectors_pass_the_testbench_for_each_board(tmp_path, rng):
    """run_hls.tcl's csim/cosim vectors for a board build, replayed by the g++ testbench."""
    for name, board in boards().items():
        config = board.config
        macros = [f"{m}={getattr(config, f)}" for m, f in hls_csim.MACROS]
        assert hls_csim.config_from_macros(macros) == config
        path = tmp_path / f"{name}.txt"
        hls_csim.write_vectors(path, hls_csim.vitis_transactions(config, rng))
        exe = hls_csim.build(config)
        proc = subprocess.run([str(exe), str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{name}: {proc.stdout}{proc.stderr}"
        assert "0 mismatches" in proc.stdout


def test_vitis_transactions_expect_every_outcome(rng):
    transactions = hls_csim.vitis_transactions(BUILDS["2x4"], rng)
    assert all(t.expect is not None and t.expect_status is not None for t in transactions)
    assert transactions[-1].expect_status == regmap.STATUS_BAD_ARGS


def test_build_settings_are_checked():
    with pytest.raises(ValueError, match="SHARP_Q=3"):
        hls_csim.config_from_macros(["SHARP_Q=3"])
    with pytest.raises(ValueError, match="tiles=3"):
        hls_csim.config_from_macros(["SHARP_N=3"])


def test_the_testbench_fails_on_a_wrong_expectation(rng):
    """The testbench's exit status (what vitis_hls csim/cosim report) really checks the beats."""
    config = BUILDS["2x4"]
    transactions = hls_csim.vitis_transactions(config, rng)
    run = next(t for t in transactions if t.op.args["opcode"] == regmap.OP_RUN)
    assert hls_csim.run(transactions, config).testbench_passed
    run.expect = run.expect.copy()
    run.expect[0] ^= 1
    result = hls_csim.run(transactions, config)
    assert not result.testbench_passed
    assert "beat 0" in result.log and "1 mismatches" in result.log


def test_make_hls_csim_exits_non_zero_when_a_shape_fails(monkeypatch, capsys):
    monkeypatch.setattr(hls_csim, "SHAPES", ((3, 5, 2),))
    monkeypatch.setattr(hls_csim, "GRU_SHAPES", ())
    monkeypatch.setattr(hls_csim, "BATCH_SHAPES", ())
    monkeypatch.setattr(hls_csim, "run_failures", lambda case, outcome: ["h[0][0] differs"])
    assert hls_csim.main([]) == 1
    out = capsys.readouterr().out
    assert out.count("FAIL") == 2 and "h[0][0] differs" in out and "0/2 passed" in out
