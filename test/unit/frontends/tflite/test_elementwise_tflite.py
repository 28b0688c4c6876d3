"""TFLite ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE: kcc's import + interpreter against litert.

Broadcasting, constants on either side, fused activations, int8 / uint8. Quantized results are exact: kcc's
interpreter has TFLite's integer kernels (ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE), and MAXIMUM / MINIMUM
only move values on one shared quantization.
"""

from __future__ import annotations

import numpy as np
import pytest
from tflite_import_ref import QParams, check_op, const, import_error, rand_q, tensor

from kcc.dialects import nn

BINARY = ["ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE"]
FUSED = ["ADD", "SUB", "MUL", "DIV"]


def _floats(rng: np.random.Generator, shape: tuple[int, ...], op: str) -> np.ndarray:
    x = rng.standard_normal(shape).astype(np.float32)
    if op == "DIV":  # keep divisors away from 0
        x = (np.sign(x) + (x == 0)) * (np.abs(x) + 0.5)
    return x.astype(np.float32)


def _ops_in(module: object) -> list[str]:
    return [o.name for o in module.walk() if o.name.startswith("nn.")]  # type: ignore[attr-defined]


@pytest.mark.parametrize("op", BINARY)
def test_float_same_shape(op: str) -> None:
    rng = np.random.default_rng(1)
    a, b = _floats(rng, (1, 4, 5, 3), op), _floats(rng, (1, 4, 5, 3), op)
    check_op(op, [a, b])


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "out_shape"),
    [
        ((1, 4, 5, 3), (3,), (1, 4, 5, 3)),
        ((1, 4, 1, 3), (1, 1, 5, 1), (1, 4, 5, 3)),
        ((2, 1, 3), (4, 1), (2, 4, 3)),
        ((3,), (2, 3), (2, 3)),
    ],
)
@pytest.mark.parametrize("op", BINARY)
def test_float_broadcast(op: str, a_shape: tuple[int, ...], b_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(2)
    a, b = _floats(rng, a_shape, op), _floats(rng, b_shape, op)
    check_op(op, [a, b], output_shape=out_shape)


@pytest.mark.parametrize("op", BINARY)
def test_float_scalar_constant(op: str) -> None:
    # (a 0-d graph input cannot be fed through tflite_ref.run_model, which makes inputs at least 1-d)
    rng = np.random.default_rng(12)
    check_op(op, [_floats(rng, (1, 4, 5, 3), op), const(np.asarray(_floats(rng, (), op), dtype=np.float32))])


@pytest.mark.parametrize("const_side", [0, 1])
@pytest.mark.parametrize("op", BINARY)
def test_float_constant_operand(op: str, const_side: int) -> None:
    rng = np.random.default_rng(3)
    x, c = _floats(rng, (1, 3, 4, 2), op), _floats(rng, (1, 1, 4, 2), op)
    operands = [x, const(c)] if const_side == 1 else [const(c), x]
    module = check_op(op, operands, output_shape=(1, 3, 4, 2))
    assert "nn.const" in _ops_in(module)


@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
@pytest.mark.parametrize("op", FUSED)
def test_float_fused_activation(op: str, act: str) -> None:
    rng = np.random.default_rng(4)
    a, b = _floats(rng, (1, 4, 4, 3), op) * 4, _floats(rng, (1, 4, 4, 3), op)
    check_op(op, [a, b], {"fused_activation_function": act})


def test_fused_activation_emits_separate_op() -> None:
    rng = np.random.default_rng(5)
    a, b = _floats(rng, (1, 2, 2, 3), "ADD"), _floats(rng, (1, 2, 2, 3), "ADD")
    relu = check_op("ADD", [a, b], {"fused_activation_function": "RELU"})
    assert _ops_in(relu) == ["nn.add", "nn.relu"]
    relu6 = check_op("MUL", [a, b], {"fused_activation_function": "RELU6"})
    clamps = [o for o in relu6.walk() if isinstance(o, nn.ClampOp)]
    assert [c.bounds for c in clamps] == [(0.0, 6.0)]


@pytest.mark.parametrize("act", ["TANH", "SIGN_BIT"])
def test_unsupported_fused_activation(act: str) -> None:
    rng = np.random.default_rng(6)
    a = _floats(rng, (1, 2, 2, 3), "ADD")
    message = import_error("ADD", [a, a.copy()], {"fused_activation_function": act})
    assert "ADD" in message and act in message


def test_int32_operands_rejected() -> None:
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    message = import_error("ADD", [a, a.copy()])
    assert "ADD" in message


# ---------------------------------------------------------------------------------------------------- quantized

_SIGNED = {"i8": (np.int8, -5), "u8": (np.uint8, 131)}


def _q_operands(
    rng: np.random.Generator, dtype_key: str, a_shape: tuple[int, ...], b_shape: tuple[int, ...], same: bool
) -> tuple[object, object, QParams]:
    dtype, zp = _SIGNED[dtype_key]
    qa = QParams(0.05, zp)
    qb = qa if same else QParams(0.031, zp + 7)
    qy = qa if same else QParams(0.07, zp - 3)
    return tensor(rand_q(rng, a_shape, dtype), qa), tensor(rand_q(rng, b_shape, dtype), qb), qy


# (op, dtype, max_lsb): TFLite's ADD / MUL / SUB / DIV / SQUARED_DIFFERENCE integer kernels are reproduced
# exactly; MAXIMUM / MINIMUM need one shared quantization.
QUANTIZED = [
    ("ADD", "i8", 0),
    ("ADD", "u8", 0),
    ("MUL", "i8", 0),
    ("MUL", "u8", 0),
    ("SUB", "i8", 0),
    ("SUB", "u8", 0),
    ("DIV", "i8", 0),
    ("DIV", "u8", 0),
    ("SQUARED_DIFFERENCE", "i8", 0),
]


@pytest.mark.parametrize(("op", "dtype_key", "max_lsb"), QUANTIZED)
def test_quantized(op: str, dtype_key: str, max_lsb: int) -> None:
    rng = np.random.default_rng(7)
    a, b, qy = _q_operands(rng, dtype_key, (1, 4, 5, 3), (1, 4, 5, 3), same=False)
    if op == "DIV":  # no zero divisors
        dtype, zp = _SIGNED[dtype_key]
        b = tensor(np.where(b.data == zp + 7, zp + 8, b.data).astype(dtype), b.quant)  # type: ignore[attr-defined]
    check_op(op, [a, b], output_quant=qy, max_lsb=max_lsb)


@pytest.mark.parametrize(("op", "dtype_key", "max_lsb"), QUANTIZED)
def test_quantized_broadcast(op: str, dtype_key: str, max_lsb: int) -> None:
    rng = np.random.default_rng(8)
    a, b, qy = _q_operands(rng, dtype_key, (1, 4, 1, 3), (1, 1, 5, 1), same=False)
    if op == "DIV":
        dtype, zp = _SIGNED[dtype_key]
        b = tensor(np.where(b.data == zp + 7, zp + 8, b.data).astype(dtype), b.quant)  # type: ignore[attr-defined]
    check_op(op, [a, b], output_shape=(1, 4, 5, 3), output_quant=qy, max_lsb=max_lsb)


@pytest.mark.parametrize("dtype_key", ["i8", "u8"])
@pytest.mark.parametrize("op", ["MAXIMUM", "MINIMUM"])
def test_quantized_max_min(op: str, dtype_key: str) -> None:
    rng = np.random.default_rng(9)
    a, b, q = _q_operands(rng, dtype_key, (1, 3, 4, 2), (1, 1, 4, 2), same=True)
    check_op(op, [a, b], output_shape=(1, 3, 4, 2), output_quant=q)


@pytest.mark.parametrize("const_side", [0, 1])
@pytest.mark.parametrize("op", ["ADD", "MUL"])
def test_quantized_constant_operand(op: str, const_side: int) -> None:
    rng = np.random.default_rng(10)
    x = tensor(rand_q(rng, (1, 3, 4, 2), np.int8), QParams(0.05, -5))
    c = const(rand_q(rng, (2,), np.int8), QParams(0.02, 3))
    operands = [x, c] if const_side == 1 else [c, x]
    check_op(op, operands, output_shape=(1, 3, 4, 2), output_dtype=np.int8, output_quant=QParams(0.08, 1))


@pytest.mark.parametrize("act", ["RELU", "RELU6", "RELU_N1_TO_1"])
@pytest.mark.parametrize(("op", "dtype_key"), [("ADD", "i8"), ("ADD", "u8"), ("MUL", "i8"), ("MUL", "u8")])
def test_quantized_fused_activation(op: str, dtype_key: str, act: str) -> None:
    rng = np.random.default_rng(11)
    a, b, _ = _q_operands(rng, dtype_key, (1, 4, 5, 3), (1, 4, 5, 3), same=False)
    _, zp = _SIGNED[dtype_key]
    # an output scale fine enough that RELU6 / RELU_N1_TO_1 bounds fall inside the storage range
    check_op(op, [a, b], {"fused_activation_function": act}, output_quant=QParams(0.02, zp), max_lsb=0)


@pytest.mark.parametrize("op", BINARY)
def test_int32_constants_folded(op: str) -> None:
    # Both operands constant (shape arithmetic): computed at import; DIV truncates toward zero like TFLite.
    a = np.asarray([[-7, 7, -7, 7, 0, 12]], dtype=np.int32)
    b = np.asarray([2, 2, -2, -2, 3, 5], dtype=np.int32)
    module = check_op(op, [const(a), const(b)], output_shape=(1, 6))
    assert _ops_in(module) == ["nn.const"]


def test_float_constants_folded_with_activation() -> None:
    a, b = const(_floats(np.random.default_rng(13), (2, 3), "ADD")), const(np.float32([1.0, -1.0, 0.5]))
    module = check_op("SUB", [a, b], {"fused_activation_function": "RELU_N1_TO_1"})
    assert _ops_in(module) == ["nn.const"]
