"""Frontend import time of a 4M-parameter model (issue 3 goal: under 3 s)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import onnx

from bench.models import mobilenet_v1_onnx, parameter_count
from bench.registry import Metric, benchmark, median_seconds

GOAL_SECONDS = 3.0


@benchmark("import")
def import_speed() -> list[Metric]:
    from kcc.frontends import import_model

    rows: list[Metric] = []
    model = mobilenet_v1_onnx(1.0, 224)
    params = parameter_count(model)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mobilenet_v1.onnx"
        onnx.save(model, path)
        seconds = median_seconds(lambda: import_model(path), repeat=3)
    rows.append(
        Metric(
            "import",
            f"ONNX MobileNetV1 1.0 224 ({params / 1e6:.1f}M params): file -> nn IR",
            seconds,
            "s",
            f"< {GOAL_SECONDS:g} s",
            seconds < GOAL_SECONDS,
        )
    )
    return rows
