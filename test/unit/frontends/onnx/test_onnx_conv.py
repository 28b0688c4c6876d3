"""ONNX Conv, ConvTranspose, Gemm and MatMul through kcc's frontend + interpreter vs onnx.reference and onnxruntime."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from onnx_convert_check import check_node, import_error, imported_ops
from onnx_ref import one_node_model

RNG = np.random.default_rng(11)
BOTH = ("reference", "onnxruntime")
# onnx.reference 1.22 gets Conv auto_pad (SAME_* with strides, VALID), grouped ConvTranspose and ConvTranspose
# output_shape wrong or crashes on them: onnxruntime alone is the reference for those cases.
ORT_ONLY = ("onnxruntime",)


def rand(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


CONV_CASES: list[tuple[str, dict[str, Any], tuple[int, ...], tuple[int, ...]]] = [
    ("plain", {}, (1, 3, 7, 8), (4, 3, 3, 3)),
    ("pads", {"pads": [1, 2, 0, 1]}, (2, 3, 7, 8), (4, 3, 3, 3)),
    ("strides", {"strides": [2, 3], "pads": [1, 1, 1, 1]}, (1, 3, 9, 10), (5, 3, 3, 3)),
    ("dilations", {"dilations": [2, 1], "pads": [2, 1, 2, 1]}, (1, 2, 9, 8), (3, 2, 3, 3)),
    ("group", {"group": 2}, (1, 4, 6, 6), (6, 2, 3, 3)),
    ("depthwise", {"group": 4, "pads": [1, 1, 1, 1]}, (1, 4, 6, 6), (4, 1, 3, 3)),
    ("same_upper", {"auto_pad": "SAME_UPPER", "strides": [2, 2]}, (1, 3, 8, 7), (4, 3, 4, 3)),
    ("same_upper_odd", {"auto_pad": "SAME_UPPER", "strides": [2, 2]}, (1, 3, 8, 8), (4, 3, 3, 3)),
    ("same_lower_odd", {"auto_pad": "SAME_LOWER", "strides": [2, 2]}, (1, 3, 8, 8), (4, 3, 3, 3)),
    ("valid", {"auto_pad": "VALID", "strides": [2, 1]}, (1, 3, 8, 7), (4, 3, 3, 2)),
    ("kernel_shape", {"kernel_shape": [1, 1]}, (1, 3, 5, 5), (2, 3, 1, 1)),
]


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize(("name", "attrs", "xs", "ws"), CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv2d(name: str, attrs: dict[str, Any], xs: tuple[int, ...], ws: tuple[int, ...], with_bias: bool) -> None:
    inits = {"w": rand(*ws)}
    if with_bias:
        inits["b"] = rand(ws[0])
    runtimes = ORT_ONLY if "auto_pad" in attrs else BOTH
    m = check_node("Conv", {"x": rand(*xs)}, attrs, initializers=inits, opset=11, runtimes=runtimes)
    assert imported_ops(m).count("nn.conv2d") == 1


@pytest.mark.parametrize("opset", [7, 21])
def test_conv_runtime_weight(opset: int) -> None:
    """A weight computed at run time (a graph input) stays an SSA operand of nn.conv2d."""
    check_node("Conv", {"x": rand(1, 2, 5, 5), "w": rand(3, 2, 3, 3)}, {"pads": [1, 1, 1, 1]}, opset=opset)


@pytest.mark.parametrize(
    "attrs", [{}, {"pads": [2, 1], "strides": [2]}, {"auto_pad": "SAME_UPPER", "strides": [2]}, {"group": 2, "dilations": [2]}]
)
def test_conv1d_runs_as_2d(attrs: dict[str, Any]) -> None:
    w = rand(6, 4 // attrs.get("group", 1), 3)
    runtimes = ORT_ONLY if "auto_pad" in attrs else BOTH
    m = check_node("Conv", {"x": rand(2, 4, 11)}, attrs, initializers={"w": w}, runtimes=runtimes)
    assert imported_ops(m) == ["nn.reshape", "nn.const", "nn.const", "nn.conv2d", "nn.reshape"]


def test_conv3d_is_refused() -> None:
    msg = import_error(one_node_model("Conv", {"x": rand(1, 1, 3, 4, 4)}, initializers={"w": rand(1, 1, 1, 1, 1)}))
    assert "Conv (unnamed) (#0)" in msg and "only 1-D and 2-D Conv" in msg and "rank 5" in msg


CT_CASES: list[tuple[str, dict[str, Any], tuple[int, ...], tuple[int, ...]]] = [
    ("plain", {}, (1, 2, 4, 5), (2, 3, 3, 3)),
    ("strides_pads", {"strides": [2, 2], "pads": [1, 0, 1, 1]}, (1, 2, 4, 5), (2, 3, 3, 3)),
    ("output_padding", {"strides": [3, 2], "output_padding": [1, 1]}, (1, 2, 3, 3), (2, 2, 3, 3)),
    ("dilations", {"dilations": [2, 2]}, (1, 1, 3, 3), (1, 2, 2, 2)),
    ("group", {"group": 2, "strides": [2, 2]}, (1, 4, 3, 3), (4, 3, 3, 3)),
    ("output_shape", {"strides": [3, 2], "output_shape": [10, 8]}, (1, 1, 3, 3), (1, 2, 3, 3)),
    ("output_shape_smaller", {"strides": [2, 2], "output_shape": [6, 7]}, (1, 1, 3, 4), (1, 2, 3, 3)),
    ("same_upper", {"strides": [2, 2], "auto_pad": "SAME_UPPER"}, (1, 1, 3, 3), (1, 2, 4, 4)),
    ("same_lower", {"strides": [2, 2], "auto_pad": "SAME_LOWER"}, (1, 1, 3, 3), (1, 2, 4, 4)),
]


@pytest.mark.parametrize(("name", "attrs", "xs", "ws"), CT_CASES, ids=[c[0] for c in CT_CASES])
def test_conv_transpose(name: str, attrs: dict[str, Any], xs: tuple[int, ...], ws: tuple[int, ...]) -> None:
    g = attrs.get("group", 1)
    runtimes = ORT_ONLY if name in ("group", "output_shape_smaller") else BOTH
    inits = {"w": rand(*ws), "b": rand(ws[1] * g)}
    m = check_node("ConvTranspose", {"x": rand(*xs)}, attrs, initializers=inits, runtimes=runtimes)
    assert "nn.conv_transpose2d" in imported_ops(m)


def test_conv_transpose_1d() -> None:
    m = check_node("ConvTranspose", {"x": rand(1, 2, 5)}, {"strides": [2]}, initializers={"w": rand(2, 3, 3)})
    assert imported_ops(m)[-1] == "nn.reshape"


@pytest.mark.parametrize(
    "attrs",
    [{}, {"alpha": 0.5, "beta": 2.0}, {"transA": 1}, {"transB": 1}, {"transA": 1, "transB": 1, "alpha": -1.5}],
)
@pytest.mark.parametrize("c_shape", [None, (5,), (1, 5), (3, 5), (3, 1), ()])
def test_gemm_constant_b(attrs: dict[str, Any], c_shape: tuple[int, ...] | None) -> None:
    a = rand(4, 3) if attrs.get("transA") else rand(3, 4)
    b = rand(5, 4) if attrs.get("transB") else rand(4, 5)
    inits = {"b": b}
    if c_shape is not None:
        inits["c"] = rand(*c_shape)
    m = check_node("Gemm", {"a": a}, attrs, initializers=inits, opset=13)
    ops = imported_ops(m)
    assert "nn.fully_connected" in ops and "nn.matmul" not in ops


@pytest.mark.parametrize("attrs", [{}, {"alpha": 0.5, "beta": 2.0, "transA": 1, "transB": 1}])
def test_gemm_runtime_operands(attrs: dict[str, Any]) -> None:
    a = rand(4, 3) if attrs.get("transA") else rand(3, 4)
    b = rand(5, 4) if attrs.get("transB") else rand(4, 5)
    m = check_node("Gemm", {"a": a, "b": b, "c": rand(3, 5)}, attrs, opset=9)
    assert "nn.matmul" in imported_ops(m)


@pytest.mark.parametrize("shape_a", [(3, 4), (2, 3, 4), (2, 2, 3, 4)])
def test_matmul_constant_2d_b_is_fully_connected(shape_a: tuple[int, ...]) -> None:
    m = check_node("MatMul", {"a": rand(*shape_a)}, initializers={"b": rand(4, 6)})
    assert "nn.fully_connected" in imported_ops(m)


@pytest.mark.parametrize(
    ("sa", "sb"), [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((1, 3, 4), (2, 4, 5)), ((4,), (4, 3))]
)
def test_matmul_runtime(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    m = check_node("MatMul", {"a": rand(*sa), "b": rand(*sb)}, opset=13)
    assert imported_ops(m) == ["nn.matmul"]
