"""Greedy placement: each buffer, largest first, at the lowest aligned offset free during its whole lifetime.

Several orders are tried (size, lifetime length, start time, each with deterministic tie-breaks) and the plan
with the smallest peak is kept. This is the start hint and the fallback of the CP-SAT placement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kcc.memory.buffers import Buffer, peak_of

__all__ = ["first_fit", "place_in_order"]


def _align_up(x: int, a: int) -> int:
    return -(-x // a) * a


def place_in_order(order: Sequence[Buffer]) -> dict[int, int]:
    """Place buffers one by one in `order`, each at the lowest aligned offset that overlaps no placed buffer
    live at the same time."""
    placed: list[tuple[Buffer, int]] = []
    offsets: dict[int, int] = {}
    for b in order:
        busy = sorted((off, off + p.size) for p, off in placed if p.conflicts(b) and p.size > 0)
        cand = 0
        for lo, hi in busy:
            if cand + b.size <= lo:
                break
            if hi > cand:
                cand = _align_up(hi, b.align)
        offsets[b.id] = cand
        placed.append((b, cand))
    return offsets


_ORDERS: tuple[Callable[[Buffer], tuple[int, ...]], ...] = (
    lambda b: (-b.size, b.start, b.id),
    lambda b: (-(b.end - b.start), -b.size, b.id),
    lambda b: (-b.size * (b.end - b.start + 1), b.id),
    lambda b: (b.start, -b.size, b.id),
)


def first_fit(buffers: Sequence[Buffer]) -> dict[int, int]:
    """The best of the greedy placements over a few orders (smallest peak, first order wins ties)."""
    best: dict[int, int] = {}
    best_peak = -1
    for key in _ORDERS:
        offsets = place_in_order(sorted(buffers, key=key))
        peak = peak_of(buffers, offsets)
        if best_peak < 0 or peak < best_peak:
            best, best_peak = offsets, peak
    return best
