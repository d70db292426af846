"""HlsCsimPort: the driver and sharp.Accelerator running on the HLS C simulation."""
from __future__ import annotations

import numpy as np
import pytest
from hls_builds import BUILDS

import sharp
from sharp import LSTM, QuantizedLSTM, program, regmap
from sharp.driver import Driver
from sharp.ports.hls import HlsCsimPort

CONFIG = BUILDS["2x4"]


@pytest.fixture
def port():
    with HlsCsimPort(CONFIG) as p:
        yield p


@pytest.mark.parametrize("mode", [0, 1])
def test_accelerator_on_hls_is_bit_exact(port, rng, mode):
    model = QuantizedLSTM.from_float(LSTM.random(7, 9, num_layers=2, bidirectional=True,
                                                 seed=int(rng.integers(1 << 31))))
    acc = sharp.Accelerator(port, CONFIG, mode=mode, progress=False)
    acc.load(model)
    x = rng.uniform(-3, 3, (2, 5, 7))
    assert np.array_equal(acc.run(x, raw=True), model.forward(x, raw=True))
    assert acc.stats.issue_cycles > 0 and acc.stats.stall_output == 0


def test_info_through_the_driver(port):
    assert Driver(port).read_config(1.0) == CONFIG


def test_a_short_stream_times_out_and_reset_recovers(port, rng):
    model = QuantizedLSTM.from_float(LSTM.random(6, 5, seed=int(rng.integers(1 << 31))))
    acc = sharp.Accelerator(port, CONFIG, progress=False)
    acc.load(model)
    x = rng.uniform(-3, 3, (4, 6))
    want = model.forward(x, raw=True)
    run = acc.images[0].run(model.quantize_input(x)[0][0])
    for name, value in run.args.items():
        port.write(regmap.OFFSETS[name], value)
    port.stream(run.send[:-2], run.recv_beats)
    port.write(regmap.CTRL, regmap.AP_START)
    with pytest.raises(TimeoutError, match=f"waiting for in_stream beat {len(run.send) - 2} of {len(run.send)}"):
        port.wait(0.1)
    port.reset()
    acc.driver.forget()  # its registers were written and reset behind the driver's back
    assert np.array_equal(acc.run(x, raw=True), want)


def test_bad_arguments_report_bad_args(port):
    op = program.Operation(dict(program.info().args, opcode=regmap.OP_RUN, input_size=CONFIG.max_input + 1))
    for name, value in op.args.items():
        port.write(regmap.OFFSETS[name], value)
    port.stream(op.send, 0)
    port.write(regmap.CTRL, regmap.AP_START)
    assert port.wait(1.0) & regmap.AP_DONE
    assert port.read(regmap.OFFSETS["status"]) == regmap.STATUS_BAD_ARGS
