"""The plan verifier: no two buffers live at the same step overlap, every offset is aligned and non-negative,
every buffer has an offset, and the pool fits its capacity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kcc.memory.buffers import Buffer, conflicts, peak_of

__all__ = ["PlanError", "check_plan", "verify_plan"]


class PlanError(AssertionError):
    """A plan broke a rule: a bug of the planner, never the user's."""


def verify_plan(buffers: Sequence[Buffer], offsets: Mapping[int, int], capacity: int | None = None) -> list[str]:
    """Every rule the placement breaks, as readable lines (empty: the plan is valid)."""
    errs: list[str] = []
    for b in buffers:
        off = offsets.get(b.id)
        if off is None:
            errs.append(f"{b.label}: no offset")
            continue
        if off < 0:
            errs.append(f"{b.label}: negative offset {off}")
        if off % b.align:
            errs.append(f"{b.label}: offset {off} is not a multiple of its alignment {b.align}")
    if errs:
        return errs
    for a, b in conflicts(buffers):
        if a.size == 0 or b.size == 0:
            continue
        oa, ob = offsets[a.id], offsets[b.id]
        if oa < ob + b.size and ob < oa + a.size:
            errs.append(
                f"{a.label} [{oa}, {oa + a.size}) live {a.start}…{a.end} overlaps "
                f"{b.label} [{ob}, {ob + b.size}) live {b.start}…{b.end}"
            )
    if capacity is not None:
        peak = peak_of(buffers, offsets)
        if peak > capacity:
            errs.append(f"peak {peak} exceeds the capacity {capacity}")
    return errs


def check_plan(buffers: Sequence[Buffer], offsets: Mapping[int, int], capacity: int | None = None) -> None:
    """Raise PlanError listing the broken rules."""
    errs = verify_plan(buffers, offsets, capacity)
    if errs:
        raise PlanError("invalid memory plan: " + "; ".join(errs[:10]) + (f" (+{len(errs) - 10} more)" if len(errs) > 10 else ""))
