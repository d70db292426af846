"""The pynq backend runs a GRU: over fake pynq MMIO/DMA objects it replays, transaction for
transaction, a golden-backend run of a stacked bidirectional GRU, and returns the same bits."""
from __future__ import annotations

import sys

import numpy as np

import sharp
from sharp.ports import RecordingPort, open_port

import fake_pynq

CONFIG = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)


def test_pynq_backend_replays_a_gru_run(monkeypatch, tmp_path, rng, seed):
    x = rng.standard_normal((2, 5, 12))
    q = sharp.GRU.random(12, 20, 2, True, seed=seed).quantize(calibration=x)
    recorder = RecordingPort(open_port("golden", CONFIG))
    sim = sharp.Accelerator(recorder, CONFIG, progress=False)
    sim.load(q)
    want = sim.run(x, raw=True)
    np.testing.assert_array_equal(want, q.run_int(q.quantize_input(x)[0]))

    replay = fake_pynq.Replay(recorder.log)
    module = fake_pynq.make_module(replay)
    monkeypatch.setitem(sys.modules, "pynq", module)
    monkeypatch.setitem(sys.modules, "pynq.lib", module.lib)
    monkeypatch.delitem(sys.modules, "sharp.ports.pynq", raising=False)
    bit = tmp_path / "sharp.bit"
    bit.write_bytes(b"bitstream")
    bit.with_suffix(".hwh").write_text("<hwh/>")
    board = sharp.Accelerator("pynq", CONFIG, bitstream=bit, progress=False)
    board.load(q)
    np.testing.assert_array_equal(board.run(x, raw=True), want)
    assert replay.finished(), f"replay stopped at {replay.pos} of {len(replay.log)}"
    assert board.stats == sim.stats
