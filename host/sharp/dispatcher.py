"""The tiled dispatcher: grouping per matrix, schedule, packing and register values."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from . import cycle_model
from .cells import cell_module, gates
from .config import HardwareConfig
from .cycle_model import OVERLAPPED, SEQUENTIAL, CycleEstimate, matrix_words
from .regmap import MAX_SHIFT, OP_RUN

MODE_NAMES = {SEQUENTIAL: "sequential", OVERLAPPED: "overlapped"}


@dataclass(frozen=True)
class Plan:
    config: HardwareConfig
    input_size: int
    hidden_size: int
    steps: int
    mode: int
    group_x: int
    group_h: int
    estimate: CycleEstimate
    cell: str = "lstm"  # the cell type, a key of sharp.cells.CELLS
    batch: int = 1      # B, the sequences of one RUN (ARCHITECTURE.md §6, "Batched RUNs")

    @property
    def rows(self) -> int:
        """R = Q·H gate rows of each matrix."""
        return gates(self.cell) * self.hidden_size

    @property
    def words_x(self) -> int:
        return matrix_words(self.config, self.rows, self.input_size, self.group_x)

    @property
    def words_h(self) -> int:
        return matrix_words(self.config, self.rows, self.hidden_size, self.group_h)

    @property
    def words(self) -> int:
        return self.words_x + self.words_h

    @property
    def tiles_per_group_x(self) -> int:
        """m for W_x: tiles fused into one group (the group_x register holds log2 m)."""
        return 1 << self.group_x

    @property
    def tiles_per_group_h(self) -> int:
        """m for W_h (the group_h register holds log2 m)."""
        return 1 << self.group_h

    def width(self, group: int) -> int:
        return self.config.group_width(group)

    def _grouping(self, matrix: str, register: str, group: int) -> str:
        m, rows = 1 << group, self.config.groups_in_parallel(group)
        return (f"{matrix} {m} tile{'s' if m > 1 else ''} per group ({register}={group}: "
                f"{self.width(group)} lanes wide, {rows} row{'s' if rows > 1 else ''} in parallel)")

    def describe(self) -> str:
        e = self.estimate
        return (f"{MODE_NAMES[self.mode]:>10}: {self._grouping('W_x', 'group_x', self.group_x)}, "
                f"{self._grouping('W_h', 'group_h', self.group_h)}; {self.words} weight words; "
                f"{e.cycles} cycles, utilization {100 * e.utilization:.1f}%, "
                f"stalls: dependency {e.stall_dependency}, input {e.stall_input}")


def tile_counts(config: HardwareConfig) -> str:
    """The tiles-per-group choices of a build in words: "1, 2, 4 or 8"."""
    counts = [str(1 << g) for g in range(config.max_group + 1)]
    return " or ".join([", ".join(counts[:-1]), counts[-1]] if len(counts) > 1 else counts)


def check_batch(config: HardwareConfig, batch: int) -> None:
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= config.max_batch:
        raise ValueError(f"batch={batch!r} is outside 1..{config.max_batch}, the sequences one RUN "
                         f"of the {config.name} build carries")


def check_shape(config: HardwareConfig, input_size: int, hidden: int, steps: int) -> None:
    for name, value, lo, hi in (("input_size", input_size, 1, config.max_input),
                                ("hidden_size", hidden, 1, config.max_hidden)):
        if not lo <= value <= hi:
            raise ValueError(f"{name}={value} is outside {lo}..{hi}, the capacity of the "
                             f"{config.name} build")
    if steps < 1:
        raise ValueError(f"steps={steps} must be >= 1")


def check_shifts(shift_x: int, shift_h: int) -> None:
    for name, value in (("shift_x", shift_x), ("shift_h", shift_h)):
        if not 0 <= value <= MAX_SHIFT:
            raise ValueError(f"{name}={value} is outside 0..{MAX_SHIFT}")


def plan(config: HardwareConfig, input_size: int, hidden: int, steps: int = 1,
         mode: int = OVERLAPPED, group_x: int | None = None, group_h: int | None = None,
         word_budget: int | None = None, cell: str = "lstm", batch: int = 1) -> Plan:
    """Choose the fastest grouping pair (per the cycle model) that fits `word_budget` words,
    for RUNs of `batch` sequences of `steps` steps."""
    check_shape(config, input_size, hidden, steps)
    check_batch(config, batch)
    rows = gates(cell) * hidden
    if mode not in MODE_NAMES:
        raise ValueError(f"mode={mode} is not one of {sorted(MODE_NAMES)}")
    budget = config.weight_depth if word_budget is None else word_budget
    groups = range(config.max_group + 1)
    candidates = product([group_x] if group_x is not None else groups,
                         [group_h] if group_h is not None else groups)
    best = None
    for gx, gh in candidates:
        for register, group in (("group_x", gx), ("group_h", gh)):
            if not 0 <= group <= config.max_group:
                raise ValueError(
                    f"{register}={group} is outside 0..{config.max_group}: it is log2 of the "
                    f"tiles per group, and the {config.name} build has {config.tiles} tiles: "
                    f"{tile_counts(config)} tiles per group")
        words = matrix_words(config, rows, input_size, gx) + \
            matrix_words(config, rows, hidden, gh)
        if words > budget:
            continue
        est = cycle_model.estimate(config, input_size, hidden, steps, gx, gh, mode, cell,
                                   batch=batch)
        key = (est.cycles, words, -gx - gh)  # ties: fewer words, then wider groups
        if best is None or key < best[0]:
            best = (key, Plan(config, input_size, hidden, steps, mode, gx, gh, est, cell, batch))
    if best is None:
        smallest = min(matrix_words(config, rows, input_size, g) for g in groups) + \
            min(matrix_words(config, rows, hidden, g) for g in groups)
        raise ValueError(f"a {input_size}x{hidden} {cell.upper()} layer needs at least {smallest} weight words; "
                         f"the budget is {budget} of the build's {config.weight_depth}")
    return best[1]


def run_registers(p: Plan, shift_x: int, shift_h: int, wx_base: int = 0,
                  wh_base: int | None = None, bias_base: int = 0) -> dict:
    """Register values for a RUN of this plan, by argument name (sharp.regmap.ARGUMENTS)."""
    check_shifts(shift_x, shift_h)
    wh_base = wx_base + p.words_x if wh_base is None else wh_base
    return {"opcode": OP_RUN, "input_size": p.input_size, "hidden_size": p.hidden_size,
            "steps": p.steps, "mode": p.mode, "group_x": p.group_x, "group_h": p.group_h,
            "shift_x": shift_x, "shift_h": shift_h, "wx_base": wx_base, "wh_base": wh_base,
            "bias_base": bias_base, "load_base": 0, "load_count": 0,
            "cell": cell_module(p.cell).CODE, "batch": p.batch}


def baselines(config: HardwareConfig, input_size: int, hidden: int, steps: int,
              cell: str = "lstm", batch: int = 1) -> dict[str, Plan]:
    """SHARP and the comparison designs of ARCHITECTURE.md §9, all on the same hardware, for
    RUNs of `batch` sequences."""
    wide = config.max_group
    kw = dict(cell=cell, batch=batch)
    return {
        "adaptive": plan(config, input_size, hidden, steps, OVERLAPPED, **kw),
        "narrow": plan(config, input_size, hidden, steps, SEQUENTIAL, 0, 0, **kw),
        "wide": plan(config, input_size, hidden, steps, SEQUENTIAL, wide, wide, **kw),
        "grouping_only": plan(config, input_size, hidden, steps, SEQUENTIAL, **kw),
        "schedule_only": plan(config, input_size, hidden, steps, OVERLAPPED, 0, 0, **kw),
    }
