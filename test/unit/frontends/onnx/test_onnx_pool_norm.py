"""ONNX MaxPool, AveragePool, global pools and BatchNormalization vs onnx.reference and onnxruntime."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from onnx_convert_check import check_node, import_error, imported_ops
from onnx_ref import one_node_model

RNG = np.random.default_rng(5)
X = RNG.standard_normal((2, 3, 9, 8)).astype(np.float32)
ORT_ONLY = ("onnxruntime",)

POOL_CASES: list[dict[str, Any]] = [
    {"kernel_shape": [2, 2]},
    {"kernel_shape": [3, 3], "strides": [2, 2]},
    {"kernel_shape": [3, 2], "strides": [2, 1], "pads": [1, 0, 1, 1]},
    {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1},
    {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1},
    {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"},
    {"kernel_shape": [2, 3], "strides": [2, 3], "auto_pad": "SAME_LOWER"},
    {"kernel_shape": [3, 3], "auto_pad": "VALID"},
]


@pytest.mark.parametrize("attrs", POOL_CASES)
@pytest.mark.parametrize("opset", [10, 21])
def test_max_pool(attrs: dict[str, Any], opset: int) -> None:
    # onnx.reference gets SAME_LOWER pool shapes wrong: onnxruntime is the reference there.
    runtimes = ORT_ONLY if attrs.get("auto_pad") == "SAME_LOWER" else ("reference", "onnxruntime")
    m = check_node("MaxPool", {"x": X}, attrs, opset=opset, runtimes=runtimes)
    assert imported_ops(m) == ["nn.max_pool2d"]


@pytest.mark.parametrize(
    "attrs", [{"kernel_shape": [3, 3], "dilations": [2, 2]}, {"kernel_shape": [2, 2], "dilations": [2, 3], "pads": [1, 1, 1, 1]}]
)
def test_max_pool_dilations(attrs: dict[str, Any]) -> None:
    check_node("MaxPool", {"x": X}, attrs, opset=12)


@pytest.mark.parametrize("attrs", POOL_CASES)
@pytest.mark.parametrize("include", [0, 1])
def test_average_pool(attrs: dict[str, Any], include: int) -> None:
    # onnx.reference disagrees with onnxruntime on auto_pad average pools; onnxruntime is the reference there.
    runtimes = ORT_ONLY if "auto_pad" in attrs else ("reference", "onnxruntime")
    m = check_node("AveragePool", {"x": X}, {**attrs, "count_include_pad": include}, opset=19, runtimes=runtimes)
    assert imported_ops(m) == ["nn.avg_pool2d"]


@pytest.mark.parametrize("op", ["MaxPool", "AveragePool"])
def test_pool_1d(op: str) -> None:
    x = RNG.standard_normal((1, 2, 11)).astype(np.float32)
    m = check_node(op, {"x": x}, {"kernel_shape": [3], "strides": [2], "pads": [1, 1]}, opset=11)
    assert imported_ops(m)[0] == "nn.reshape" and imported_ops(m)[-1] == "nn.reshape"


def test_max_pool_indices_output_is_refused() -> None:
    model = one_node_model("MaxPool", {"x": X}, n_outputs=2, attrs={"kernel_shape": [2, 2]}, output_dtypes=[np.float32, np.int64])
    assert "indices output is not supported" in import_error(model)


def test_average_pool_dilations_are_refused() -> None:
    model = one_node_model("AveragePool", {"x": X}, attrs={"kernel_shape": [2, 2], "dilations": [2, 2]}, opset=19)
    assert "AveragePool dilations [2, 2] are not supported" in import_error(model)


@pytest.mark.parametrize("op", ["GlobalAveragePool", "GlobalMaxPool"])
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (1, 4, 7)])
def test_global_pools(op: str, shape: tuple[int, ...]) -> None:
    # onnx.reference drops the channel axis of 1-D GlobalMaxPool: onnxruntime is the reference there.
    runtimes = ORT_ONLY if len(shape) == 3 else ("reference", "onnxruntime")
    check_node(op, {"x": RNG.standard_normal(shape).astype(np.float32)}, runtimes=runtimes)


def _bn_params(c: int) -> dict[str, np.ndarray]:
    return {
        "scale": RNG.standard_normal(c).astype(np.float32),
        "bias": RNG.standard_normal(c).astype(np.float32),
        "mean": RNG.standard_normal(c).astype(np.float32),
        "var": (RNG.random(c) + 0.5).astype(np.float32),
    }


@pytest.mark.parametrize("opset", [7, 9, 14, 15])
@pytest.mark.parametrize("attrs", [{}, {"epsilon": 1e-2, "momentum": 0.7}])
def test_batch_norm(opset: int, attrs: dict[str, Any]) -> None:
    # onnx.reference runs BatchNormalization-6/9 in training mode (or fails): onnxruntime is the reference there.
    runtimes = ORT_ONLY if opset < 14 else ("reference", "onnxruntime")
    m = check_node("BatchNormalization", {"x": X}, attrs, initializers=_bn_params(3), opset=opset, runtimes=runtimes)
    assert imported_ops(m)[-1] == "nn.batch_norm"


def test_batch_norm_2d_input() -> None:
    check_node("BatchNormalization", {"x": X[:, :, 0, 0].copy()}, initializers=_bn_params(3), opset=15)


def test_batch_norm_training_is_refused() -> None:
    model = one_node_model("BatchNormalization", {"x": X}, attrs={"training_mode": 1}, initializers=_bn_params(3), opset=15)
    msg = import_error(model)
    assert "BatchNormalization (unnamed) (#0)" in msg and "training_mode=1" in msg


def test_batch_norm_training_outputs_are_refused() -> None:
    model = one_node_model("BatchNormalization", {"x": X}, n_outputs=5, initializers=_bn_params(3), opset=9)
    assert "training statistic" in import_error(model)
