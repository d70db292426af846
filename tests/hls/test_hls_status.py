"""sharp_top's status bits and INFO outputs in C simulation (ARCHITECTURE.md §7): bad arguments
read and write nothing, TLAST errors are flagged while the data is still used."""
from __future__ import annotations

import numpy as np
import pytest
from hls_builds import BUILDS

from sharp import hls_csim, program, regmap
from sharp.cycle_model import OVERLAPPED
from sharp.hls_csim import LayerCase, Transaction

CONFIG = BUILDS["2x4"]


def layer(rng, input_size=6, hidden=5, steps=3) -> LayerCase:
    model = hls_csim.random_float_layer(rng, input_size, hidden)
    x = model.quantize_input(rng.uniform(-4, 4, (steps, input_size)))[0][0]
    return LayerCase(CONFIG, model, x, OVERLAPPED, group_x=1, group_h=0)


def test_info_reports_the_build():
    for config in BUILDS.values():
        regs = hls_csim.run([Transaction(program.info())], config).outcomes[0].regs
        assert regs["build_info"] == config.build_info()
        assert regs["capacity_info"] == config.capacity_info()
        assert (regs["weight_depth"], regs["bias_depth"]) == (config.weight_depth, config.bias_depth)
        assert regs["status"] == 0


def bad_run_args(case: LayerCase) -> dict[str, dict]:
    """One out-of-capacity value per argument of a RUN, by what it breaks."""
    p, c = case.plan, CONFIG
    return {
        "input_size 0": {"input_size": 0},
        "input_size > MAX_INPUT": {"input_size": c.max_input + 1},
        "hidden_size 0": {"hidden_size": 0},
        "hidden_size > MAX_HIDDEN": {"hidden_size": c.max_hidden + 1},
        "steps 0": {"steps": 0},
        "mode 2": {"mode": 2},
        "group_x > log2 N": {"group_x": c.max_group + 1},
        "group_h > log2 N": {"group_h": c.max_group + 1},
        "shift_x 41": {"shift_x": regmap.MAX_SHIFT + 1},
        "shift_h 41": {"shift_h": regmap.MAX_SHIFT + 1},
        "W_x past WDEPTH": {"wx_base": c.weight_depth - p.words_x + 1},
        "W_h past WDEPTH": {"wh_base": c.weight_depth - p.words_h + 1},
        "bias past BDEPTH": {"bias_base": c.bias_depth - p.hidden_size + 1},
        "wx_base wraps 32 bits": {"wx_base": (1 << 32) - 1},
        "cell 2": {"cell": 2},
        "cell wraps 32 bits": {"cell": (1 << 32) - 1},
        "state 4": {"state": (regmap.STATE_IN | regmap.STATE_OUT) + 1},
        "state wraps 32 bits": {"state": (1 << 32) - 1},
    }


