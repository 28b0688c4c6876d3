"""Simulator speed on the real fixture kmodels (issue 4 goal: v3 YOLO under 1 s on the 2-core machine)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.registry import Metric, benchmark, median_seconds

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "kmodel"


@benchmark("sim")
def sim_speed() -> list[Metric]:
    from kcc.backends import load_kmodel
    from kcc.sim import simulate

    dog = np.fromfile(FIXTURES / "dog_320x240_chw_u8.bin", dtype=np.uint8)
    rows: list[Metric] = []
    for name, goal_s in (("nncase01_yolo20_v3.kmodel", 1.0), ("nncase02_yolo20_v4.kmodel", None)):
        model = load_kmodel(FIXTURES / name)
        seconds = median_seconds(lambda m=model: simulate(m, [dog]), repeat=5)
        goal = f"< {goal_s:g} s" if goal_s is not None else ""
        met = None if goal_s is None else seconds < goal_s
        rows.append(Metric("sim", f"simulate {name} (dog 320x240)", seconds, "s", goal, met))
    return rows
