"""Frontend import time of a 4M-parameter model, ONNX and TFLite (issue 3 goal: under 3 s)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import onnx

from bench.models import mobilenet_v1_onnx, mobilenet_v1_tflite, parameter_count, tflite_parameter_count
from bench.registry import Metric, benchmark, median_seconds

GOAL_SECONDS = 3.0


@benchmark("import")
def import_speed() -> list[Metric]:
    from kcc.frontends import import_model

    onnx_model = mobilenet_v1_onnx(1.0, 224)
    tflite_model = mobilenet_v1_tflite(1.0, 224)
    rows: list[Metric] = []
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = Path(tmp) / "mobilenet_v1.onnx"
        onnx.save(onnx_model, onnx_path)
        tflite_path = Path(tmp) / "mobilenet_v1.tflite"
        tflite_path.write_bytes(tflite_model)
        counts = {"ONNX": parameter_count(onnx_model), "TFLite": tflite_parameter_count(tflite_model)}
        for fmt, path in (("ONNX", onnx_path), ("TFLite", tflite_path)):
            params = counts[fmt]
            seconds = median_seconds(lambda p=path: import_model(p), repeat=3)
            rows.append(
                Metric(
                    "import",
                    f"{fmt} MobileNetV1 1.0 224 ({params / 1e6:.1f}M params): file -> nn IR",
                    seconds,
                    "s",
                    f"< {GOAL_SECONDS:g} s",
                    seconds < GOAL_SECONDS,
                )
            )
    return rows
