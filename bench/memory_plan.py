"""plan-memory on the full-size zoo models (issue 7 goal: main-RAM peak within 5% of the lower bound).

Each model: ONNX import, fold-constants, fold-transposes, fuse-conv, kpu-legalize, then the main-RAM plan
(first-fit, then CP-SAT for at most 60 s). Reported per model: peak, lower bound, their ratio and solve time.
"""

from __future__ import annotations

import time

from bench.registry import Metric, benchmark

GOAL_RATIO = 1.05
PRE = ("fold-constants", "fold-transposes", "fuse-conv", "kpu-legalize")


@benchmark("memory-plan")
def memory_plan() -> list[Metric]:
    from bench.models import MODELS
    from kcc.context import kcc_context
    from kcc.frontends.onnx import import_onnx
    from kcc.interp import entry_function
    from kcc.passes.plan_memory import plan_function
    from kcc.universe import KCC_PASSES

    ctx = kcc_context()
    rows: list[Metric] = []
    for name in sorted(MODELS):
        module = import_onnx(MODELS[name].build("onnx", "full").SerializeToString())
        for p in PRE:
            KCC_PASSES[p]()().apply(ctx, module)
        t0 = time.perf_counter()
        fp = plan_function(entry_function(module), max_solve_secs=60)
        seconds = time.perf_counter() - t0
        plan = fp.plans["main"]
        ratio = plan.peak / plan.lower_bound
        label = f"{name} full: main peak {plan.peak} B, lower bound {plan.lower_bound} B, first-fit {plan.first_fit_peak} B"
        rows.append(
            Metric(
                "memory-plan",
                f"{label}: peak / lower bound ({plan.status})",
                ratio,
                "",
                f"<= {GOAL_RATIO:g}",
                ratio <= GOAL_RATIO,
            )
        )
        rows.append(Metric("memory-plan", f"{name} full: plan time ({len(plan.buffers)} buffers)", seconds, "s"))
    return rows
