"""`python -m bench [--only NAME ...] [--write]`: run the benchmarks, print a table, optionally record it.

A run of every benchmark also reports its own wall time (issue 9: the whole run under 10 minutes).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from pathlib import Path

from bench.registry import BENCHMARKS, Metric

MODULES = (
    "bench.sim_speed",
    "bench.import_speed",
    "bench.memory_plan",
    "bench.kpu_placement",
    "bench.quant_accuracy",
    "bench.zoo_compile",
)
RUN_GOAL_S = 600.0
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def table(rows: list[Metric]) -> str:
    head = ["benchmark", "figure", "value", "goal", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def page(rows: list[Metric], command: str, seconds: float | None = None) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    return (
        "# kcc benchmarks\n\n"
        "<!-- written by `python -m bench --write`: do not edit by hand -->\n\n"
        f"Produced by `{command}` on {machine}" + ("" if seconds is None else f", in {seconds:.0f} s") + ".\n"
        "Times are medians of repeated runs in one process (see `bench/registry.py`), except the `compile` rows:\n"
        "one compile per model, each in its own child process (see `bench/zoo_compile.py`; the latency estimate\n"
        "follows docs/cycle-model.md). A goal names the issue that set it or is kcc's own bar (see the modules).\n\n"
        + table(rows)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark (repeatable)")
    parser.add_argument("--write", action="store_true", help=f"record the table in {DOC.relative_to(DOC.parent.parent)}")
    args = parser.parse_args(argv)
    for mod in MODULES:
        importlib.import_module(mod)
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(sorted(BENCHMARKS))}")
    rows: list[Metric] = []
    start = time.perf_counter()
    for name in sorted(BENCHMARKS):
        if args.only and name not in args.only:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += BENCHMARKS[name]()
    seconds = time.perf_counter() - start
    if not args.only:
        rows.append(Metric("bench", "the whole `python -m bench` run", seconds, "s", f"< {RUN_GOAL_S:g} s", seconds < RUN_GOAL_S))
    sys.stdout.write(table(rows))
    if args.write:
        command = "python -m bench" + "".join(f" --only {n}" for n in args.only) + " --write"
        DOC.write_text(page(rows, command, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
