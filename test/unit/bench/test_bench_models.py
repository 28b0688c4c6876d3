"""The benchmark models are what they claim: valid ONNX, the documented parameter count, runnable."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort

from bench.__main__ import page, table
from bench.models import mobilenet_v1_onnx, parameter_count
from bench.registry import Metric


def test_mobilenet_v1_is_4_2m_parameters_and_valid() -> None:
    model = mobilenet_v1_onnx(1.0, 224)
    onnx.checker.check_model(model)
    assert parameter_count(model) == 4_252_918  # 4.2M as in the MobileNetV1 paper (with BN folded: 4.23M)


def test_small_mobilenet_runs_and_is_deterministic() -> None:
    a = mobilenet_v1_onnx(0.25, 32, classes=10, seed=3)
    b = mobilenet_v1_onnx(0.25, 32, classes=10, seed=3)
    assert a.SerializeToString() == b.SerializeToString()
    x = np.random.default_rng(0).random((1, 3, 32, 32), dtype=np.float32)
    (probs,) = ort.InferenceSession(a.SerializeToString()).run(None, {"input": x})
    assert probs.shape == (1, 10)
    assert abs(float(probs.sum()) - 1.0) < 1e-5


def test_report_table_marks_goals() -> None:
    rows = [Metric("sim", "simulate x", 0.5, "s", "< 1 s", True), Metric("sim", "simulate y", 2.0, "s", "< 1 s", False)]
    text = table(rows)
    assert "| sim | simulate x | 0.5 s | < 1 s | meets |" in text
    assert "| sim | simulate y | 2 s | < 1 s | MISSES |" in text
    assert page(rows, "python -m bench --write").startswith("# kcc benchmarks\n")
