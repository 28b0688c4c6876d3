"""The benchmark models are what they claim: valid, runnable, deterministic, and the bench report formats."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort

from bench.__main__ import page, table
from bench.models import mobilenet_v1_onnx, parameter_count
from bench.registry import Metric


def test_small_mobilenet_runs_and_is_deterministic() -> None:
    a = mobilenet_v1_onnx(0.25, 32, classes=10, seed=3)
    b = mobilenet_v1_onnx(0.25, 32, classes=10, seed=3)
    assert a.SerializeToString() == b.SerializeToString()
    onnx.checker.check_model(a)
    x = np.random.default_rng(0).random((1, 3, 32, 32), dtype=np.float32)
    (probs,) = ort.InferenceSession(a.SerializeToString()).run(None, {"input": x})
    assert probs.shape == (1, 10)
    assert abs(float(probs.sum()) - 1.0) < 1e-5


def test_parameter_count_leaves_out_batchnorm_statistics_and_scalars() -> None:
    model = mobilenet_v1_onnx(0.25, 32, classes=10)
    stats = sum(int(np.prod(t.dims)) for t in model.graph.initializer if t.name.endswith(("_mean", "_var")))
    total = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    assert stats > 0
    assert parameter_count(model) == total - stats - 2  # and the two Clip bounds


def test_report_table_marks_goals() -> None:
    rows = [Metric("sim", "simulate x", 0.5, "s", "< 1 s", True), Metric("sim", "simulate y", 2.0, "s", "< 1 s", False)]
    text = table(rows)
    assert "| sim | simulate x | 0.5 s | < 1 s | meets |" in text
    assert "| sim | simulate y | 2 s | < 1 s | MISSES |" in text
    assert page(rows, "python -m bench --write").startswith("# kcc benchmarks\n")
