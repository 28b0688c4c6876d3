"""Elementwise math on numpy arrays, following the ONNX / TFLite definitions.

Every float kernel computes in float64 and returns float64; the caller casts to the result type. For float32
inputs that makes +, -, *, /, sqrt correctly rounded after the cast and keeps exp / log / tanh within an ulp.
Division, logarithms and roots follow IEEE (inf / nan results, no warnings). Binary kernels broadcast the
numpy / ONNX multidirectional way; `prelu` broadcasts its slope to the input. The `int_*` kernels compute plain
integer tensors exactly in their own dtype (wrapping, division truncating toward zero).
"""

from __future__ import annotations

import numpy as np


def _f64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# --- binary ---------------------------------------------------------------------------------------------------------


def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, 0 * inf: NaN as IEEE says
        return _f64(a) + _f64(b)


def sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, 0 * inf: NaN as IEEE says
        return _f64(a) - _f64(b)


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, 0 * inf: NaN as IEEE says
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


# --- plain integers (ONNX integer tensors) --------------------------------------------------------------------------
# Computed in the operands' own dtype: results wrap around as C / ONNX runtimes do.


def int_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.add(a, b)


def int_sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.subtract(a, b)


def int_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.multiply(a, b)


def int_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Division truncating toward zero (C semantics); x / 0 gives 0."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    safe = np.where(b == 0, np.ones_like(b), b)
    q = np.floor_divide(a, safe)
    r = a - q * safe
    q = np.where((r != 0) & ((a < 0) != (safe < 0)), q + 1, q)
    return np.where(b == 0, np.zeros_like(q), q).astype(a.dtype)


def int_minimum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.minimum(a, b)


def int_maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(a, b)


def int_power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact integer power (wrapping); a negative exponent gives trunc(a ** b), i.e. 0 unless |a| is 1."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    out = np.power(a, np.where(b < 0, np.zeros_like(b), b))
    if np.any(b < 0):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            neg = np.trunc(np.power(a.astype(np.float64), b.astype(np.float64)))
        out = np.where(b < 0, np.nan_to_num(neg, nan=0.0, posinf=0.0, neginf=0.0).astype(out.dtype), out)
    return out.astype(a.dtype)


def int_power_float_exponent(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """trunc(a ** b) in f64 for an integer base and a float exponent (nan / inf give 0), in a's dtype."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.trunc(np.power(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)))
    info = np.iinfo(np.asarray(a).dtype)
    y = np.where(np.isfinite(y), y, 0.0)
    return np.clip(y, info.min, info.max).astype(np.asarray(a).dtype)


def int_squared_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.subtract(a, b)
    return np.multiply(d, d)


def int_relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, np.zeros((), dtype=x.dtype))


def int_clamp(x: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    """Clamp to [ceil(lo), floor(hi)] limited to the dtype's range; if lo > hi every value becomes hi."""
    info = np.iinfo(x.dtype)
    y = x
    if lo is not None:
        y = np.maximum(y, np.asarray(min(max(int(np.ceil(lo)), info.min), info.max), dtype=x.dtype))
    if hi is not None:
        y = np.minimum(y, np.asarray(min(max(int(np.floor(hi)), info.min), info.max), dtype=x.dtype))
    return y


def int_absolute(x: np.ndarray) -> np.ndarray:
    return np.abs(x)


def int_negative(x: np.ndarray) -> np.ndarray:
    return np.negative(x)
