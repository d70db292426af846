"""The pynq backend replays, over fake pynq MMIO/DMA objects, the exact transactions of a simulated run."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import sharp
from sharp.port import RecordingPort

import fake_pynq

CONFIG = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)
SOURCES = ["verilator", "golden"]


def source_port(name):
    from sharp.backends import open_port
    return open_port(name, CONFIG)


@pytest.fixture
def bitstream(tmp_path):
    bit = tmp_path / "sharp.bit"
    bit.write_bytes(b"bitstream")
    bit.with_suffix(".hwh").write_text("<hwh/>")
    return bit


def install(monkeypatch, log, ip_dict=None):
    replay = fake_pynq.Replay(log)
    monkeypatch.setitem(sys.modules, "pynq", fake_pynq.make_module(replay, ip_dict))
    monkeypatch.delitem(sys.modules, "sharp.backends.board", raising=False)
    return replay


def session(acc, q, x, timeout_op):
    """load, run, a sequence cut short (timeout, reset), a refused RUN (status, reset), run again."""
    acc.load(q)
    first = acc.run(x, raw=True)
    x_int, _ = q.quantize_input(x)
    op = acc.images[0].run(x_int[0])
    op.send = op.send[:-1]
    with pytest.raises(sharp.OperationTimeout, match="CTRL=0x"):
        acc.driver.execute(op, timeout_s=timeout_op)
    op = acc.images[0].run(x_int[0])
    op.args["group_x"] = CONFIG.max_group + 1
    with pytest.raises(sharp.HardwareError, match="BAD_ARGS"):
        acc.driver.execute(op, timeout_s=timeout_op)
    return first, acc.run(x, raw=True)


@pytest.mark.parametrize("source", SOURCES)
def test_pynq_driver_replays_a_recorded_run(source, monkeypatch, bitstream, rng, seed):
    x = rng.standard_normal((2, 5, 12))
    q = sharp.LSTM.random(12, 20, 2, True, seed=seed).quantize(x)  # 4 cells: reloads
    recorder = RecordingPort(source_port(source))
    sim = sharp.Accelerator(recorder, CONFIG, progress=False)
    sim_first, sim_again = session(sim, q, x, 1e-3)
    want = q.run_int(q.quantize_input(x)[0])
    np.testing.assert_array_equal(sim_first, want)
    np.testing.assert_array_equal(sim_again, want)

    replay = install(monkeypatch, recorder.log)
    board = sharp.Accelerator("pynq", CONFIG, bitstream=bitstream, progress=False)
    board_first, board_again = session(board, q, x, 1e-3)
    np.testing.assert_array_equal(board_first, want)
    np.testing.assert_array_equal(board_again, want)
    assert replay.finished(), f"replay stopped at {replay.pos} of {len(replay.log)}"
    assert replay.downloads == 2
    assert board.driver.port.dma.recvchannel.starts == 2
    assert board.stats == sim.stats


def test_pynq_backend_refuses_a_config_that_differs_from_the_build(monkeypatch, bitstream):
    recorder = RecordingPort(source_port("golden"))
    sharp.Accelerator(recorder, CONFIG, progress=False)  # records the INFO operation
    install(monkeypatch, recorder.log)
    other = sharp.HardwareConfig(8, 16, 128, 128, 1024, 256)
    with pytest.raises(ValueError, match=r"host config .*tiles=8.*does not match.*tiles=2"):
        sharp.Accelerator("pynq", other, bitstream=bitstream, progress=False)


def test_missing_or_wrong_files_are_named(monkeypatch, tmp_path, bitstream):
    install(monkeypatch, [])
    with pytest.raises(FileNotFoundError, match="nothere.bit does not exist"):
        sharp.Accelerator("pynq", bitstream=tmp_path / "nothere.bit")
    bitstream.with_suffix(".hwh").unlink()
    with pytest.raises(FileNotFoundError, match=r"sharp\.hwh does not exist"):
        sharp.Accelerator("pynq", bitstream=bitstream)
    with pytest.raises(ValueError, match=r"must be a \.bit file"):
        sharp.Accelerator("pynq", bitstream=tmp_path / "sharp.hwh")


def test_an_overlay_without_the_core_is_refused(monkeypatch, bitstream):
    only_dma = {k: v for k, v in fake_pynq.DEFAULT_IP.items() if k != "sharp_top_0"}
    install(monkeypatch, [], only_dma)
    with pytest.raises(ValueError, match=r"describes 0 sharp_top core.*axi_dma_0"):
        sharp.Accelerator("pynq", bitstream=bitstream)


def test_without_pynq_the_backend_says_how_to_install_it(monkeypatch, bitstream):
    monkeypatch.setitem(sys.modules, "pynq", None)
    monkeypatch.delitem(sys.modules, "sharp.backends.board", raising=False)
    with pytest.raises(RuntimeError, match=r"pip install 'sharp-fpga\[board\]'"):
        sharp.Accelerator("pynq", bitstream=bitstream)
    np.testing.assert_array_equal(sharp.Accelerator("golden", CONFIG).config.macs, 8)
