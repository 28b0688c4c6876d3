"""Placement with OR-tools CP-SAT: minimize the peak of one pool.

Model: each buffer is a rectangle, its lifetime (fixed) on the time axis times its address range (offset
variable, a multiple of its alignment) on the address axis; `AddNoOverlap2D` keeps conflicting buffers apart
and the objective is the peak, `max(offset + size)`. The peak is bounded below by the lower bound (most units
live at one step) and above by the first-fit peak, whose offsets are the solution hint; when the solver finds
nothing in time, or first-fit already meets the lower bound, the first-fit plan is the answer.

Determinism: one fixed seed and one worker (parallel workers race: equal peaks, different offsets), and the
search limited in *deterministic* time (the solver's own work measure) with the wall-clock limit as a safety
net, so the same input gives the same plan on every run unless the wall-clock limit cuts the search (then the
plan's notes say so).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from kcc.memory.buffers import Buffer, Plan, lower_bound, peak_of
from kcc.memory.first_fit import first_fit

__all__ = ["DEFAULT_WORKERS", "solve"]

DEFAULT_WORKERS = 1  # one worker: the same plan on every run (two workers race to the first solution)
DETERMINISTIC_TIME_PER_SECOND = 1.0  # deterministic-time units allowed per wall-clock second of the limit


def solve(
    buffers: Sequence[Buffer],
    pool: str = "main",
    *,
    max_seconds: float = 60.0,
    workers: int = DEFAULT_WORKERS,
    seed: int = 0,
) -> Plan:
    """Place `buffers` minimizing the peak; `max_seconds` 0 means first-fit only."""
    t0 = time.perf_counter()
    bound = lower_bound(buffers)
    hint = first_fit(buffers)
    ff_peak = peak_of(buffers, hint)
    plan = Plan(pool, buffers, hint, bound, "first-fit", "feasible", ff_peak)
    if ff_peak == bound:
        plan.status = "optimal"
        plan.notes.append("first-fit meets the lower bound")
    elif max_seconds > 0:
        _solve_cp_sat(plan, hint, max_seconds, workers, seed)
    plan.solve_seconds = time.perf_counter() - t0
    return plan


def _solve_cp_sat(plan: Plan, hint: dict[int, int], max_seconds: float, workers: int, seed: int) -> None:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    ff_peak = plan.first_fit_peak
    placed = [b for b in plan.buffers if b.size > 0]
    peak = model.new_int_var(plan.lower_bound, ff_peak, "peak")
    slots: dict[int, cp_model.IntVar] = {}
    x_intervals: list[cp_model.IntervalVar] = []
    y_intervals: list[cp_model.IntervalVar] = []
    for b in placed:
        top = (ff_peak - b.size) // b.align
        k = model.new_int_var(0, max(top, 0), f"k{b.id}")
        slots[b.id] = k
        x_intervals.append(model.new_fixed_size_interval_var(b.start, b.end - b.start + 1, f"t{b.id}"))
        y_intervals.append(model.new_fixed_size_interval_var(b.align * k, b.size, f"a{b.id}"))
        model.add(b.align * k + b.size <= peak)
        model.add_hint(k, hint[b.id] // b.align)
    model.add_hint(peak, ff_peak)
    model.add_no_overlap_2d(x_intervals, y_intervals)
    model.minimize(peak)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    params.max_time_in_seconds = max_seconds
    params.max_deterministic_time = max_seconds * DETERMINISTIC_TIME_PER_SECOND
    t0 = time.perf_counter()
    status = solver.solve(model)
    wall = time.perf_counter() - t0
    plan.method = "cp-sat"
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        offsets = {b.id: 0 for b in plan.buffers}
        offsets.update({bid: int(solver.value(k)) * _align(plan, bid) for bid, k in slots.items()})
        if peak_of(plan.buffers, offsets) <= ff_peak:
            plan.offsets = offsets
        proven = status == cp_model.OPTIMAL or plan.peak == plan.lower_bound
        plan.status = "optimal" if proven else "feasible"
        if not proven:
            plan.notes.append(f"best bound {int(solver.best_objective_bound)}")
    else:
        plan.status = "feasible"
        plan.notes.append(f"cp-sat {solver.status_name(status).lower()} in {max_seconds:g} s: first-fit plan kept")
    if wall >= max_seconds * 0.99:
        plan.notes.append("wall-clock limit reached: the plan may differ between runs")


def _align(plan: Plan, bid: int) -> int:
    for b in plan.buffers:
        if b.id == bid:
            return b.align
    raise KeyError(bid)
