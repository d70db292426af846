"""acc.stats accounts for every operation of a run (RUN and LOAD), says what each figure covers,
and says when there is no run yet or the last one failed. Timeouts are validated by name."""
from __future__ import annotations

import math

import numpy as np
import pytest

import sharp
from sharp import cli, regmap
from sharp.cycle_model import estimate

SMALL = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)
BACKENDS = ["golden", "verilator"]
# Register accesses of one operation: every argument, ap_start, at least one CTRL read, every
# output. An AXI-Lite access takes a few cycles; the harness adds no others between operations.
ACCESSES_PER_OPERATION = len(regmap.ARGUMENTS) + 2 + len(regmap.OUTPUTS)
CYCLES_PER_ACCESS = 4


def quantized(seed, input_size, hidden, layers=1, bidirectional=False, x=None):
    return sharp.LSTM.random(input_size, hidden, layers, bidirectional, seed=seed).quantize(
        calibration=x)


def load_bytes(images) -> tuple[int, int]:
    """In-stream bytes of LOAD_WEIGHTS and LOAD_BIAS for these cells (ARCHITECTURE.md §8)."""
    macs = SMALL.macs
    weights = sum(im.words * macs // 4 * 8 for im in images)
    bias = sum(im.cell.hidden_size * 2 * 8 for im in images)
    return weights, bias


@pytest.mark.parametrize("backend", BACKENDS)
def test_stats_count_the_weight_reloads_of_a_model_that_does_not_fit(backend, rng, seed):
    # 4 cells of H=20 need 80 bias units; the build has 64: every cell lives at base 0 and the
    # cells are reloaded before their runs.
    x = rng.standard_normal((2, 7, 12))
    q = quantized(seed, 12, 20, 2, True, x)
    acc = sharp.Accelerator(backend, SMALL, progress=False)
    acc.load(q, steps_hint=7)
    assert not acc.resident
    port = acc.driver.port
    for reloaded in (acc.images[1:], acc.images):  # load() already loaded cell 0 for run one
        before = getattr(port, "cycles", None)
        acc.run(x)
        s = acc.stats
        assert s.state == "complete"
        ops = s.operations
        assert ops["RUN"].count == s.runs == 4   # one RUN of both sequences per cell
        assert ops["LOAD_WEIGHTS"].count == ops["LOAD_BIAS"].count == len(reloaded)
        assert ops["LOAD_TABLES"].count == 0 and s.loads == 2 * len(reloaded)
        weight_bytes, bias_bytes = load_bytes(reloaded)
        assert (ops["LOAD_WEIGHTS"].bytes_in, ops["LOAD_BIAS"].bytes_in) == (weight_bytes, bias_bytes)
        assert s.load_bytes == weight_bytes + bias_bytes
        # ceil(I/4) beats in and ceil(H/4) out per step, 8 bytes each; layer 1 has I = 40
        assert ops["RUN"].bytes_in == 2 * 7 * 8 * (2 * 3 + 2 * 10)
        assert ops["RUN"].bytes_out == 2 * 4 * 7 * 5 * 8
        # RUN cycles follow the cycle model; a LOAD takes at least one cycle per beat
        model = sum(estimate(SMALL, im.cell.input_size, im.cell.hidden_size, 7, im.plan.group_x,
                             im.plan.group_h, 1, batch=2).cycles for im in acc.images)
        assert s.run_cycles == model
        assert s.load_cycles >= s.load_bytes // 8 > 0
        assert s.cycles == s.run_cycles + s.load_cycles
        assert s.utilization == pytest.approx(s.active_lane_cycles / (s.cycles * SMALL.macs))
        assert s.run_utilization == pytest.approx(s.active_lane_cycles / (s.run_cycles * SMALL.macs))
        assert s.utilization < s.run_utilization
        assert s.projected_ms(200) == pytest.approx(s.cycles / 200e3)
        if before is not None:
            # the simulator's own clock: the counted operations plus register accesses only
            spent = port.cycles - before
            assert 0 <= spent - s.cycles <= (s.runs + s.loads) * ACCESSES_PER_OPERATION * CYCLES_PER_ACCESS


def test_a_resident_run_has_no_loads_and_its_cycles_are_the_runs(rng, seed):
    x = rng.standard_normal((6, 12))
    q = quantized(seed, 12, 8, 2, x=x)
    acc = sharp.Accelerator("golden", SMALL, progress=False)
    acc.load(q)
    acc.run(x)
    s = acc.stats
    assert acc.resident and s.loads == 0 and s.load_bytes == 0
    assert s.cycles == s.run_cycles > 0 and s.utilization == s.run_utilization
    d = s.as_dict()
    assert d["operations"]["RUN"]["count"] == 2 and d["loads"] == 0 and d["saturation"] == {}


def test_stats_before_the_first_run_are_empty_not_none():
    acc = sharp.Accelerator("golden", SMALL, progress=False)
    s = acc.stats
    assert isinstance(s, sharp.RunStats) and s.state == "empty"
    assert (s.runs, s.loads, s.cycles, s.sequences, s.utilization) == (0, 0, 0, 0, 0.0)
    assert s.projected_ms(200) == 0.0 and s.summary() == "no run yet"
    assert s.saturation == {}


def test_a_failed_run_marks_the_stats_incomplete(rng, seed):
    x = rng.standard_normal((6, 12))
    q = quantized(seed, 12, 8, 2, x=x)
    acc = sharp.Accelerator("golden", SMALL, progress=False)
    acc.load(q)
    acc.run(x)
    good = acc.stats
    assert good.state == "complete" and good.runs == 2

    with pytest.raises(ValueError):
        acc.run(np.zeros((6, 5)))  # refused before the hardware
    assert acc.stats.state == "incomplete" and acc.stats.runs == 0 and acc.stats.cycles == 0

    second = acc.images[1]
    real_run = second.run

    def cut_short(x_int, *state):
        op = real_run(x_int, *state)
        op.send = op.send[:-1]  # the DMA stops one beat early
        return op

    second.run = cut_short
    acc.timeout_s = 1e-3
    with pytest.raises(sharp.OperationTimeout):
        acc.run(x)
    s = acc.stats
    assert s.state == "incomplete" and s.runs == 1 and s.sequences == 1
    assert s.run_cycles == estimate(SMALL, 12, 8, 6, acc.images[0].plan.group_x,
                                    acc.images[0].plan.group_h, 1).cycles
    assert "incomplete" in s.summary()

    del second.run
    acc.run(x)
    assert acc.stats.state == "complete" and acc.stats.runs == 2
    assert acc.stats.run_cycles == good.run_cycles
    # the timeout's reset made the host reload the tables and both resident cells
    ops = acc.stats.operations
    assert (ops["LOAD_TABLES"].count, ops["LOAD_WEIGHTS"].count, ops["LOAD_BIAS"].count) == (1, 2, 2)


def test_cli_run_names_run_and_load_cycles(tmp_path, rng, seed, capsys):
    model = sharp.LSTM.random(12, 20, 2, True, seed=seed)
    model.save(tmp_path / "m.npz")
    np.save(tmp_path / "x.npy", rng.standard_normal((2, 5, 12)))
    build = ["--tiles", 2, "--lanes", 4, "--max-input", 64, "--max-hidden", 64,
             "--weight-depth", 1024, "--bias-depth", 64]
    argv = ["run", "--model", tmp_path / "m.npz", "--input", tmp_path / "x.npy", *build]
    assert cli.main([str(a) for a in argv]) == 0
    out = capsys.readouterr().out
    assert "4 RUN (" in out and "6 LOAD (" in out   # one RUN of both sequences per cell
    assert "% over all" in out and "% over the" in out and "RUN cycles" in out
    assert "projected at 200 MHz over all" in out and "(RUN and LOAD)" in out


def test_stats_report_the_input_values_saturated_in_this_run(rng, seed):
    x = rng.uniform(-1, 1, (6, 12))
    q = quantized(seed, 12, 8, x=x)  # calibrated for |x| <= 1
    acc = sharp.Accelerator("golden", SMALL, progress=False)
    acc.load(q)
    acc.run(x)
    assert acc.stats.saturation == {}
    far = x.copy()
    cells = rng.choice(far.size, size=5, replace=False)
    far.flat[cells] = 1e6 * np.sign(far.flat[cells])  # far beyond int16 at any scale
    acc.run(far)
    assert acc.stats.saturation == {"input": 5} and acc.stats.as_dict()["saturation"] == {"input": 5}
    acc.run(x)
    assert acc.stats.saturation == {}


# -- timeout_s --------------------------------------------------------------------------------

@pytest.mark.parametrize("bad,error,message", [
    ("10", TypeError, r"timeout_s='10' must be a number of seconds, not str"),
    (True, TypeError, r"timeout_s=True must be a number"),
    (None, TypeError, r"timeout_s=None must be a number"),
    (0, ValueError, r"timeout_s=0 must be a finite number of seconds > 0"),
    (-1.0, ValueError, r"timeout_s=-1.0 must be"),
    (math.nan, ValueError, r"timeout_s=nan must be"),
    (math.inf, ValueError, r"timeout_s=inf must be"),
])
def test_timeout_is_validated_by_name(bad, error, message):
    with pytest.raises(error, match=message):
        sharp.Accelerator("golden", SMALL, timeout_s=bad)
    acc = sharp.Accelerator("golden", SMALL, timeout_s=np.float32(2.5))
    assert acc.timeout_s == 2.5
    with pytest.raises(error, match=message):
        acc.driver.execute(sharp.program.info(), bad)


def test_verilator_refuses_a_timeout_below_its_floor():
    from sharp.ports import verilator as sim_port
    floor = sim_port.WAIT_FLOOR_CYCLES / sim_port.CLOCK_HZ
    with pytest.raises(ValueError, match=rf"timeout_s=1e-09 is below {floor:g} s.*simulated time "
                                         rf"at 100 MHz.*{sim_port.WAIT_FLOOR_CYCLES} cycles"):
        sharp.Accelerator("verilator", SMALL, timeout_s=1e-9)
    assert sharp.Accelerator("verilator", SMALL, timeout_s=floor).timeout_s == floor
