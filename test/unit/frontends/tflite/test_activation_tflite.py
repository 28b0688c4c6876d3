"""TFLite activations and unary math: kcc's import + interpreter against litert.

LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, PRELU, HARD_SWISH, EXP, LOG, SQRT, RSQRT, ABS, NEG in
float32, and int8 / uint8 where litert's reference kernels take them (every storage value is fed). kcc's
interpreter runs LEAKY_RELU, PRELU, HARD_SWISH, ABS and SQRT with TFLite's integer kernels
(kcc/interp/nn/quant_kernels.py), the others as dequantize -> float -> quantize, which agrees with TFLite's
lookup tables (LOGISTIC, TANH, EXP, LOG, RSQRT) for the quantizations tested here: all compare exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from tflite_import_ref import QParams, check_op, const, import_error, rand_q, tensor

SHAPE = (1, 4, 5, 3)

# op -> (input generator kind, options)
UNARY: dict[str, tuple[str, dict[str, object] | None]] = {
    "LOGISTIC": ("normal", None),
    "TANH": ("normal", None),
    "RELU": ("normal", None),
    "RELU6": ("wide", None),
    "RELU_N1_TO_1": ("normal", None),
    "LEAKY_RELU": ("normal", {"alpha": 0.2}),
    "HARD_SWISH": ("wide", None),
    "EXP": ("normal", None),
    "LOG": ("positive", None),
    "SQRT": ("positive", None),
    "RSQRT": ("positive", None),
    "ABS": ("normal", None),
    "NEG": ("normal", None),
}


def _input(rng: np.random.Generator, kind: str, shape: tuple[int, ...] = SHAPE) -> np.ndarray:
    x = rng.standard_normal(shape)
    if kind == "wide":
        x = x * 5
    elif kind == "positive":
        x = np.abs(x) + 0.05
    return x.astype(np.float32)


@pytest.mark.parametrize("op", sorted(UNARY))
def test_float(op: str) -> None:
    kind, options = UNARY[op]
    x = _input(np.random.default_rng(1), kind)
    check_op(op, [x], options)


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.5])
def test_float_leaky_relu_alpha(alpha: float) -> None:
    x = _input(np.random.default_rng(2), "normal")
    check_op("LEAKY_RELU", [x], {"alpha": alpha})


@pytest.mark.parametrize("alpha_shape", [(3,), (1, 1, 3), (5, 3), (4, 5, 3), (1, 4, 5, 3), (1, 1, 1, 1)])
def test_float_prelu_alpha_broadcast(alpha_shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    x = _input(rng, "normal")
    alpha = rng.uniform(0.05, 0.5, alpha_shape).astype(np.float32)
    check_op("PRELU", [x, const(alpha)])


def test_float_prelu_alpha_input() -> None:
    rng = np.random.default_rng(4)
    x = _input(rng, "normal")
    alpha = rng.uniform(0.05, 0.5, (1, 1, 3)).astype(np.float32)
    check_op("PRELU", [x, alpha])


def test_float_rank2() -> None:
    x = _input(np.random.default_rng(5), "normal", (3, 7))
    check_op("TANH", [x])
    check_op("RELU6", [x * 8])


# ---------------------------------------------------------------------------------------------------- quantized

_ZP = {np.int8: -7, np.uint8: 120}

# (op, dtype, output quantization or None = the input's, max LSB: 0 everywhere now). TFLite fixes the LOGISTIC / TANH output
# quantization (1/256 and 1/128 with the zero point at the bottom / middle of the range).
QUANTIZED: list[tuple[str, type, QParams | None, int]] = [
    ("LOGISTIC", np.int8, QParams(1 / 256, -128), 0),
    ("LOGISTIC", np.uint8, QParams(1 / 256, 0), 0),
    ("TANH", np.int8, QParams(1 / 128, 0), 0),
    ("TANH", np.uint8, QParams(1 / 128, 128), 0),
    ("RELU", np.int8, None, 0),
    ("RELU", np.uint8, None, 0),
    ("RELU", np.int8, QParams(0.03, -100), 0),
    ("RELU6", np.int8, None, 0),
    ("RELU6", np.uint8, QParams(0.03, 10), 0),
    ("RELU_N1_TO_1", np.int8, None, 0),
    ("RELU_N1_TO_1", np.uint8, None, 0),
    ("LEAKY_RELU", np.int8, None, 0),
    ("LEAKY_RELU", np.uint8, QParams(0.04, 100), 0),
    ("HARD_SWISH", np.int8, QParams(0.04, -60), 0),
    ("HARD_SWISH", np.uint8, QParams(0.04, 60), 0),
    ("EXP", np.int8, QParams(0.05, -128), 0),
    ("LOG", np.int8, QParams(0.02, 0), 0),
    ("SQRT", np.int8, QParams(0.02, -128), 0),
    ("RSQRT", np.int8, QParams(0.05, -128), 0),
    ("ABS", np.int8, QParams(0.06, -128), 0),
]


@pytest.mark.parametrize(("op", "dtype", "out_q", "max_lsb"), QUANTIZED)
def test_quantized(op: str, dtype: type, out_q: QParams | None, max_lsb: int) -> None:
    rng = np.random.default_rng(6)
    q_in = QParams(0.05, _ZP[dtype])
    info = np.iinfo(dtype)
    x = rng.permutation(np.arange(info.min, info.max + 1)).astype(dtype).reshape(1, 4, 8, 8)  # every storage value
    if op in ("LOG", "SQRT", "RSQRT"):  # positive reals only
        x = np.maximum(x, _ZP[dtype] + 1).astype(dtype)
    _, options = UNARY[op]
    check_op(op, [tensor(x, q_in)], options, output_quant=out_q or q_in, max_lsb=max_lsb)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_quantized_prelu(dtype: type) -> None:
    rng = np.random.default_rng(7)
    x = tensor(rand_q(rng, SHAPE, dtype), QParams(0.05, _ZP[dtype]))
    alpha = const(rand_q(rng, (1, 1, 3), dtype), QParams(0.002, _ZP[dtype]))
    # TFLite's PRELU multiplies in fixed point with two multipliers; kcc's exact kernel does the same.
    check_op("PRELU", [x, alpha], output_quant=QParams(0.04, _ZP[dtype]))


def test_quantized_neg_zero_point_0() -> None:
    # TFLite negates the int8 storage integers; that is the real negation for zero point 0, except at -128
    # (TFLite wraps to -128, kcc saturates to 127), which this input leaves out.
    x = rand_q(np.random.default_rng(8), SHAPE, np.int8)
    x = np.maximum(x, -127).astype(np.int8)
    check_op("NEG", [tensor(x, QParams(0.05, 0))])


def test_quantized_neg_nonzero_zero_point_rejected() -> None:
    x = rand_q(np.random.default_rng(9), SHAPE, np.int8)
    message = import_error("NEG", [tensor(x, QParams(0.05, -7))], output_shape=SHAPE)
    assert "NEG" in message and "zero point 0" in message


def test_prelu_alpha_larger_than_input_rejected() -> None:
    x = _input(np.random.default_rng(10), "normal", (4, 1))
    message = import_error("PRELU", [x, const(np.full((4, 3), 0.2, dtype=np.float32))], output_shape=(4, 3))
    assert "PRELU" in message and "alpha" in message


def test_integer_input_rejected() -> None:
    message = import_error("RELU", [np.arange(6, dtype=np.int32).reshape(2, 3)], output_shape=(2, 3))
    assert "RELU" in message and "INT32" in message