def test_bad_args_read_and_write_nothing(rng):
    case = layer(rng)
    good_run = case.run_transaction()
    bad = []
    for what, change in bad_run_args(case).items():
        bad.append((what, Transaction(program.Operation(dict(good_run.op.args, **change), good_run.op.send))))
    garbage = rng.integers(0, 1 << 63, 8 * CONFIG.macs // 4, dtype=np.uint64)
    for what, base, count in (("weights past WDEPTH", CONFIG.weight_depth - 1, 2),
                              ("zero weight words", 0, 0)):
        op = program.Operation(dict(program.load_weights(np.zeros((1, CONFIG.macs)), 0).args,
                                    load_base=base, load_count=count), garbage)
        bad.append((what, Transaction(op)))
    bias_op = program.Operation(dict(program.load_bias(np.zeros((1, 4)), 0).args,
                                     load_base=CONFIG.bias_depth, load_count=1), garbage[:2])
    bad.append(("bias past BDEPTH", Transaction(bias_op)))
    result = hls_csim.run([hls_csim.tables_transaction(), *case.load_transactions(),
                           *(t for _, t in bad), good_run], CONFIG)
    outcomes = result.outcomes[3:-1]
    for (what, t), outcome in zip(bad, outcomes):
        assert outcome.regs["status"] == regmap.STATUS_BAD_ARGS, what
        assert outcome.leftover == len(t.op.send), f"{what}: the core read input beats"
        assert len(outcome.beats) == 0 and outcome.regs["issue_cycles"] == 0, what
    # the weights, biases and state the bad operations could have touched are intact
    assert not hls_csim.run_failures(case, result.outcomes[-1])


def test_bad_opcode():
    outcome = hls_csim.run([Transaction(program.Operation(dict(program.info().args, opcode=5)))],
                           CONFIG).outcomes[0]
    assert outcome.regs["status"] == regmap.STATUS_BAD_OPCODE
    assert outcome.regs["build_info"] == CONFIG.build_info()


def tlast_at(count: int, positions) -> np.ndarray:
    flags = np.zeros(count, dtype=bool)
    flags[list(positions)] = True
    return flags


@pytest.mark.parametrize("target", ["LOAD_BIAS", "RUN"])
def test_tlast_errors_flag_and_keep_the_data(rng, target):
    """EARLY_TLAST: TLAST on a middle beat; MISSING_TLAST: none on the last one. Both use every
    beat as data, so the RUN that follows is still bit-exact."""
    case = layer(rng)
    loads = case.load_transactions()
    run = case.run_transaction()
    tagged = loads[1] if target == "LOAD_BIAS" else run
    beats = len(tagged.op.send)
    variants = {regmap.STATUS_EARLY_TLAST: tlast_at(beats, [1, beats - 1]),
                regmap.STATUS_MISSING_TLAST: tlast_at(beats, []),
                regmap.STATUS_EARLY_TLAST | regmap.STATUS_MISSING_TLAST: tlast_at(beats, [0])}
    for status, flags in variants.items():
        tagged.last = flags
        outcomes = hls_csim.run([hls_csim.tables_transaction(), *loads, run], CONFIG).outcomes
        assert outcomes[2 if target == "LOAD_BIAS" else 3].regs["status"] == status
        run_outcome = outcomes[3]
        run_outcome.regs["status"] = 0  # the RUN's own TLAST bits were just checked
        assert not hls_csim.run_failures(case, run_outcome)


def test_a_stream_that_ends_early_never_finishes_and_the_buffers_survive(rng):
    """The core waits for beats that never come (no ap_done); the C simulation reports the
    count it was waiting for. The layer's buffers stay valid, so the next RUN is exact."""
    case = layer(rng)
    run = case.run_transaction()
    short = program.Operation(run.op.args, run.op.send[:-1])
    outcomes = hls_csim.run([hls_csim.tables_transaction(), *case.load_transactions(),
                             Transaction(short), run], CONFIG).outcomes
    assert outcomes[3].stuck == (len(short.send), len(run.op.send))
    assert outcomes[3].regs == {}
    assert not hls_csim.run_failures(case, outcomes[4])


def test_resident_layers_at_different_bases(rng):
    """Weights, biases and tables persist across calls: two layers loaded side by side, then
    run alternately, are both bit-exact."""
    first = layer(rng, 7, 6, 3)
    second_model = hls_csim.random_int_layer(rng, 9, 4)
    x = second_model.quantize_input(rng.uniform(-4, 4, (4, 9)))[0][0]
    second = LayerCase(CONFIG, second_model, x, OVERLAPPED, group_x=0, group_h=1,
                       wx_base=first.image.wh_base + first.plan.words_h, bias_base=first.plan.hidden_size)
    result = hls_csim.run([hls_csim.tables_transaction(), *first.load_transactions(),
                           *second.load_transactions(), first.run_transaction(),
                           second.run_transaction(), first.run_transaction()], CONFIG)
    for case, outcome in zip((first, second, first), result.outcomes[5:]):
        assert not hls_csim.run_failures(case, outcome)


def test_gru_weight_ranges_are_those_of_3h_rows(rng):
    """A GRU's W_h ending at the last word fits (its 3H rows, not 4H, are checked) and is exact;
    one word further is BAD_ARGS. W_x at the top of the buffer likewise."""
    model = hls_csim.random_int_layer(rng, 6, 5, "gru", weight_bits=10)
    x = rng.integers(-1 << 15, 1 << 15, (3, 6))
    probe = LayerCase(CONFIG, model, x, OVERLAPPED, group_x=1, group_h=0)
    words = probe.plan.words_x + probe.plan.words_h
    top = LayerCase(CONFIG, model, x, OVERLAPPED, group_x=1, group_h=0, wx_base=CONFIG.weight_depth - words)
    run = top.run_transaction()
    past = [program.Operation(dict(run.op.args, **change), run.op.send)
            for change in ({"wh_base": run.op.args["wh_base"] + 1},
                           {"wx_base": CONFIG.weight_depth - top.plan.words_x + 1})]
    result = hls_csim.run([hls_csim.tables_transaction(), *top.load_transactions(), run,
                           *(Transaction(op) for op in past)], CONFIG)
    assert not hls_csim.run_failures(top, result.outcomes[3])
    for outcome in result.outcomes[4:]:
        assert outcome.regs["status"] == regmap.STATUS_BAD_ARGS and outcome.regs["issue_cycles"] == 0
