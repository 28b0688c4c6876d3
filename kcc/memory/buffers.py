"""Buffers to place: a size, an alignment, a pool and a live interval of execution steps.

Time is the index of an op in execution order. A buffer is live from the step that writes it (`start`) to the
last step that reads it (`end`), both inclusive, so an op's operands and results are live together at the op's
step and never share memory. Two buffers *conflict* when their intervals intersect; conflicting buffers must
not overlap in the address space. Sizes, offsets and alignments are in the pool's unit (bytes for main RAM,
64-byte lines for KPU RAM).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Buffer", "Plan", "conflicts", "live_bytes", "lower_bound", "peak_of"]


@dataclass(frozen=True)
class Buffer:
    """One allocation: `size` units at an offset that is a multiple of `align`, live during steps start…end."""

    id: int
    size: int
    start: int
    end: int
    align: int = 1
    pool: str = "main"
    name: str = ""
    aliases: tuple[str, ...] = ()  # names of the values that share this buffer (views, in-place concat inputs)

    def __post_init__(self) -> None:
        if self.size < 0 or self.align < 1 or self.end < self.start:
            raise ValueError(f"bad buffer {self.id}: size {self.size}, align {self.align}, live {self.start}…{self.end}")

    def conflicts(self, other: Buffer) -> bool:
        """True when both are live at some step."""
        return self.start <= other.end and other.start <= self.end

    @property
    def label(self) -> str:
        return self.name or f"#{self.id}"


@dataclass
class Plan:
    """Offsets for the buffers of one pool, with how they were found."""

    pool: str
    buffers: Sequence[Buffer]
    offsets: dict[int, int]
    lower_bound: int
    method: str = "first-fit"  # first-fit | cp-sat
    status: str = "feasible"  # optimal | feasible (cp-sat status; first-fit is "feasible" unless it meets the bound)
    first_fit_peak: int = 0
    solve_seconds: float = 0.0
    notes: list[str] = field(default_factory=list[str])

    @property
    def peak(self) -> int:
        return peak_of(self.buffers, self.offsets)

    @property
    def gap(self) -> float:
        """Relative distance of the peak above the lower bound (0 when the bound is met)."""
        peak = self.peak
        return 0.0 if peak == 0 else (peak - self.lower_bound) / peak


def peak_of(buffers: Sequence[Buffer], offsets: Mapping[int, int]) -> int:
    """The highest end address of the placed buffers (0 for none)."""
    return max((offsets[b.id] + b.size for b in buffers), default=0)


def live_bytes(buffers: Sequence[Buffer]) -> list[int]:
    """Sum of the sizes of the buffers live at each step 0…last end."""
    horizon = max((b.end for b in buffers), default=-1) + 1
    delta = [0] * (horizon + 1)
    for b in buffers:
        delta[b.start] += b.size
        delta[b.end + 1] -= b.size
    out: list[int] = []
    acc = 0
    for t in range(horizon):
        acc += delta[t]
        out.append(acc)
    return out


def lower_bound(buffers: Sequence[Buffer]) -> int:
    """No placement has a smaller peak: the most units live at any one step."""
    return max(live_bytes(buffers), default=0)


def conflicts(buffers: Sequence[Buffer]) -> list[tuple[Buffer, Buffer]]:
    """Every pair of buffers live at a common step (sweep over start times)."""
    order = sorted(buffers, key=lambda b: (b.start, b.id))
    pairs: list[tuple[Buffer, Buffer]] = []
    active: list[Buffer] = []
    for b in order:
        active = [a for a in active if a.end >= b.start]
        pairs.extend((a, b) for a in active)
        active.append(b)
    return pairs
