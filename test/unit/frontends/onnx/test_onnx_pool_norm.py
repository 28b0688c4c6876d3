"""ONNX MaxPool, AveragePool, global pools and BatchNormalization vs onnx.reference and onnxruntime."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from onnx_convert_check import check_node, import_error, imported_ops
from onnx_ref import assert_matches_onnx, one_node_model

from kcc.frontends.onnx import import_onnx
from kcc.interp import run

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


MAXPOOL_INDEX_CASES: list[dict[str, Any]] = [
    {"kernel_shape": [2, 2]},
    {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
    {"kernel_shape": [3, 2], "strides": [2, 1], "dilations": [2, 2], "ceil_mode": 1},
    {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 0, 2, 1], "storage_order": 1},
]


def _check_max_pool_indices(x: np.ndarray, attrs: dict[str, Any]) -> list[str]:
    """MaxPool with its Indices output vs onnxruntime (onnx.reference 1.22 gives wrong indices for pools without
    pads); the imported op names."""
    model = one_node_model("MaxPool", {"x": x}, n_outputs=2, attrs=attrs, opset=12, output_dtypes=[x.dtype, np.int64])
    module = import_onnx(model)
    assert_matches_onnx(run(module, [x]), model, {"x": x}, runtimes=ORT_ONLY)
    return imported_ops(module)


@pytest.mark.parametrize("attrs", MAXPOOL_INDEX_CASES)
def test_max_pool_indices(attrs: dict[str, Any]) -> None:
    assert _check_max_pool_indices(X, attrs) == ["nn.max_pool2d", "nn.max_pool2d_argmax"]


def test_max_pool_indices_ties_and_1d() -> None:
    """Ties pick the first maximum in row-major window order; 1-D pools index the flattened [N, C, L] input."""
    x = np.round(RNG.standard_normal((2, 3, 6, 7))).astype(np.float32)  # many equal values
    _check_max_pool_indices(x, {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]})
    _check_max_pool_indices(x, {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "storage_order": 1})
    _check_max_pool_indices(x[:, :, 0].copy(), {"kernel_shape": [3], "strides": [2]})


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_max_pool_integers(dtype: type) -> None:
    info = np.iinfo(dtype)
    x = RNG.integers(info.min, info.max, size=(1, 2, 7, 6), endpoint=True).astype(dtype)
    ops = _check_max_pool_indices(x, {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]})
    assert ops == ["nn.max_pool2d", "nn.max_pool2d_argmax"]
    check_node("MaxPool", {"x": x}, {"kernel_shape": [2, 2], "dilations": [2, 1]}, opset=12)


@pytest.mark.parametrize(
    "attrs",
    [
        {"kernel_shape": [2, 2], "dilations": [2, 2]},
        {"kernel_shape": [3, 2], "dilations": [2, 3], "strides": [2, 1], "pads": [1, 1, 2, 1]},
        {"kernel_shape": [3, 2], "dilations": [2, 3], "pads": [1, 1, 2, 1], "count_include_pad": 1},
        {"kernel_shape": [3, 3], "dilations": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1},
        {"kernel_shape": [2, 3], "dilations": [3, 2], "strides": [3, 2], "ceil_mode": 1, "count_include_pad": 1},
    ],
)
def test_average_pool_dilations(attrs: dict[str, Any]) -> None:
    m = check_node("AveragePool", {"x": X}, attrs, opset=19)
    assert imported_ops(m) == ["nn.const", "nn.const", "nn.conv2d", "nn.const", "nn.div"]


def test_average_pool_dilations_quantized_is_refused() -> None:
    from onnx import TensorProto, helper

    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"]),
        helper.make_node("AveragePool", ["q"], ["y"], kernel_shape=[2, 2], dilations=[2, 2]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(X.shape))],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, None)],
        [helper.make_tensor("s", TensorProto.FLOAT, [], [0.1]), helper.make_tensor("z", TensorProto.UINT8, [], [128])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    msg = import_error(model)
    assert "a dilated AveragePool of !nn.q<ui8, 0.10000000149011612, 128> tensors is not supported (float only)" in msg


POOL_3D_CASES: list[dict[str, Any]] = [
    {"kernel_shape": [2, 2, 2]},
    {"kernel_shape": [3, 2, 3], "strides": [2, 1, 2], "pads": [1, 0, 1, 1, 1, 0]},
    {"kernel_shape": [2, 3, 2], "strides": [2, 2, 1], "dilations": [2, 1, 2], "ceil_mode": 1},
    {"kernel_shape": [3, 3, 3], "strides": [2, 2, 2], "pads": [1, 1, 1, 1, 1, 1], "ceil_mode": 1},
]


@pytest.mark.parametrize("attrs", POOL_3D_CASES)
@pytest.mark.parametrize(("op", "extra"), [("MaxPool", {}), ("AveragePool", {}), ("AveragePool", {"count_include_pad": 1})])
def test_pool_3d(op: str, extra: dict[str, Any], attrs: dict[str, Any]) -> None:
    x = RNG.standard_normal((2, 3, 7, 6, 5)).astype(np.float32)
    m = check_node(op, {"x": x}, {**attrs, **extra}, opset=19)
    assert imported_ops(m).count("nn.reshape") == 3


def test_pool_3d_indices_are_refused() -> None:
    x = RNG.standard_normal((1, 2, 4, 4, 4)).astype(np.float32)
    model = one_node_model(
        "MaxPool", {"x": x}, n_outputs=2, attrs={"kernel_shape": [2, 2, 2]}, output_dtypes=[np.float32, np.int64]
    )
    assert "the Indices output of a 3-D MaxPool is not supported" in import_error(model)


def test_pool_rank6_is_refused() -> None:
    x = np.zeros((1, 1, 2, 2, 2, 2), np.float32)
    model = one_node_model("MaxPool", {"x": x}, attrs={"kernel_shape": [1, 1, 1, 1]})
    assert "only 1-D, 2-D and 3-D MaxPool are supported; input has rank 6" in import_error(model)


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


@pytest.mark.parametrize("attrs", [{}, {"epsilon": 1e-2, "momentum": 0.7}])
@pytest.mark.parametrize("opset", [14, 15])
def test_batch_norm_training(attrs: dict[str, Any], opset: int) -> None:
    """training_mode=1: batch statistics, running mean and variance."""
    m = check_node(
        "BatchNormalization", {"x": X}, {**attrs, "training_mode": 1}, initializers=_bn_params(3), n_outputs=3, opset=opset
    )
    assert imported_ops(m).count("nn.reduce_mean") == 2


def test_batch_norm_training_y_only() -> None:
    """The running statistics are not computed when nothing reads them."""
    from onnx import TensorProto, helper, numpy_helper

    node = helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y", "rm", "rv"], training_mode=1)
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(X.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v, k) for k, v in _bn_params(3).items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    module = import_onnx(model)
    assert imported_ops(module).count("nn.add") == 0
    assert_matches_onnx(run(module, [X]), model, {"x": X})


def test_batch_norm_training_3d_input() -> None:
    x = RNG.standard_normal((4, 3, 5)).astype(np.float32)
    check_node("BatchNormalization", {"x": x}, {"training_mode": 1}, initializers=_bn_params(3), n_outputs=3, opset=15)


def test_batch_norm_training_outputs_are_refused() -> None:
    model = one_node_model("BatchNormalization", {"x": X}, n_outputs=5, initializers=_bn_params(3), opset=9)
    assert "training statistic" in import_error(model)
