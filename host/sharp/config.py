"""Build parameters of one accelerator build (docs/ARCHITECTURE.md, section 2)."""
from __future__ import annotations

from dataclasses import dataclass, asdict

CONTRACT_VERSION = 2
LUT_BITS = 12
ZF = 16  # fractional bits of the pre-activation z and of the bias
CF = 20  # fractional bits of the cell state c
C_BITS = 25  # the cell state's width on chip: c in [-16, 16)
HF = 15  # fractional bits of h and of the gate activations
MAX_BATCH_LIMIT = 64  # largest MAX_BATCH a build may have (ARCHITECTURE.md §2)


@dataclass(frozen=True)
class StateFormat:
    """How one tensor of a carried state is held (ARCHITECTURE.md §3, §8): its fractional bits,
    its width on chip, and its element on the streams (int16, four a beat, or int32, two)."""
    frac: int
    bits: int

    @property
    def per_beat(self) -> int:
        return 4 if self.bits <= 16 else 2

    @property
    def dtype(self) -> str:
        return "<i2" if self.bits <= 16 else "<i4"

    @property
    def lo(self) -> int:
        return -(1 << (self.bits - 1))

    @property
    def hi(self) -> int:
        return (1 << (self.bits - 1)) - 1


STATE_FORMATS = {"h": StateFormat(HF, 16), "c": StateFormat(CF, C_BITS)}


def _is_pow2(v: int) -> bool:
    return v > 0 and v & (v - 1) == 0


@dataclass(frozen=True)
class HardwareConfig:
    tiles: int = 8
    lanes: int = 16
    max_input: int = 512
    max_hidden: int = 512
    weight_depth: int = 8192
    bias_depth: int = 1024
    max_batch: int = 8

    def __post_init__(self):
        checks = [
            (_is_pow2(self.tiles) and self.tiles <= 64, "tiles", self.tiles, "a power of two in 1..64"),
            (_is_pow2(self.lanes) and 4 <= self.lanes <= 64, "lanes", self.lanes, "a power of two in 4..64"),
            (0 < self.max_input <= 4096 and self.max_input % 4 == 0, "max_input", self.max_input,
             "a multiple of 4 in 4..4096"),
            (0 < self.max_hidden <= 4096 and self.max_hidden % 4 == 0, "max_hidden", self.max_hidden,
             "a multiple of 4 in 4..4096"),
            (self.weight_depth >= 1, "weight_depth", self.weight_depth, ">= 1"),
            (self.bias_depth >= self.max_hidden, "bias_depth", self.bias_depth,
             f">= max_hidden ({self.max_hidden})"),
            (1 <= self.max_batch <= MAX_BATCH_LIMIT, "max_batch", self.max_batch,
             f"in 1..{MAX_BATCH_LIMIT}"),
        ]
        for ok, name, value, limit in checks:
            if not ok:
                raise ValueError(f"HardwareConfig.{name}={value} is invalid: it must be {limit}")

    @property
    def macs(self) -> int:
        """P, the number of MAC lanes."""
        return self.tiles * self.lanes

    @property
    def max_group(self) -> int:
        """Largest value of the group_x / group_h registers, log2 N: they hold log2 of the
        tiles per group, m = 2**group_x tiles fused into each group."""
        return self.tiles.bit_length() - 1

    @property
    def array(self) -> str:
        """The MAC array, tiles x lanes per tile (N x K), e.g. "8x16"."""
        return f"{self.tiles}x{self.lanes}"

    @property
    def name(self) -> str:
        """The build, capacities included, so that two builds of one array never share a name:
        "8x16-i512-h512-w8192-b1024-batch8" is N x K, MAX_INPUT, MAX_HIDDEN, WDEPTH, BDEPTH and
        MAX_BATCH."""
        return (f"{self.array}-i{self.max_input}-h{self.max_hidden}-w{self.weight_depth}"
                f"-b{self.bias_depth}-batch{self.max_batch}")

    def describe(self) -> str:
        """The build in words, for reports."""
        return (f"{self.name}: {self.tiles} tiles x {self.lanes} lanes = {self.macs} MACs, input "
                f"<= {self.max_input}, hidden <= {self.max_hidden}, {self.weight_depth} weight "
                f"words, {self.bias_depth} bias units, batches of <= {self.max_batch} sequences")

    def group_width(self, group: int) -> int:
        """w = m K lanes of one group, for the register value group = log2 m."""
        return (1 << group) * self.lanes

    def groups_in_parallel(self, group: int) -> int:
        """G = N / m groups, hence rows computed in parallel, for group = log2 m."""
        return self.tiles >> group

    def build_info(self) -> int:
        return self.tiles | (self.lanes << 8) | (LUT_BITS << 16) | (CONTRACT_VERSION << 24)

    def capacity_info(self) -> int:
        return self.max_input | (self.max_hidden << 16)

    @classmethod
    def from_info(cls, build_info: int, capacity_info: int, weight_depth: int, bias_depth: int,
                  max_batch: int) -> "HardwareConfig":
        version = (build_info >> 24) & 0xFF
        if version != CONTRACT_VERSION:
            raise ValueError(f"hardware reports contract version {version}; this host speaks "
                             f"version {CONTRACT_VERSION}")
        return cls(tiles=build_info & 0xFF, lanes=(build_info >> 8) & 0xFF,
                   max_input=capacity_info & 0xFFFF, max_hidden=(capacity_info >> 16) & 0xFFFF,
                   weight_depth=weight_depth, bias_depth=bias_depth, max_batch=max_batch)

    def as_dict(self) -> dict:
        return asdict(self)
