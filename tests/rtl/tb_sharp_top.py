"""cocotb testbench of sharp_top, through its AXI ports only (so it also runs on Vitis-exported RTL).

Run by test_sharp_top_cocotb.py, which passes the build (SHARP_CONFIG), the schedule (SHARP_MODE)
and the seed (SHARP_SEED) in the environment. Expected outputs come from the golden model.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, with_timeout
from cocotbext.axi import (AxiLiteBus, AxiLiteMaster, AxiStreamBus, AxiStreamFrame,
                           AxiStreamSink, AxiStreamSource)

import sharp
from sharp import program, regmap, stream
from sharp.cells import cell_module
from sharp.config import STATE_FORMATS
from sharp.cycle_model import estimate
from sharp.golden import run_cell_carried

from rtl_cases import CELLS, case_for_cell, random_case, random_image, shapes_for

CONFIG = sharp.HardwareConfig(**json.loads(os.environ["SHARP_CONFIG"]))
MODE = int(os.environ["SHARP_MODE"])
SEED = int(os.environ["SHARP_SEED"])
CLOCK_NS = 10


def rng_for(test_name: str) -> np.random.Generator:
    return np.random.default_rng([SEED, *test_name.encode()])


def random_pauses(rng: np.random.Generator, probability: float):
    """Pause generator for cocotbext-axi: True pauses the bus for that cycle."""
    while True:
        yield bool(rng.random() < probability)


@dataclass
class Result:
    outputs: dict
    beats: np.ndarray
    frames: int  # out_stream frames (TLAST count) that carried those beats


class TB:
    def __init__(self, dut):
        self.dut = dut
        self.log = dut._log
        Clock(dut.ap_clk, CLOCK_NS, unit="ns").start()
        reset = dict(reset=dut.ap_rst_n, reset_active_level=False)
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axi_control"), dut.ap_clk, **reset)
        self.source = AxiStreamSource(AxiStreamBus.from_prefix(dut, "in_stream"), dut.ap_clk, **reset)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "out_stream"), dut.ap_clk, **reset)
        for bus in (self.axil.write_if, self.axil.read_if, self.source, self.sink):
            bus.log.setLevel(logging.WARNING)  # they log every access at INFO

    def set_backpressure(self, rng: np.random.Generator, in_gap: float, out_stall: float) -> None:
        self.source.set_pause_generator(random_pauses(rng, in_gap))
        self.sink.set_pause_generator(random_pauses(rng, out_stall))

    async def reset(self) -> None:
        self.dut.ap_rst_n.value = 0
        await ClockCycles(self.dut.ap_clk, 4)
        self.dut.ap_rst_n.value = 1
        await ClockCycles(self.dut.ap_clk, 2)

    async def read(self, offset: int) -> int:
        return await self.axil.read_dword(offset)

    async def write(self, offset: int, value: int) -> None:
        await self.axil.write_dword(offset, value)

    async def write_args(self, args: dict) -> None:
        for name, value in args.items():
            await self.write(regmap.OFFSETS[name], value)

    async def wait_done(self, budget_cycles: int) -> int:
        """Poll CTRL like a host; return the read that showed ap_done."""
        start = cocotb.utils.get_sim_time("ns") // CLOCK_NS
        while True:
            ctrl = await self.read(regmap.CTRL)
            if ctrl & regmap.AP_DONE:
                return ctrl
            now = cocotb.utils.get_sim_time("ns") // CLOCK_NS
            assert now - start < budget_cycles, (
                f"not done after {budget_cycles} cycles: {regmap.describe_ctrl(ctrl)}")
            await ClockCycles(self.dut.ap_clk, 8)

    async def read_outputs(self) -> dict:
        return {name: await self.read(regmap.OFFSETS[name]) for name in regmap.OUTPUTS}

    async def receive(self, beats: int, budget_cycles: int) -> tuple[np.ndarray, int]:
        data, frames = b"", 0
        while len(data) < 8 * beats:
            frame = await with_timeout(self.sink.recv(), CLOCK_NS * budget_cycles, "ns")
            data += bytes(frame.tdata)
            frames += 1
        return np.frombuffer(data, dtype="<u8"), frames

    async def start(self) -> None:
        await self.write(regmap.CTRL, regmap.AP_START)

    async def execute(self, op: program.Operation, frames: list[np.ndarray] | None = None,
                      budget_cycles: int | None = None) -> Result:
        """Registers, stream, ap_start, wait for ap_done, collect out_stream and the outputs."""
        await self.write_args(op.args)
        for beats in ([op.send] if frames is None else frames):
            if beats.size:
                await self.source.send(AxiStreamFrame(beats.astype("<u8").tobytes()))
        if budget_cycles is None:
            budget_cycles = budget_for(op)
        await self.start()
        await self.wait_done(budget_cycles)
        beats, count = (await self.receive(op.recv_beats, budget_cycles) if op.recv_beats
                        else (np.zeros(0, np.uint64), 0))
        return Result(await self.read_outputs(), beats, count)

    async def check_ok(self, op: program.Operation, **kw) -> Result:
        result = await self.execute(op, **kw)
        status = result.outputs["status"]
        assert status == 0, f"{op.name} ended with status {regmap.describe_status(status)}"
        return result

    async def load(self, image: program.LayerImage) -> None:
        for op in image.load_operations():
            await self.check_ok(op)

    async def run_case(self, image: program.LayerImage, case, **kw) -> Result:
        result = await self.check_ok(image.run(case.x_int), **kw)
        check_hidden(result, case, image)
        return result


def budget_for(op: program.Operation) -> int:
    """Generous cycle budget: 10x the cycle model (or the beat count) plus a floor."""
    args = op.args
    if args["opcode"] == regmap.OP_RUN:
        work = estimate(CONFIG, args["input_size"], args["hidden_size"], args["steps"],
                        args["group_x"], args["group_h"], args["mode"],
                        cell="gru" if args.get("cell") == 1 else "lstm",
                        batch=max(1, args.get("batch", 1))).cycles
    else:
        work = op.send.size
    return 10 * (work + op.recv_beats) + 20_000


def check_hidden(result: Result, case, image: program.LayerImage) -> None:
    h = program.decode_hidden(result.beats, case.steps, case.cell.hidden_size)
    where = np.argwhere(h != case.expected)
    assert where.size == 0, (
        f"{image.plan.describe()}: {len(where)} of {h.size} h values differ from the golden model, "
        f"first at (t, j) = {tuple(where[0])}: got {h[tuple(where[0])]}, "
        f"expected {case.expected[tuple(where[0])]}")
    assert result.frames == 1, f"TLAST appeared {result.frames} times; expected only on the last beat"


async def setup(dut) -> TB:
    tb = TB(dut)
    await tb.reset()
    await tb.check_ok(program.load_tables())
    return tb


@cocotb.test()
async def register_map_and_handshake(dut):
    """Argument readback, INFO outputs, ap_* semantics, ap_vld clear-on-read."""
    tb = TB(dut)
    await tb.reset()
    rng = rng_for("register_map")
    assert await tb.read(regmap.CTRL) & regmap.AP_IDLE, "not idle after reset"

    values = {name: int(rng.integers(2**32)) for name in regmap.ARGUMENTS}
    await tb.write_args(values)
    readback = {name: await tb.read(regmap.OFFSETS[name]) for name in regmap.ARGUMENTS}
    assert readback == values, f"argument readback {readback} != written {values}"

    await tb.write_args(program.info().args)
    await tb.start()
    seen = 0
    while not seen & regmap.AP_DONE:
        seen |= await tb.read(regmap.CTRL)
    assert seen & regmap.AP_READY, "ap_ready never seen during INFO"
    after = await tb.read(regmap.CTRL)
    assert after & regmap.AP_IDLE and not after & (regmap.AP_DONE | regmap.AP_READY | regmap.AP_START), \
        f"after the done read: {regmap.describe_ctrl(after)} (done/ready are clear on read)"

    for name in regmap.OUTPUTS:
        assert await tb.read(regmap.OFFSETS[name] + 4) & 1, f"{name} ap_vld not set after INFO"
        assert not await tb.read(regmap.OFFSETS[name] + 4) & 1, f"{name} ap_vld not clear on read"
    outputs = await tb.read_outputs()
    want = {"build_info": CONFIG.build_info(), "capacity_info": CONFIG.capacity_info(),
            "weight_depth": CONFIG.weight_depth, "bias_depth": CONFIG.bias_depth,
            "max_batch": CONFIG.max_batch, "status": 0}
    got = {k: outputs[k] for k in want}
    assert got == want, f"INFO outputs {got} != build {want}"

    # busy while a RUN waits for its input, done once the input arrives
    await tb.check_ok(program.load_tables())
    case = random_case(3, 2, 2, rng)
    image = random_image(CONFIG, case, MODE, rng)
    await tb.load(image)
    op = image.run(case.x_int)
    await tb.write_args(op.args)
    await tb.start()
    await ClockCycles(dut.ap_clk, 200)
    for _ in range(3):
        ctrl = await tb.read(regmap.CTRL)
        assert not ctrl & (regmap.AP_IDLE | regmap.AP_DONE), \
            f"RUN without input should be busy: {regmap.describe_ctrl(ctrl)}"
    await tb.source.send(AxiStreamFrame(op.send.astype("<u8").tobytes()))
    await tb.wait_done(budget_for(op))
    beats, frames = await tb.receive(op.recv_beats, budget_for(op))
    outputs = await tb.read_outputs()
    assert outputs["status"] == 0, regmap.describe_status(outputs["status"])
    check_hidden(Result(outputs, beats, frames), case, image)
    assert outputs["stall_input"] >= 150, \
        f"stall_input={outputs['stall_input']} after a 200-cycle wait for x_0"


@cocotb.test()
async def byte_strobes(dut):
    """A one-byte write (unaligned AWADDR, one WSTRB bit, as AXI masters issue it) changes that byte."""
    tb = TB(dut)
    await tb.reset()
    offset = regmap.OFFSETS["load_base"]
    await tb.write(offset, 0xA1B2C3D4)
    for byte in range(4):
        await tb.axil.write(offset + byte, bytes([0x50 + byte]))
    got = await tb.read(offset)
    assert got == 0x53525150, f"after byte writes at 0x{offset:02X}..: read 0x{got:08X}, want 0x53525150"


@cocotb.test()
async def interrupts(dut):
    """GIE/IER/ISR and the interrupt pin, for ap_done and ap_ready."""
    tb = TB(dut)
    await tb.reset()
    assert not dut.interrupt.value, "interrupt high after reset"
    for ier, bit in ((1, 1), (2, 2)):
        await tb.write(regmap.GIE, 1)
        await tb.write(regmap.IER, ier)
        await tb.execute(program.info())
        await ClockCycles(dut.ap_clk, 2)
        assert await tb.read(regmap.ISR) == bit, f"ISR should be {bit} with IER={ier}"
        assert dut.interrupt.value, f"interrupt pin low with GIE=1, IER={ier}, ISR={bit}"
        await tb.write(regmap.ISR, bit)  # toggle on write clears it
        await ClockCycles(dut.ap_clk, 2)
        assert await tb.read(regmap.ISR) == 0, "ISR not cleared by toggle-on-write"
        assert not dut.interrupt.value, "interrupt pin still high after clearing ISR"
    # GIE off: status still latches, the pin stays low
    await tb.write(regmap.GIE, 0)
    await tb.write(regmap.IER, 1)
    await tb.execute(program.info())
    await ClockCycles(dut.ap_clk, 2)
    assert await tb.read(regmap.ISR) & 1, "ISR bit0 not set with IER=1, GIE=0"
    assert not dut.interrupt.value, "interrupt pin high with GIE=0"
    await tb.write(regmap.ISR, 1)
    await tb.write(regmap.IER, 0)
    await tb.execute(program.info())
    await ClockCycles(dut.ap_clk, 2)
    assert await tb.read(regmap.ISR) == 0, "ISR set although IER=0"


@cocotb.test()
async def auto_restart(dut):
    """CTRL bit7: the operation restarts by itself until auto_restart is cleared."""
    tb = TB(dut)
    await tb.reset()
    await tb.write_args(program.info().args)
    await tb.write(regmap.CTRL, regmap.AP_START | regmap.AUTO_RESTART)
    for _ in range(3):  # three completions from one write
        ctrl = await tb.wait_done(2000)
        assert ctrl & regmap.AUTO_RESTART, f"auto_restart not read back: {regmap.describe_ctrl(ctrl)}"
    await tb.write(regmap.CTRL, 0)
    await ClockCycles(dut.ap_clk, 200)
    await tb.read(regmap.CTRL)  # clears the done of an operation already re-armed
    await ClockCycles(dut.ap_clk, 200)
    ctrl = await tb.read(regmap.CTRL)
    assert ctrl & regmap.AP_IDLE and not ctrl & (regmap.AP_DONE | regmap.AP_START), \
        f"still restarting after auto_restart was cleared: {regmap.describe_ctrl(ctrl)}"


@cocotb.test()
async def random_models(dut):
    """Random layers of both cells, varied shapes and random groupings, bit-exact to the golden model."""
    tb = await setup(dut)
    rng = rng_for("random_models")
    for n, (input_size, hidden) in enumerate(shapes_for(CONFIG)):
        case = random_case(input_size, hidden, int(rng.integers(2, 5)), rng, CELLS[n % 2])
        image = random_image(CONFIG, case, MODE, rng)
        tb.log.info("shape %s: %s", (input_size, hidden, case.steps), image.plan.describe())
        await tb.load(image)
        await tb.run_case(image, case)


@cocotb.test()
async def backpressure(dut):
    """Random gaps on in_stream and random backpressure on out_stream."""
    tb = await setup(dut)
    rng = rng_for("backpressure")
    tb.set_backpressure(rng, in_gap=0.3, out_stall=0.5)
    k, n = CONFIG.lanes, CONFIG.tiles
    for cell, (input_size, hidden) in zip(CELLS, ((k + 1, n + 3), (7, 2 * n + 1))):
        case = random_case(input_size, hidden, 4, rng, cell)
        image = random_image(CONFIG, case, MODE, rng)
        await tb.load(image)
        result = await tb.run_case(image, case)
        assert result.outputs["stall_output"] > 0 or result.outputs["stall_input"] > 0, \
            f"no input or output stall counted under backpressure: {result.outputs}"


@cocotb.test()
async def back_to_back_and_reload(dut):
    """Repeated runs without reloading, two resident layers, and reloading new weights."""
    tb = await setup(dut)
    rng = rng_for("back_to_back")
    k, n = CONFIG.lanes, CONFIG.tiles
    first = random_case(k + 2, n + 1, 3, rng)
    image_a = random_image(CONFIG, first, MODE, rng)
    await tb.load(image_a)
    await tb.run_case(image_a, first)
    again = case_for_cell(first.cell, 4, rng)  # same weights, a new sequence
    await tb.run_case(image_a, again)
    await tb.run_case(image_a, first)

    # a second layer resident after the first, then the first again without reloading
    other = random_case(5, 3, 2, rng)
    image_b = random_image(CONFIG, other, MODE, rng, wx_base=image_a.words,
                           bias_base=first.cell.hidden_size)
    await tb.load(image_b)
    await tb.run_case(image_b, other)
    await tb.run_case(image_a, again)

    # reload new weights over the first layer
    fresh = random_case(k + 2, n + 1, 3, rng)
    image_c = program.layer_image(CONFIG, fresh.cell, MODE, fresh.steps, image_a.plan.group_x,
                                  image_a.plan.group_h)
    await tb.load(image_c)
    await tb.run_case(image_c, fresh)


@cocotb.test()
async def lstm_and_gru_side_by_side(dut):
    """An LSTM and a GRU layer resident together: GRU after LSTM and the reverse, bit-exact (no
    state of one cell leaks into the other); BAD_ARGS for cell = 2 and a GRU past the buffer."""
    tb = await setup(dut)
    rng = rng_for("side_by_side")
    k, n = CONFIG.lanes, CONFIG.tiles
    lstm = random_case(k + 3, n + 2, 3, rng, "lstm")
    lstm_image = random_image(CONFIG, lstm, MODE, rng)
    gru = random_case(k - 1, n + 2, 3, rng, "gru")
    gru_image = random_image(CONFIG, gru, MODE, rng, wx_base=lstm_image.words,
                             bias_base=lstm.cell.hidden_size)
    await tb.load(lstm_image)
    await tb.load(gru_image)
    for image, case in ((lstm_image, lstm), (gru_image, gru), (gru_image, case_for_cell(gru.cell, 2, rng)),
                        (lstm_image, lstm), (gru_image, gru)):
        await tb.run_case(image, case)

    op = gru_image.run(gru.x_int)
    assert op.args["cell"] == 1, f"the GRU's RUN writes cell={op.args['cell']}"
    words_h = gru_image.plan.words_h
    for name, bad in (("cell", 2), ("cell", 2**31), ("wh_base", CONFIG.weight_depth - words_h + 1),
                      ("wx_base", CONFIG.weight_depth - gru_image.plan.words_x + 1)):
        result = await tb.execute(program.Operation(dict(op.args, **{name: bad})), budget_cycles=2000)
        assert result.outputs["status"] == regmap.STATUS_BAD_ARGS, \
            f"GRU RUN with {name}={bad}: status {regmap.describe_status(result.outputs['status'])}, want BAD_ARGS"
    assert tb.sink.empty(), "a rejected RUN wrote to out_stream"
    await tb.run_case(gru_image, gru)
    await tb.run_case(lstm_image, lstm)


@cocotb.test()
async def carried_state(dut):
    """A RUN per cell with STATE_IN and STATE_OUT from a random state, under stream traffic: the
    out_stream beats, the final state's trailer included, are the golden model's, in one frame."""
    tb = await setup(dut)
    rng = rng_for("carried_state")
    tb.set_backpressure(rng, in_gap=0.2, out_stall=0.3)
    k, n = CONFIG.lanes, CONFIG.tiles
    for cell, (input_size, hidden) in zip(CELLS, ((k + 1, n + 3), (5, n + 2))):
        case = random_case(input_size, hidden, 3, rng, cell)
        image = random_image(CONFIG, case, MODE, rng)
        await tb.load(image)
        initial = tuple(rng.integers(STATE_FORMATS[name].lo, STATE_FORMATS[name].hi + 1, hidden)
                        for name in cell_module(cell).STATE)
        result = await tb.check_ok(image.run(case.x_int, initial=initial, final_state=True))
        h, final = run_cell_carried(case.cell, case.x_int[None], tuple(s[None] for s in initial))
        want = np.concatenate([stream.pack_int16(h[0]), stream.final_state_beats(final[-1][0], cell)])
        bad = np.flatnonzero(result.beats != want)
        assert not bad.size, (f"{cell} {image.plan.describe()}: {bad.size} of {want.size} beats "
                              f"differ from the golden model, first beat {bad[0]}")
        assert result.frames == 1, f"TLAST appeared {result.frames} times; expected on the last beat only"


@cocotb.test()
async def batched_runs(dut):
    """A batched RUN per cell (ARCHITECTURE.md §6, "Batched RUNs") with STATE_IN and STATE_OUT
    from random states, under stream traffic: the beats (h of the items in order, then the B final
    states) are the golden model's, in one frame; then a RUN of MAX_BATCH + 1 sequences is
    BAD_ARGS and writes nothing."""
    tb = await setup(dut)
    rng = rng_for("batched_runs")
    tb.set_backpressure(rng, in_gap=0.2, out_stall=0.3)
    k, n = CONFIG.lanes, CONFIG.tiles
    for cell, (input_size, hidden) in zip(CELLS, ((k + 1, n + 3), (5, n + 2))):
        case = random_case(input_size, hidden, 3, rng, cell)
        image = random_image(CONFIG, case, MODE, rng)
        await tb.load(image)
        batch = int(rng.integers(2, CONFIG.max_batch + 1))
        x = rng.integers(-2**14, 2**14, (batch, 3, input_size)).astype(np.int16)
        initial = tuple(rng.integers(STATE_FORMATS[name].lo, STATE_FORMATS[name].hi + 1,
                                     (batch, hidden))
                        for name in cell_module(cell).STATE)
        result = await tb.check_ok(image.run(x, initial=initial, final_state=True))
        h, final = run_cell_carried(case.cell, x, initial)
        want = np.concatenate([stream.pack_int16(h.transpose(1, 0, 2).reshape(3 * batch, hidden)),
                               *(stream.final_state_beats(final[-1][b], cell) for b in range(batch))])
        bad = np.flatnonzero(result.beats != want)
        assert not bad.size, (f"{cell} B={batch} {image.plan.describe()}: {bad.size} of "
                              f"{want.size} beats differ from the golden model, first beat {bad[0]}")
        assert result.frames == 1, f"TLAST appeared {result.frames} times; expected on the last beat only"
    op = image.run(x)
    result = await tb.execute(program.Operation(dict(op.args, batch=CONFIG.max_batch + 1)),
                              budget_cycles=2000)
    assert result.outputs["status"] == regmap.STATUS_BAD_ARGS, \
        f"batch={CONFIG.max_batch + 1}: status {regmap.describe_status(result.outputs['status'])}"
    assert tb.sink.empty(), "a rejected RUN wrote to out_stream"


@cocotb.test()
async def reset_mid_run_then_clean_run(dut):
    """ap_rst_n during a RUN returns the core to idle with cleared counters; buffers survive."""
    tb = await setup(dut)
    rng = rng_for("reset_mid_run")
    case = random_case(CONFIG.lanes + 5, CONFIG.tiles + 2, 6, rng)
    image = random_image(CONFIG, case, MODE, rng)
    await tb.load(image)
    op = image.run(case.x_int)
    await tb.write_args(op.args)
    await tb.source.send(AxiStreamFrame(op.send.astype("<u8").tobytes()))
    await tb.start()
    await ClockCycles(dut.ap_clk, estimate(CONFIG, case.cell.input_size, case.cell.hidden_size,
                                           case.steps, image.plan.group_x, image.plan.group_h,
                                           MODE).cycles // 2)
    ctrl = await tb.read(regmap.CTRL)
    assert not ctrl & regmap.AP_IDLE, f"expected busy half way: {regmap.describe_ctrl(ctrl)}"
    await tb.reset()
    tb.sink.clear()
    ctrl = await tb.read(regmap.CTRL)
    assert ctrl & regmap.AP_IDLE and not ctrl & regmap.AP_DONE, \
        f"after reset: {regmap.describe_ctrl(ctrl)}"
    outputs = await tb.read_outputs()
    for name in ("cycles_lo", "cycles_hi", "issue_cycles", "stall_input", "stall_dependency"):
        assert outputs[name] == 0, f"{name}={outputs[name]} not cleared by reset"
    await ClockCycles(dut.ap_clk, 50)
    assert tb.sink.empty(), "out_stream sent beats after reset"
    # no reload: reset keeps the weight, bias and table buffers
    await tb.run_case(image, case)


@cocotb.test()
async def sequence_ends_early(dut):
    """Fewer beats than configured: the core waits (busy); the host resets; later runs are exact."""
    tb = await setup(dut)
    rng = rng_for("ends_early")
    case = random_case(9, 5, 4, rng)
    image = random_image(CONFIG, case, MODE, rng)
    await tb.load(image)
    op = image.run(case.x_int)
    short = op.send[:-(1 + op.send.size // 3)]
    await tb.write_args(op.args)
    await tb.source.send(AxiStreamFrame(short.astype("<u8").tobytes()))
    await tb.start()
    await ClockCycles(dut.ap_clk, budget_for(op) // 4)
    ctrl = await tb.read(regmap.CTRL)
    assert not ctrl & (regmap.AP_IDLE | regmap.AP_DONE), \
        f"a short sequence should leave the core waiting: {regmap.describe_ctrl(ctrl)}"
    await tb.reset()
    tb.sink.clear()
    assert await tb.read(regmap.CTRL) & regmap.AP_IDLE, "not idle after reset"
    await tb.run_case(image, case)
    await tb.run_case(image, case)


@cocotb.test()
async def tlast_and_bad_args(dut):
    """EARLY_TLAST and MISSING_TLAST status bits (data still used), BAD_ARGS, BAD_OPCODE."""
    tb = await setup(dut)
    rng = rng_for("tlast")
    case = random_case(13, 6, 3, rng)
    image = random_image(CONFIG, case, MODE, rng)
    await tb.load(image)
    op = image.run(case.x_int)

    cut = op.send.size // 2
    result = await tb.execute(op, frames=[op.send[:cut], op.send[cut:]])
    assert result.outputs["status"] == regmap.STATUS_EARLY_TLAST, \
        f"early TLAST gave status {regmap.describe_status(result.outputs['status'])}"
    check_hidden(result, case, image)

    # one extra beat after the expected ones: the last expected beat has no TLAST
    extra = np.concatenate([op.send, np.zeros(1, np.uint64)])
    result = await tb.execute(op, frames=[extra])
    assert result.outputs["status"] == regmap.STATUS_MISSING_TLAST, \
        f"missing TLAST gave status {regmap.describe_status(result.outputs['status'])}"
    check_hidden(result, case, image)
    await tb.reset()  # drops the extra beat, as a host would after a bad transfer
    await tb.run_case(image, case)

    for name, bad in (("input_size", CONFIG.max_input + 1), ("hidden_size", CONFIG.max_hidden + 1),
                      ("input_size", 0), ("steps", 0), ("group_x", CONFIG.max_group + 1),
                      ("shift_h", regmap.MAX_SHIFT + 1),
                      ("wh_base", CONFIG.weight_depth),
                      ("wx_base", CONFIG.weight_depth - image.plan.words_x + 1),
                      ("wh_base", CONFIG.weight_depth - image.plan.words_h + 1),
                      ("bias_base", CONFIG.bias_depth - case.cell.hidden_size + 1)):
        args = dict(op.args, **{name: bad})
        result = await tb.execute(program.Operation(args), budget_cycles=2000)
        assert result.outputs["status"] == regmap.STATUS_BAD_ARGS, \
            f"{name}={bad}: status {regmap.describe_status(result.outputs['status'])}, want BAD_ARGS"
    load = program.load_bias(np.zeros((2, 4), np.int32), CONFIG.bias_depth - 1)
    result = await tb.execute(program.Operation(load.args), budget_cycles=2000)
    assert result.outputs["status"] == regmap.STATUS_BAD_ARGS, \
        f"LOAD_BIAS past BDEPTH: status {regmap.describe_status(result.outputs['status'])}"
    result = await tb.execute(program.Operation(dict(op.args, opcode=7)), budget_cycles=2000)
    assert result.outputs["status"] == regmap.STATUS_BAD_OPCODE, \
        f"opcode 7: status {regmap.describe_status(result.outputs['status'])}"
    assert tb.sink.empty(), "a rejected operation wrote to out_stream"
    # nothing above consumed a beat or corrupted state
    await tb.run_case(image, case)
