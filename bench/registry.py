"""The benchmark registry and the metric row every benchmark returns."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One measured figure: `value` in `unit`, with the goal it is held to (if any) and whether it meets it."""

    benchmark: str
    name: str
    value: float
    unit: str
    goal: str = ""
    met: bool | None = None

    def cells(self) -> list[str]:
        verdict = {True: "meets", False: "MISSES", None: ""}[self.met]
        return [self.benchmark, self.name, f"{self.value:.6g} {self.unit}".strip(), self.goal, verdict]


BenchFn = Callable[[], list[Metric]]
BENCHMARKS: dict[str, BenchFn] = {}


def benchmark(name: str) -> Callable[[BenchFn], BenchFn]:
    """Register a benchmark under `name` (the `--only` key)."""

    def register(fn: BenchFn) -> BenchFn:
        if name in BENCHMARKS:
            raise ValueError(f"duplicate benchmark {name}")
        BENCHMARKS[name] = fn
        return fn

    return register


def median_seconds(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of `fn()` over `repeat` runs after `warmup` unmeasured runs."""
    for _ in range(warmup):
        fn()
    times: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
