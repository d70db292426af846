"""Analytic cycle model of the accelerator (docs/ARCHITECTURE.md, section 6).

It walks the schedule one step at a time from the contract's latencies; nothing is simulated
per cycle. The RTL's performance counters must match it within 2%.
"""
from __future__ import annotations

from dataclasses import dataclass, asdict

import numpy as np

from .cells import cell_module, gates
from .config import STATE_FORMATS, HardwareConfig

L_EW = 12
L_X = 1
OV_START = 1
OV_END = 2

SEQUENTIAL = 0
OVERLAPPED = 1


def l_mac(config: HardwareConfig) -> int:
    return 4 + (config.macs.bit_length() - 1)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class MatrixShape:
    """One weight matrix (R rows, L columns) mapped at m = 2**group tiles per group: `width`
    lanes per group, `parallel_rows` rows in parallel, `batches` row batches of `chunks` words."""
    rows: int
    cols: int
    group: int
    config: HardwareConfig

    @property
    def width(self) -> int:
        return self.config.group_width(self.group)

    @property
    def parallel_rows(self) -> int:
        return self.config.groups_in_parallel(self.group)

    @property
    def batches(self) -> int:
        return ceil_div(self.rows, self.parallel_rows)

    @property
    def chunks(self) -> int:
        return ceil_div(self.cols, self.width)

    @property
    def words(self) -> int:
        return self.batches * self.chunks


def matrix_words(config: HardwareConfig, rows: int, cols: int, group: int) -> int:
    return MatrixShape(rows, cols, group, config).words


@dataclass(frozen=True)
class CycleEstimate:
    cycles: int
    issue_cycles: int
    active_lane_cycles: int
    stall_input: int
    stall_dependency: int
    macs: int

    @property
    def utilization(self) -> float:
        return self.active_lane_cycles / (self.cycles * self.macs)

    def as_dict(self) -> dict:
        return {**asdict(self), "utilization": self.utilization}


def elementwise_lanes(config: HardwareConfig) -> int:
    """E, the hidden units the elementwise unit finishes per cycle: one per 8 tiles, at most 4
    (four h fill one out_stream beat, and the stream takes one beat per cycle)."""
    return min(4, max(1, config.tiles // 8))


def _drain_after_b_start(config: HardwareConfig, hidden: int, gates: int,
                         mat_b: MatrixShape) -> int:
    """Cycles from the first issue of phase B until h_t is complete (mode 1).

    Units go in order, at most E per cycle: e_j = max(avail_j, e_{j-1}, e_{j-E} + 1), whose
    solution is e_{H-1} = max_k (avail_k + floor((H-1-k) / E)).
    """
    j = np.arange(hidden, dtype=np.int64)
    batch_of_unit = (gates * j + gates - 1) // mat_b.parallel_rows
    avail = (batch_of_unit + 1) * mat_b.chunks - 1 + l_mac(config)
    return int(np.max(avail + (hidden - 1 - j) // elementwise_lanes(config))) + L_EW


def _final_beats(config: HardwareConfig, hidden: int, gates: int, mat_b: MatrixShape) -> int:
    """out_stream beats (four h each) completed in the last elementwise cycle of a step (mode 1).

    They enter the output FIFO together and leave one a cycle, so a second one delays ap_done by
    a cycle. Only a GRU's units (3 rows, straddling row batches) can be read together across a
    beat boundary at the step's end; the LSTM's groups are aligned to 4.
    """
    lanes = elementwise_lanes(config)
    if lanes == 1:
        return 1
    j = np.arange(hidden, dtype=np.int64)
    avail = ((gates * j + gates - 1) // mat_b.parallel_rows + 1) * mat_b.chunks
    e = [0] * hidden
    for u in range(hidden):
        e[u] = max(int(avail[u]), e[u - 1] if u else 0, e[u - lanes] + 1 if u >= lanes else 0)
    first = next(u for u in range(hidden) if e[u] == e[-1])
    return 1 + (hidden - 1) // 4 - first // 4


def state_beats(hidden: int, cell: str) -> tuple[int, int]:
    """(S_in, S_out): the beats an initial state adds to in_stream, a final state to out_stream
    (ARCHITECTURE.md §8, "Carried state")."""
    names = cell_module(cell).STATE
    beats = {name: ceil_div(hidden, STATE_FORMATS[name].per_beat) for name in names}
    return sum(beats.values()), beats[names[-1]]   # the state buffer holds the last tensor


def estimate(config: HardwareConfig, input_size: int, hidden: int, steps: int,
             group_x: int, group_h: int, mode: int, cell: str = "lstm",
             state_in: bool = False, state_out: bool = False) -> CycleEstimate:
    rows = gates(cell) * hidden
    mat_a = MatrixShape(rows, input_size, group_x, config)
    mat_b = MatrixShape(rows, hidden, group_h, config)
    na, nb = mat_a.words, mat_b.words
    beats_x = ceil_div(input_size, 4)
    drain_b = _drain_after_b_start(config, hidden, gates(cell), mat_b)
    # mode 0, from B start: every row readable, then ceil(H/E) elementwise cycles
    drain_seq = nb - 1 + l_mac(config) + (hidden - 1) // elementwise_lanes(config) + L_EW

    s_in, s_out = state_beats(hidden, cell)
    stall_input = stall_dep = 0
    recv_end = s_in - 1 if state_in else -1   # the initial state's beats come first
    end_a = [None] * steps
    ready = [0] * steps

    def receive(t: int) -> None:
        nonlocal recv_end
        free = end_a[t - 2] + 1 if t >= 2 else 0
        start = max(recv_end + 1, free)
        recv_end = start + beats_x - 1
        ready[t] = recv_end + L_X

    receive(0)
    if steps > 1:
        receive(1)
    done_prev = 0
    cursor = OV_START  # first cycle the scheduler may issue
    for t in range(steps):
        # phase A_t waits for x_t (and, in mode 0, for h_{t-1})
        if mode == SEQUENTIAL:
            dep_wait = max(0, done_prev - cursor)
            start_a = max(cursor, done_prev, ready[t])
            stall_dep += dep_wait
            stall_input += start_a - cursor - dep_wait
        else:
            start_a = max(cursor, ready[t])
            stall_input += start_a - cursor
        end_a[t] = start_a + na - 1
        if t + 2 < steps:
            receive(t + 2)
        # phase B_t waits for h_{t-1} (mode 1 only; mode 0 already waited before A_t)
        start_b = end_a[t] + 1
        if mode == OVERLAPPED and start_b < done_prev:
            stall_dep += done_prev - start_b
            start_b = done_prev
        done_prev = start_b + (drain_b if mode == OVERLAPPED else drain_seq)
        cursor = start_b + nb
    cycles = done_prev + OV_END
    if state_out:
        cycles += 1 + s_out   # the trailer leaves after every h beat
    elif mode == OVERLAPPED:
        cycles += _final_beats(config, hidden, gates(cell), mat_b) - 1
    return CycleEstimate(
        cycles=cycles,
        issue_cycles=steps * (na + nb),
        active_lane_cycles=steps * rows * (input_size + hidden),
        stall_input=stall_input,
        stall_dependency=stall_dep,
        macs=config.macs,
    )


def padding_limit(config: HardwareConfig, input_size: int, hidden: int, cell: str = "lstm") -> float:
    """Best utilization any grouping allows if the lanes never wait."""
    rows = gates(cell) * hidden
    best = [min(matrix_words(config, rows, cols, g) for g in range(config.max_group + 1))
            for cols in (input_size, hidden)]
    return rows * (input_size + hidden) / (config.macs * sum(best))
