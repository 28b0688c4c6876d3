"""Elementwise math on numpy arrays, following the ONNX / TFLite definitions.

Every kernel computes in float64 and returns float64; the caller casts to the result type. For float32
inputs that makes +, -, *, /, sqrt correctly rounded after the cast and keeps exp / log / tanh within an ulp.
Division, logarithms and roots follow IEEE (inf / nan results, no warnings). Binary kernels broadcast the
numpy / ONNX multidirectional way; `prelu` broadcasts its slope to the input.
"""

from __future__ import annotations

import numpy as np


def _f64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# --- binary ---------------------------------------------------------------------------------------------------------


def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _f64(a) + _f64(b)


def sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _f64(a) - _f64(b)


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _f64(a) * _f64(b)


def div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return _f64(a) / _f64(b)


def minimum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.minimum(_f64(a), _f64(b))


def maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(_f64(a), _f64(b))


def power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.power(_f64(a), _f64(b))


def squared_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = _f64(a) - _f64(b)
    return d * d


def prelu(x: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """x where x >= 0, slope * x elsewhere; slope broadcasts to x's shape."""
    xf = _f64(x)
    return np.where(xf < 0, xf * _f64(slope), xf)


# --- unary ----------------------------------------------------------------------------------------------------------


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(_f64(x), 0.0)


def clamp(x: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    """min(max(x, lo), hi); a None bound is absent (ONNX Clip: if lo > hi every value becomes hi)."""
    y = _f64(x)
    if lo is not None:
        y = np.maximum(y, lo)
    if hi is not None:
        y = np.minimum(y, hi)
    return y


def leaky_relu(x: np.ndarray, alpha: float) -> np.ndarray:
    xf = _f64(x)
    return np.where(xf < 0, xf * alpha, xf)


def sigmoid(x: np.ndarray) -> np.ndarray:
    xf = _f64(x)
    # exp of a non-positive argument only: no overflow for large |x|.
    e = np.exp(-np.abs(xf))
    return np.where(xf >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(_f64(x))


def hard_sigmoid(x: np.ndarray, alpha: float = 0.2, beta: float = 0.5) -> np.ndarray:
    return np.clip(_f64(x) * alpha + beta, 0.0, 1.0)


def hard_swish(x: np.ndarray) -> np.ndarray:
    """x * relu6(x + 3) / 6, i.e. ONNX HardSwish (x * hard_sigmoid(x, 1/6, 1/2))."""
    xf = _f64(x)
    return xf * np.clip(xf + 3.0, 0.0, 6.0) / 6.0


def exp(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.exp(_f64(x))


def log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(_f64(x))


def sqrt(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.sqrt(_f64(x))


def rsqrt(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 / np.sqrt(_f64(x))


def absolute(x: np.ndarray) -> np.ndarray:
    return np.abs(_f64(x))


def negative(x: np.ndarray) -> np.ndarray:
    return -_f64(x)


def floor(x: np.ndarray) -> np.ndarray:
    return np.floor(_f64(x))


def ceil(x: np.ndarray) -> np.ndarray:
    return np.ceil(_f64(x))


def softmax(x: np.ndarray, axis: int, beta: float = 1.0) -> np.ndarray:
    """exp(beta * x) / sum(exp(beta * x)) along `axis`, computed stably (max subtracted first)."""
    z = _f64(x) * beta
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)
