"""ONNX ReduceMean / ReduceMax / ReduceSum through kcc's frontend + interpreter vs onnx.reference and onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_convert_check import check_node, import_error, imported_ops
from onnx_ref import one_node_model

RNG = np.random.default_rng(3)
X = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
OPS = ["ReduceMean", "ReduceMax", "ReduceSum"]
#: First opset where `axes` is an input.
AXES_INPUT_SINCE = {"ReduceMean": 18, "ReduceMax": 18, "ReduceSum": 13}


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("axes", [[1], [2, 3], [-1, 0], None])
@pytest.mark.parametrize("keepdims", [0, 1])
def test_axes_attribute(op: str, axes: list[int] | None, keepdims: int) -> None:
    attrs: dict[str, object] = {"keepdims": keepdims}
    if axes is not None:
        attrs["axes"] = axes
    check_node(op, {"x": X}, attrs, opset=11)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("axes", [[1], [3, -3], None])
@pytest.mark.parametrize("keepdims", [0, 1])
def test_axes_input(op: str, axes: list[int] | None, keepdims: int) -> None:
    inits = {} if axes is None else {"axes": np.array(axes, dtype=np.int64)}
    check_node(op, {"x": X}, {"keepdims": keepdims}, initializers=inits, opset=AXES_INPUT_SINCE[op])


@pytest.mark.parametrize("op", OPS)
def test_empty_axes_reduce_everything(op: str) -> None:
    inits = {"axes": np.array([], dtype=np.int64)}
    m = check_node(op, {"x": X}, {"keepdims": 1}, initializers=inits, opset=AXES_INPUT_SINCE[op])
    assert imported_ops(m) == ["nn.reduce_" + op.removeprefix("Reduce").lower()]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("with_empty_input", [False, True])
def test_noop_with_empty_axes(op: str, with_empty_input: bool) -> None:
    inits = {"axes": np.array([], dtype=np.int64)} if with_empty_input else {}
    m = check_node(op, {"x": X}, {"noop_with_empty_axes": 1}, initializers=inits, opset=AXES_INPUT_SINCE[op])
    assert imported_ops(m) == []


def test_reduce_sum_opset13_runtime_axes_is_an_error() -> None:
    msg = import_error(one_node_model("ReduceSum", {"x": X, "axes": np.array([1], np.int64)}, opset=13))
    assert "ReduceSum" in msg and "must be a constant" in msg


def test_repeated_axis_is_an_error() -> None:
    msg = import_error(one_node_model("ReduceMean", {"x": X}, attrs={"axes": [1, -3]}, opset=13))
    assert "ReduceMean" in msg


def test_bool_input_is_an_error_naming_the_node() -> None:
    x = np.ones((2, 3), dtype=bool)
    m = one_node_model("ReduceMax", {"x": x}, initializers={"axes": np.array([1], np.int64)}, opset=20)
    msg = import_error(m)
    assert msg.startswith("ReduceMax") and "i1" in msg


@pytest.mark.parametrize("op", ["ReduceSum", "ReduceMax"])
@pytest.mark.parametrize("keepdims", [0, 1])
def test_empty_reduction_is_a_constant(op: str, keepdims: int) -> None:
    """Reducing an axis of size 0 (a static empty dim, not a dynamic one) gives the reduction's identity."""
    x = np.zeros((2, 0, 4), np.float32)
    inits = {"axes": np.array([1], np.int64)}
    m = check_node(op, {"x": x}, {"keepdims": keepdims}, initializers=inits, opset=18)
    assert imported_ops(m) == ["nn.const"]


def test_empty_reduce_mean_is_nan() -> None:
    from kcc.frontends.onnx import import_onnx
    from kcc.interp import run

    x = np.zeros((2, 0, 4), np.float32)
    model = one_node_model("ReduceMean", {"x": x}, initializers={"axes": np.array([1], np.int64)}, opset=18)
    (y,) = run(import_onnx(model), [x])
    assert y.shape == (2, 1, 4) and y.dtype == np.float32 and np.isnan(y).all()


def test_empty_non_reduced_axis() -> None:
    x = np.zeros((2, 0, 4), np.float32)
    check_node("ReduceSum", {"x": x}, initializers={"axes": np.array([2], np.int64)}, opset=18)
