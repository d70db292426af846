"""The fast harness (sharp.sim.VerilatorPort) on the RTL: stream traffic, TLAST, timeouts, cache."""
from __future__ import annotations

import numpy as np
import pytest

from sharp import program, regmap
from sharp.driver import Driver
from sharp.ports.verilator import VerilatorPort
from sharp.sim.build import build_library

from rtl_builds import BUILDS
from rtl_cases import capacity_shape, random_case, random_image, shapes_for
from harness_run import TIMEOUT_S, load, load_tables, mismatch, run


@pytest.mark.parametrize("build", sorted(BUILDS))
@pytest.mark.parametrize("mode", [0, 1], ids=["sequential", "overlapped"])
def test_random_layers_with_gaps_and_backpressure(build, mode, seed):
    config = BUILDS[build]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, in_gap_prob=0.3, out_stall_prob=0.4, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    for input_size, hidden in shapes_for(config) + [capacity_shape(config)]:
        case = random_case(input_size, hidden, int(rng.integers(2, 6)), rng)
        image = random_image(config, case, mode, rng)
        load(driver, image)
        counters, h = run(driver, image, case.x_int)
        assert not mismatch(h, case.expected), f"{image.plan.describe()}: {mismatch(h, case.expected)}"
        _, last = port.received_with_last()
        assert last[-1] and not last[:-1].any(), f"TLAST on beats {np.flatnonzero(last)}"
        assert port.bad_keep_beats == 0, "out_stream TKEEP/TSTRB not all ones"


def tlast_flags(beats: int, kind: str) -> np.ndarray:
    """TLAST per beat: 'early' adds one half way (and keeps the last), 'missing' has none."""
    flags = np.zeros(beats, np.uint8)
    if kind == "early":
        flags[[beats // 2, beats - 1]] = 1
    return flags


@pytest.mark.parametrize("kind,status", [("early", regmap.STATUS_EARLY_TLAST),
                                         ("missing", regmap.STATUS_MISSING_TLAST)])
def test_tlast_errors_on_every_operation_keep_the_data(kind, status, seed):
    """Each LOAD and the RUN with a bad TLAST: the status bit is set and the beats still count."""
    config = BUILDS["2x4"]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    case = random_case(11, 6, 3, rng)
    image = random_image(config, case, 1, rng)
    run_op = image.run(case.x_int)
    for op in [program.load_tables(), *image.load_operations(), run_op]:
        for arg, value in op.args.items():
            port.write(regmap.OFFSETS[arg], value)
        port.stream(op.send, op.recv_beats, last=tlast_flags(op.send.size, kind))
        port.write(regmap.CTRL, regmap.AP_START)
        port.wait(TIMEOUT_S)
        got = port.read(regmap.OFFSETS["status"])
        assert got == status, f"{op.name} with {kind} TLAST: status {regmap.describe_status(got)}"
    h = program.decode_hidden(port.received(), case.steps, case.cell.hidden_size)
    assert not mismatch(h, case.expected), f"{kind} TLAST: {mismatch(h, case.expected)}"
    _, h = run(Driver(port), image, case.x_int)
    assert not mismatch(h, case.expected), mismatch(h, case.expected)


def test_short_sequence_times_out_naming_the_state_then_recovers(seed):
    config = BUILDS["2x4"]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    case = random_case(6, 5, 4, rng)
    image = random_image(config, case, 1, rng)
    load(driver, image)
    op = image.run(case.x_int)
    for arg, value in op.args.items():
        port.write(regmap.OFFSETS[arg], value)
    port.stream(op.send[:-3], op.recv_beats)
    port.write(regmap.CTRL, regmap.AP_START)
    with pytest.raises(TimeoutError, match=rf"{op.send.size - 3}/{op.send.size - 3} beats sent"):
        port.wait(0.0)
    assert not port.read(regmap.CTRL) & regmap.AP_IDLE, "core idle while its input is missing"
    driver.reset()  # through the driver: the reset clears the argument registers it wrote
    assert port.read(regmap.CTRL) & regmap.AP_IDLE, "not idle after reset"
    _, h = run(driver, image, case.x_int)
    assert not mismatch(h, case.expected), mismatch(h, case.expected)


def test_load_cut_short_then_reload(seed):
    """A LOAD_WEIGHTS whose stream ends early hangs; after reset and a reload, RUN is exact."""
    config = BUILDS["8x16"]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    driver = Driver(port)
    load_tables(driver)
    case = random_case(30, 20, 3, rng)
    image = random_image(config, case, 1, rng)
    weights, bias = image.load_operations()
    driver.execute(bias, TIMEOUT_S)
    for arg, value in weights.args.items():
        port.write(regmap.OFFSETS[arg], value)
    port.stream(weights.send[: weights.send.size // 2], 0)
    port.write(regmap.CTRL, regmap.AP_START)
    with pytest.raises(TimeoutError):
        port.wait(0.0)
    driver.reset()
    load(driver, image)
    _, h = run(driver, image, case.x_int)
    assert not mismatch(h, case.expected), mismatch(h, case.expected)


def test_build_is_cached():
    config = BUILDS["2x4"]
    first = build_library(config)
    mtime = first.stat().st_mtime_ns
    assert build_library(config) == first and first.stat().st_mtime_ns == mtime


def test_port_rejects_bad_arguments():
    with pytest.raises(ValueError, match="in_gap_prob=1.5"):
        VerilatorPort(BUILDS["2x4"], in_gap_prob=1.5)
    port = VerilatorPort(BUILDS["2x4"], seed=1)
    with pytest.raises(ValueError, match="0x102"):
        port.write(0x102, 0)
    with pytest.raises(ValueError, match="does not fit 32 bits"):
        port.write(0x10, 2**32)
    with pytest.raises(ValueError, match="3 TLAST flags given for 2 beats"):
        port.stream(np.zeros(2, np.uint64), 0, last=np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match="strobe 0x10"):
        port.write(0x10, 0, strb=0x10)
    with pytest.raises(ValueError, match="cycles=-1"):
        port.run(-1)
    port.close()
    with pytest.raises(RuntimeError, match="closed"):
        port.read(0x00)
