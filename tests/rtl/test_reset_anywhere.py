"""ap_rst_n at every cycle of a RUN, then a clean RUN: it must be bit-exact with exactly the
expected out_stream beats (ARCHITECTURE.md §7: reset clears the core's state and FIFOs)."""
from __future__ import annotations

import numpy as np
import pytest

from sharp import program, regmap
from sharp.driver import Driver
from sharp.ports.verilator import VerilatorPort

from rtl_builds import BUILDS
from rtl_cases import CELLS, random_case
from harness_run import TIMEOUT_S, load, load_tables, mismatch


def start(port: VerilatorPort, op: program.Operation, recv_beats: int) -> None:
    for name, value in op.args.items():
        port.write(regmap.OFFSETS[name], value)
    port.stream(op.send, recv_beats)
    port.write(regmap.CTRL, regmap.AP_START)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("reset_cycles", [1, 4])
@pytest.mark.parametrize("mode", [0, 1], ids=["sequential", "overlapped"])
def test_reset_at_every_cycle_of_a_run(mode, reset_cycles, cell, seed):
    config = BUILDS["8x16"]
    rng = np.random.default_rng(seed)
    port = VerilatorPort(config, seed=seed)
    load_tables(Driver(port))
    case = random_case(config.lanes + 5, config.tiles + 2, 4, rng, cell)
    image = program.layer_image(config, case.cell, mode, case.steps)
    load(Driver(port), image)
    op = image.run(case.x_int)
    failures = []
    for cut in range(image.plan.estimate.cycles + 10):
        start(port, op, op.recv_beats)
        port.run(cut)
        port.reset(reset_cycles)
        start(port, op, op.recv_beats + 1)  # room for one stray beat, to see it
        port.wait(TIMEOUT_S)
        beats = port.received()
        if beats.size != op.recv_beats:
            failures.append(f"reset {cut} cycles into the RUN: the next RUN sent {beats.size} "
                            f"beats, expected {op.recv_beats}")
            continue
        h = program.decode_hidden(beats, case.steps, case.cell.hidden_size)
        if mismatch(h, case.expected):
            failures.append(f"reset {cut} cycles into the RUN: {mismatch(h, case.expected)}")
    assert not failures, (f"{len(failures)} reset points fail with ap_rst_n low {reset_cycles} "
                          f"cycles:\n" + "\n".join(failures[:10]))
