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


class _Elementwise:
    """When the units of one item (mode 1) are read, relative to the first issue of its phase B.

    Units go in order, at most E per cycle, one item at a time: e_j = max(avail_j, e_{j-1},
    e_{j-E} + 1) with e_0 after the previous item's last unit (s). Its solution is e_u =
    max(s + floor(u / E), start_b + D_u), D_u = max_{k <= u} (avail_k - start_b + floor((u-k) / E)).
    """

    def __init__(self, config: HardwareConfig, hidden: int, gates: int, mat_b: MatrixShape):
        self.lanes = lanes = elementwise_lanes(config)
        j = np.arange(hidden, dtype=np.int64)
        avail = ((gates * j + gates - 1) // mat_b.parallel_rows + 1) * mat_b.chunks - 1 \
            + l_mac(config)
        self.span = (hidden - 1) // lanes             # floor((H-1)/E)
        self.last = int(np.max(avail + (hidden - 1 - j) // lanes))   # D_{H-1}
        # beat k (four h) is complete with its last unit u_k; only E > 1 can finish two at once
        units = np.minimum(4 * np.arange(-(-hidden // 4), dtype=np.int64) + 3, hidden - 1)
        self.beat_units = units // lanes
        self.beat_drain = np.array([int(np.max(avail[:u + 1] + (u - j[:u + 1]) // lanes))
                                    for u in units]) if lanes > 1 else None
        self.floor = int(np.min(self.beat_drain - self.beat_units)) if lanes > 1 else 0
        self._queue = {}

    def last_read(self, start_b: int, after: int | None) -> int:
        """e_{H-1} of an item whose phase B starts at start_b, the previous item's last at after."""
        e = start_b + self.last
        return e if after is None else max(e, after + 1 + self.span)

    def queue_bound(self, start_b: int, after: int | None) -> int:
        """max_k (r_k + n - 1 - k) over the item's n beats: with λ the last beat's leaving before
        the item, the item's last beat leaves at max(λ + n, this)."""
        d = self.floor if after is None else max(self.floor, after + 1 - start_b)
        if d not in self._queue:
            n = len(self.beat_units)
            ready = np.maximum(d + self.beat_units, self.beat_drain) + L_EW
            self._queue[d] = int(np.max(ready + (n - 1 - np.arange(n))))
        return start_b + self._queue[d]


def state_beats(hidden: int, cell: str) -> tuple[int, int]:
    """(S_in, S_out): the beats an initial state adds to in_stream, a final state to out_stream,
    per sequence (ARCHITECTURE.md §8, "Carried state")."""
    names = cell_module(cell).STATE
    beats = {name: ceil_div(hidden, STATE_FORMATS[name].per_beat) for name in names}
    return sum(beats.values()), beats[names[-1]]   # the state buffer holds the last tensor


def estimate(config: HardwareConfig, input_size: int, hidden: int, steps: int,
             group_x: int, group_h: int, mode: int, cell: str = "lstm",
             state_in: bool = False, state_out: bool = False, batch: int = 1) -> CycleEstimate:
    """The counters of one RUN of `batch` sequences of `steps` steps (ARCHITECTURE.md §6)."""
    rows = gates(cell) * hidden
    mat_a = MatrixShape(rows, input_size, group_x, config)
    mat_b = MatrixShape(rows, hidden, group_h, config)
    na, nb = mat_a.words, mat_b.words
    beats_x = ceil_div(input_size, 4)
    beats_h = ceil_div(hidden, 4)
    ew = _Elementwise(config, hidden, gates(cell), mat_b)
    # mode 0, from B start: every row readable, then ceil(H/E) elementwise cycles
    drain_seq = nb - 1 + l_mac(config) + ew.span + L_EW

    s_in, s_out = state_beats(hidden, cell)
    items = steps * batch
    stall_input = stall_dep = 0
    recv_end = batch * s_in - 1 if state_in else -1   # the initial states' beats come first
    end_a = [0] * items
    ready = [0] * items
    done = [0] * items

    def receive(p: int) -> None:
        nonlocal recv_end
        free = end_a[p - 2] + 1 if p >= 2 else 0
        start = max(recv_end + 1, free)
        recv_end = start + beats_x - 1
        ready[p] = recv_end + L_X

    receive(0)
    if items > 1:
        receive(1)
    last_read = None   # the previous item's last elementwise read (mode 1)
    leave = None       # when the previous out_stream beat leaves (E > 1, mode 1)
    cursor = OV_START  # first cycle the scheduler may issue
    for p in range(items):
        # phase A_p waits for its x (and, in mode 0, for the previous item's h)
        if mode == SEQUENTIAL:
            done_prev = done[p - 1] if p else 0
            dep_wait = max(0, done_prev - cursor)
            start_a = max(cursor, done_prev, ready[p])
            stall_dep += dep_wait
            stall_input += start_a - cursor - dep_wait
        else:
            start_a = max(cursor, ready[p])
            stall_input += start_a - cursor
        end_a[p] = start_a + na - 1
        if p + 2 < items:
            receive(p + 2)
        # phase B_p waits for the h of its sequence's previous step (mode 1 only)
        start_b = end_a[p] + 1
        if mode == OVERLAPPED:
            own = done[p - batch] if p >= batch else 0
            if start_b < own:
                stall_dep += own - start_b
                start_b = own
            if ew.lanes > 1:
                bound = ew.queue_bound(start_b, last_read)
                leave = bound if leave is None else max(leave + beats_h, bound)
            last_read = ew.last_read(start_b, last_read)
            done[p] = last_read + L_EW
        else:
            done[p] = start_b + drain_seq
        cursor = start_b + nb
    last = done[-1] if leave is None else max(leave, done[-1])
    if state_out:   # the trailer's beats are complete one a cycle after the last h
        last = max(last + batch * s_out, done[-1] + 1 + batch * s_out)
    return CycleEstimate(
        cycles=last + OV_END,
        issue_cycles=items * (na + nb),
        active_lane_cycles=items * rows * (input_size + hidden),
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
