"""The contract's one rounding rule and saturation, vectorised over int64 arrays."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

# When an outlier sets a per-tensor scale, the ordinary values round to 0. A few zeros are
# ordinary rounding; this share of a tensor's values (and more than one) is a tensor lost.
ZEROED_WARN_FRACTION = 0.01


class SaturationWarning(UserWarning):
    """Values were clipped to the int range, or a tensor's scale rounded many of them to 0."""


def rnd(v, s: int) -> np.ndarray:
    """Round half up while shifting right by s: floor((v + 2**(s-1)) / 2**s)."""
    v = np.asarray(v, dtype=np.int64)
    if s == 0:
        return v
    return (v + (np.int64(1) << (s - 1))) >> s


def sat(v, bits: int) -> np.ndarray:
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return np.clip(np.asarray(v, dtype=np.int64), lo, hi)


def quantize(values, frac: int, bits: int = 16) -> tuple[np.ndarray, int]:
    """Float to fixed point with `frac` fractional bits; returns (ints, saturated count)."""
    ints, report = quantize_tensor("values", values, frac, bits)
    return ints, report.saturated


@dataclass(frozen=True)
class TensorQuantization:
    """What quantizing one tensor lost: values clipped to the range, nonzero values made 0."""
    name: str
    size: int
    saturated: int   # beyond [lo, hi]: clipped
    zeroed: int      # nonzero, but smaller than half a step: became 0
    frac: int        # fractional bits
    bits: int
    max_abs: float   # largest |value| given
    fixed_scale: bool = False  # the contract fixes frac (the bias): zeros are its resolution

    @property
    def lo(self) -> float:
        return -(2.0 ** (self.bits - 1)) / 2.0 ** self.frac

    @property
    def hi(self) -> float:
        return (2.0 ** (self.bits - 1) - 1) / 2.0 ** self.frac

    @property
    def too_many_zeroed(self) -> bool:
        return (not self.fixed_scale and self.zeroed > 1
                and self.zeroed >= ZEROED_WARN_FRACTION * self.size)

    @property
    def problems(self) -> list[str]:
        """One sentence per loss worth a warning (every saturated value is one)."""
        out = []
        scale = f"int{self.bits} with {self.frac} fractional bits"
        if self.saturated:
            out.append(f"{self.name}: {self.saturated} of {self.size} values saturated: they lie "
                       f"outside the range [{self.lo:.6g}, {self.hi:.6g}] of {scale} (largest "
                       f"|value| {self.max_abs:.6g}) and were clipped to it")
        if self.too_many_zeroed:
            out.append(f"{self.name}: {self.zeroed} of {self.size} values became 0: they are below "
                       f"half a step (2^-{self.frac + 1}) of {scale}, a scale set by its largest "
                       f"|value| {self.max_abs:.6g}; an outlier may dominate this tensor")
        return out

    def warn(self, advice: str = "", stacklevel: int = 2) -> None:
        for text in self.problems:
            warnings.warn(f"{text}{'; ' + advice if advice else ''}", SaturationWarning,
                          stacklevel=stacklevel + 1)


def quantize_tensor(name: str, values, frac: int, bits: int = 16, fixed_scale: bool = False
                    ) -> tuple[np.ndarray, TensorQuantization]:
    """quantize() that also reports what was clipped or lost to zero (no warning here)."""
    values = np.asarray(values, dtype=np.float64)
    scaled = np.floor(values * float(2 ** frac) + 0.5)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    report = TensorQuantization(
        name, int(values.size), saturated=int(np.count_nonzero((scaled < lo) | (scaled > hi))),
        zeroed=int(np.count_nonzero((scaled == 0) & (values != 0))), frac=int(frac), bits=bits,
        max_abs=float(np.max(np.abs(values))) if values.size else 0.0, fixed_scale=fixed_scale)
    return np.clip(scaled, lo, hi).astype(np.int64), report


def frac_for(max_abs: float, max_frac: int, bits: int = 16) -> int:
    """Largest fractional bit count in 0..max_frac that represents max_abs without saturating."""
    limit = (1 << (bits - 1)) - 1
    for f in range(max_frac, -1, -1):
        if np.floor(max_abs * 2.0 ** f + 0.5) <= limit:
            return f
    return 0
