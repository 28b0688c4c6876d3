"""Memory planning free of IR details: buffers with lifetimes, first-fit and CP-SAT placement, the lower bound,
the plan verifier and the report. `kcc.passes.plan_memory` maps a program onto these."""

from __future__ import annotations

from kcc.memory.buffers import Buffer, Plan, live_bytes, lower_bound, peak_of
from kcc.memory.cp_sat import solve
from kcc.memory.first_fit import first_fit
from kcc.memory.verify import check_plan, verify_plan

__all__ = [
    "Buffer",
    "Plan",
    "check_plan",
    "first_fit",
    "live_bytes",
    "lower_bound",
    "peak_of",
    "solve",
    "verify_plan",
]
