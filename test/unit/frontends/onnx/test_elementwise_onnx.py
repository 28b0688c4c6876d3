"""ONNX element-wise arithmetic through kcc's frontend + interpreter vs onnx.reference and onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_convert_check import check_node, import_error, imported_ops
from onnx_ref import one_node_model

RNG = np.random.default_rng(11)


def _f(*shape: int, low: float = -3.0, high: float = 3.0) -> np.ndarray:
    return RNG.uniform(low, high, shape).astype(np.float32)


SHAPE_PAIRS = [((2, 3, 4), (2, 3, 4)), ((2, 3, 4), (4,)), ((3, 1), (2, 1, 5)), ((1,), (2, 3)), ((), (2, 3))]


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div"])
@pytest.mark.parametrize(("a", "b"), SHAPE_PAIRS)
def test_binary_broadcasting(op: str, a: tuple[int, ...], b: tuple[int, ...]) -> None:
    rhs = _f(*b, low=0.5, high=3.0) if op == "Div" else _f(*b)
    check_node(op, {"a": _f(*a), "b": rhs}, opset=14)


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div"])
def test_binary_constant_operand(op: str) -> None:
    m = check_node(op, {"a": _f(1, 3, 4, 4)}, initializers={"c": _f(3, 1, 1, low=0.5)}, opset=7)
    assert imported_ops(m) == ["nn.const", f"nn.{op.lower()}"]


@pytest.mark.parametrize("op", ["Add", "Mul"])
def test_binary_constant_first(op: str) -> None:
    check_node(op, {"b": _f(2, 3)}, initializers={"c": _f(3)}, input_order=["c", "b"], opset=13)


def test_pow_runtime_exponent() -> None:
    check_node("Pow", {"a": _f(2, 3, low=0.1), "b": _f(3)}, opset=7)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float32])
def test_pow_constant_exponent_of_another_type(dtype: type) -> None:
    """Opset >= 12 lets the exponent have its own type; a constant one is converted to the base's type."""
    check_node("Pow", {"a": _f(2, 3)}, initializers={"e": np.array([2, 3, 1], dtype=dtype)}, opset=15)


@pytest.mark.parametrize("op", ["Max", "Min"])
@pytest.mark.parametrize(
    "shapes",
    [[(2, 3)], [(2, 3), (2, 3)], [(2, 3), (3,), (1, 1)], [(4, 1), (1, 5), (5,), (4, 5)]],
)
def test_variadic_max_min(op: str, shapes: list[tuple[int, ...]]) -> None:
    inputs = {f"x{i}": _f(*s) for i, s in enumerate(shapes)}
    m = check_node(op, inputs, opset=13)
    assert len(imported_ops(m)) == len(shapes) - 1


@pytest.mark.parametrize("opset", [8, 12])
def test_max_with_a_constant(opset: int) -> None:
    check_node("Max", {"x": _f(2, 3)}, initializers={"c": np.zeros((1,), np.float32)}, opset=opset)


@pytest.mark.parametrize(("op", "low"), [("Sqrt", 0.0), ("Exp", -5.0), ("Log", 0.01)])
@pytest.mark.parametrize("opset", [7, 13])
def test_unary_math(op: str, low: float, opset: int) -> None:
    check_node(op, {"x": _f(2, 3, 4, low=low, high=5.0)}, opset=opset)


INT_DTYPES = [np.int8, np.uint8, np.int16, np.int32, np.int64]


def _ints(dtype: type, *shape: int, nonzero: bool = False) -> np.ndarray:
    info = np.iinfo(dtype)
    x = RNG.integers(info.min, int(info.max) + 1, shape, dtype=dtype)
    if nonzero:
        x[x == 0] = 1
    return x


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Max", "Min"])
@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_integer_arithmetic_wraps_and_truncates(op: str, dtype: type) -> None:
    """Full-range operands: sums and products wrap, Div truncates toward zero (as onnxruntime and onnx.reference)."""
    a, b = _ints(dtype, 3, 4), _ints(dtype, 4, nonzero=op == "Div")
    if op == "Div" and np.issubdtype(dtype, np.signedinteger):
        b[0] = -1  # INT_MIN / -1 overflows in C: keep it out
        a[a == np.iinfo(dtype).min] = np.iinfo(dtype).min + 1
    # onnxruntime has no int16 Max / Min kernel: onnx.reference only there.
    runtimes = ("reference",) if op in ("Max", "Min") and dtype is np.int16 else ("reference", "onnxruntime")
    check_node(op, {"a": a, "b": b}, opset=14 if op in ("Add", "Sub", "Mul", "Div") else 13, runtimes=runtimes)


def test_integer_div_rounds_toward_zero() -> None:
    a = np.array([7, -7, 7, -7, 0, 5], dtype=np.int32)
    b = np.array([2, 2, -2, -2, 3, 5], dtype=np.int32)
    check_node("Div", {"a": a, "b": b}, opset=14)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_pow(dtype: type) -> None:
    a = RNG.integers(-6, 7, (2, 5)).astype(dtype)
    b = RNG.integers(0, 6, (5,)).astype(dtype)
    check_node("Pow", {"a": a, "b": b}, opset=15)


@pytest.mark.parametrize(("base", "exponent"), [(np.float32, np.int64), (np.float32, np.int32), (np.int32, np.float32)])
def test_pow_runtime_exponent_of_another_type(base: type, exponent: type) -> None:
    a = RNG.integers(1, 5, (2, 3)).astype(base)
    b = np.array([0, 1, 3], dtype=exponent)
    check_node("Pow", {"a": a, "b": b}, opset=15)


def test_sqrt_of_an_integer_tensor_is_an_error_naming_the_node() -> None:
    """Sqrt is float-only in nn (ONNX too); a model that feeds it integers (checker off) fails with one line."""
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    m = one_node_model("Sqrt", {"x": x}, opset=13)
    msg = import_error(m)
    assert "Sqrt" in msg and "i32" in msg


def test_unbroadcastable_shapes_are_an_error() -> None:
    msg = import_error(one_node_model("Mul", {"a": _f(2, 3)}, initializers={"c": _f(4)}, opset=14))
    assert msg.startswith("Mul") and "[2, 3] and [4] do not broadcast" in msg


@pytest.mark.parametrize("dtype", [np.uint16, np.uint32, np.uint64])
@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Max", "Min"])
def test_wide_unsigned_tensors(op: str, dtype: type) -> None:
    """uint16/32/64 tensors map to ui16/ui32/ui64 (wrapping arithmetic, Div truncates)."""
    info = np.iinfo(dtype)
    a = RNG.integers(0, info.max, (2, 3), dtype=dtype, endpoint=True)
    b = RNG.integers(1, 1000, (2, 3), dtype=dtype)
    # onnxruntime has no uint16 Max / Min kernels: onnx.reference is the reference there.
    runtimes = ("reference",) if op in ("Max", "Min") and dtype == np.uint16 else ("reference", "onnxruntime")
    m = check_node(op, {"a": a, "b": b}, opset=14, runtimes=runtimes)
    assert f"ui{np.dtype(dtype).itemsize * 8}>" in str(m)
