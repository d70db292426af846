"""The pynq backend replays, over fake pynq MMIO/DMA objects, the exact transactions of a simulated run."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import sharp
from sharp.ports import RecordingPort

import fake_pynq

CONFIG = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)
SOURCES = ["verilator", "golden"]


def source_port(name):
    from sharp.ports import open_port
    return open_port(name, CONFIG)


@pytest.fixture
def bitstream(tmp_path):
    bit = tmp_path / "sharp.bit"
    bit.write_bytes(b"bitstream")
    bit.with_suffix(".hwh").write_text("<hwh/>")
    return bit


def install(monkeypatch, log, ip_dict=None):
    replay = fake_pynq.Replay(log)
    module = fake_pynq.make_module(replay, ip_dict)
    monkeypatch.setitem(sys.modules, "pynq", module)
    monkeypatch.setitem(sys.modules, "pynq.lib", module.lib)
    monkeypatch.delitem(sys.modules, "sharp.ports.pynq", raising=False)
    return replay


def recorded_session(source, rng, seed):
    x = rng.standard_normal((2, 5, 12))
    q = sharp.LSTM.random(12, 20, 2, True, seed=seed).quantize(x)  # 4 cells: reloads
    recorder = RecordingPort(source_port(source))
    sim = sharp.Accelerator(recorder, CONFIG, progress=False)
    sim_first, sim_again = session(sim, q, x, 1e-3)
    want = q.run_int(q.quantize_input(x)[0])
    np.testing.assert_array_equal(sim_first, want)
    np.testing.assert_array_equal(sim_again, want)
    return q, x, want, recorder.log, sim.stats


def replay_on_board(monkeypatch, bitstream, recorded, ip_dict=None):
    q, x, want, log, sim_stats = recorded
    replay = install(monkeypatch, log, ip_dict)
    board = sharp.Accelerator("pynq", CONFIG, bitstream=bitstream, progress=False)
    board_first, board_again = session(board, q, x, 1e-3)
    np.testing.assert_array_equal(board_first, want)
    np.testing.assert_array_equal(board_again, want)
    assert replay.finished(), f"replay stopped at {replay.pos} of {len(replay.log)}"
    assert board.stats == sim_stats
    # One reset right after the wait that never saw ap_done, one after reading BAD_ARGS.
    (first, at_first), (second, at_second) = replay.resets
    assert replay.log[at_first - 1] == ("wait", None)
    status = sharp.regmap.OFFSETS["status"]
    before = replay.log[at_first + 1:at_second]
    assert [e[2] for e in before if e[:2] == ("read", status)] == [sharp.regmap.STATUS_BAD_ARGS]
    assert replay.log[at_second - 1][0] == "read"
    assert board.driver.port.dma.sendchannel.starts == board.driver.port.dma.recvchannel.starts == 2
    return replay, (first, second)


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
    """Each reset pulses sharp_reset low then high and soft-resets the DMA; no download."""
    recorded = recorded_session(source, rng, seed)
    replay, how = replay_on_board(monkeypatch, bitstream, recorded)
    assert how == ("gpio", "gpio")
    assert replay.gpio == [0, 1, 0, 1]
    assert replay.dma_soft_resets == 2 and replay.downloads == 0


def test_an_overlay_without_the_reset_gpio_downloads_the_bitstream(monkeypatch, bitstream, rng,
                                                                    seed):
    older = {k: v for k, v in fake_pynq.DEFAULT_IP.items() if k != "sharp_reset"}
    recorded = recorded_session("golden", rng, seed)
    with pytest.warns(UserWarning, match="no sharp_reset GPIO.*downloading the bitstream again"):
        replay, how = replay_on_board(monkeypatch, bitstream, recorded, older)
    assert how == ("download", "download") and replay.downloads == 2
    assert replay.gpio == [] and replay.dma_soft_resets == 0


def test_a_dma_that_stays_in_soft_reset_falls_back_to_a_download(monkeypatch, bitstream):
    replay = install(monkeypatch, [("reset",)])
    replay.dma_reset_stuck = True
    from sharp.ports.pynq import PynqPort
    port = PynqPort(bitstream)
    with pytest.warns(UserWarning, match="soft reset did not complete within 1 s"):
        port.reset()
    assert replay.resets == [("gpio", 0)] and replay.downloads == 1 and replay.finished()
    assert port.dma.sendchannel.starts == port.dma.recvchannel.starts == 1


def test_a_reset_cell_that_is_not_a_gpio_is_refused(monkeypatch, bitstream):
    ip = dict(fake_pynq.DEFAULT_IP, sharp_reset={"type": "xilinx.com:ip:xlconstant:1.1",
                                                 "phys_addr": 0x43C1_0000, "addr_range": 0x1_0000})
    install(monkeypatch, [], ip)
    from sharp.ports.pynq import PynqPort
    with pytest.raises(ValueError, match=r"sharp_reset is xilinx\.com:ip:xlconstant:1\.1.*not an AXI GPIO"):
        PynqPort(bitstream)


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
    monkeypatch.delitem(sys.modules, "sharp.ports.pynq", raising=False)
    with pytest.raises(RuntimeError, match=r"pip install 'sharp-fpga\[board\]'"):
        sharp.Accelerator("pynq", bitstream=bitstream)
    np.testing.assert_array_equal(sharp.Accelerator("golden", CONFIG).config.macs, 8)
