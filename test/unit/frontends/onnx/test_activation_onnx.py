"""ONNX activations through kcc's frontend + interpreter vs onnx.reference and onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_convert_check import check_node, import_error, imported_ops
from onnx_ref import one_node_model

RNG = np.random.default_rng(7)
X = (RNG.standard_normal((2, 3, 4, 5)) * 3).astype(np.float32)


@pytest.mark.parametrize("op", ["Relu", "Sigmoid", "Tanh"])
@pytest.mark.parametrize("opset", [7, 13])
def test_plain_activations(op: str, opset: int) -> None:
    check_node(op, {"x": X}, opset=opset)


def test_hard_swish() -> None:
    m = check_node("HardSwish", {"x": X}, opset=14)
    assert imported_ops(m) == ["nn.hard_swish"]


@pytest.mark.parametrize("attrs", [{}, {"alpha": 0.25}])
def test_leaky_relu(attrs: dict[str, float]) -> None:
    check_node("LeakyRelu", {"x": X}, attrs, opset=16)


@pytest.mark.parametrize("attrs", [{}, {"alpha": 0.5, "beta": 0.1}])
def test_hard_sigmoid(attrs: dict[str, float]) -> None:
    check_node("HardSigmoid", {"x": X}, attrs, opset=7)


@pytest.mark.parametrize("attrs", [{"min": -1.0, "max": 2.0}, {"min": 0.0}, {"max": 0.5}, {}])
def test_clip_attribute_form(attrs: dict[str, float]) -> None:
    """Opset < 11: bounds are attributes; a missing one is unbounded."""
    m = check_node("Clip", {"x": X}, attrs, opset=9)
    assert imported_ops(m) == (["nn.clamp"] if attrs else [])


@pytest.mark.parametrize(
    ("names", "values"),
    [
        (["x", "min", "max"], {"min": -1.0, "max": 2.0}),
        (["x", "min"], {"min": 0.0}),
        (["x", "", "max"], {"max": 6.0}),
        (["x", "min", "max"], {"min": 2.0, "max": -1.0}),  # min > max: everything becomes max
        (["x", "min", "max"], {"min": -np.inf, "max": 1.0}),
    ],
)
@pytest.mark.parametrize("opset", [11, 13])
def test_clip_input_form(names: list[str], values: dict[str, float], opset: int) -> None:
    inits = {k: np.array(v, dtype=np.float32) for k, v in values.items()}
    check_node("Clip", {"x": X}, initializers=inits, input_order=names, opset=opset)


def test_clip_without_bounds_is_identity() -> None:
    m = check_node("Clip", {"x": X}, opset=13)
    assert imported_ops(m) == []


def test_clip_runtime_bound_is_an_error() -> None:
    m = one_node_model("Clip", {"x": X, "lo": np.array(0.0, dtype=np.float32)}, opset=13)
    msg = import_error(m)
    assert "Clip" in msg and "must be a constant" in msg


@pytest.mark.parametrize(
    "slope_shape",
    [(3, 1, 1), (1,), (5,), (2, 3, 4, 5), (1, 3, 1, 1), (4, 1)],
)
def test_prelu_constant_slope(slope_shape: tuple[int, ...]) -> None:
    slope = RNG.uniform(0.0, 0.5, slope_shape).astype(np.float32)
    check_node("PRelu", {"x": X}, initializers={"slope": slope}, opset=9)


def test_prelu_runtime_slope() -> None:
    slope = RNG.uniform(0.0, 0.5, (3, 1, 1)).astype(np.float32)
    check_node("PRelu", {"x": X, "slope": slope}, opset=16)


def test_prelu_slope_must_broadcast_one_way() -> None:
    """A [3] slope aligns with the last dim (5) of an NCHW input: not broadcastable (numpy rules)."""
    m = one_node_model("PRelu", {"x": X}, initializers={"slope": np.ones(3, np.float32)}, opset=9)
    msg = import_error(m)
    assert "PRelu" in msg and "does not broadcast" in msg


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_softmax_single_axis(axis: int) -> None:
    check_node("Softmax", {"x": X}, {"axis": axis}, opset=13)


def test_softmax_default_axis_opset13() -> None:
    check_node("Softmax", {"x": X}, opset=13)


@pytest.mark.parametrize(
    ("attrs", "opset"), [({"axis": 1}, 11), ({}, 11), ({"axis": 2}, 7), ({"axis": 0}, 11), ({"axis": -2}, 11)]
)
def test_softmax_legacy_coerces_to_2d(attrs: dict[str, int], opset: int) -> None:
    """Opset < 13 normalizes over all dims from `axis` on (onnx.reference gets this wrong, so onnxruntime only)."""
    m = check_node("Softmax", {"x": X}, attrs, opset=opset, runtimes=("onnxruntime",))
    assert imported_ops(m) == ["nn.reshape", "nn.softmax", "nn.reshape"]


def test_softmax_legacy_last_axis_is_one_op() -> None:
    m = check_node("Softmax", {"x": X}, {"axis": 3}, opset=11, runtimes=("onnxruntime",))
    assert imported_ops(m) == ["nn.softmax"]


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64])
def test_relu_of_integers(dtype: type) -> None:
    runtimes = ("reference",) if dtype is np.int64 else ("reference", "onnxruntime")  # onnxruntime: no int64 Relu
    check_node("Relu", {"x": RNG.integers(-100, 100, (3, 4)).astype(dtype)}, opset=14, runtimes=runtimes)


@pytest.mark.parametrize(("dtype", "lo", "hi"), [(np.int8, -5, 7), (np.uint8, 3, 200), (np.int32, None, 1000)])
def test_clip_of_integers(dtype: type, lo: int | None, hi: int | None) -> None:
    info = np.iinfo(dtype)
    x = RNG.integers(info.min, int(info.max) + 1, (4, 5)).astype(dtype)
    inits = {k: np.array(v, dtype=dtype) for k, v in (("min", lo), ("max", hi)) if v is not None}
    order = ["x", "min" if lo is not None else "", "max"] if hi is not None else ["x", "min"]
    check_node("Clip", {"x": x}, initializers=inits, input_order=order, opset=13)
