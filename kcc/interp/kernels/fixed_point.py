"""Fixed-point arithmetic of TFLite's integer kernels (gemmlowp semantics), vectorized in numpy.

A real multiplier `m > 0` is held as `(multiplier, shift)`: a Q0.31 int32 significand in [2^30, 2^31) and a
power-of-two exponent, `m ~= multiplier * 2^(shift - 31)` (`quantize_multiplier`). Applying it to an int32
accumulator (`multiply_by_quantized_multiplier`) is a left shift for a positive exponent, a saturating
rounding doubling high multiply, then a rounding right shift for a negative exponent: the double rounding
of TFLite's default build (not TFLITE_SINGLE_ROUNDING). Every function works on int64 arrays holding int32
values and returns int64 arrays of int32 values; int32 overflow wraps as the C++ kernels' does.
"""

from __future__ import annotations

import math

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def wrap_int32(x: np.ndarray) -> np.ndarray:
    """Two's-complement wrap of int64 values to int32 range (kept as int64)."""
    return ((np.asarray(x, dtype=np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def round_half_away(x: float) -> int:
    """std::round: to nearest, ties away from zero."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def quantize_multiplier(real_multiplier: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: (significand in Q0.31, exponent) with real ~= significand * 2^(exponent-31)."""
    if real_multiplier == 0.0:
        return 0, 0
    if real_multiplier < 0.0 or not math.isfinite(real_multiplier):
        raise ValueError(f"multiplier must be finite and non-negative, got {real_multiplier}")
    q, shift = math.frexp(real_multiplier)
    q_fixed = round_half_away(q * (1 << 31))
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q_fixed, shift


def quantize_multipliers(real_multipliers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`quantize_multiplier` of each element: (significands, exponents) as int64 arrays of the same shape."""
    flat = np.asarray(real_multipliers, dtype=np.float64).ravel()
    pairs = [quantize_multiplier(float(m)) for m in flat]
    mult = np.array([p[0] for p in pairs], dtype=np.int64).reshape(np.shape(real_multipliers))
    shift = np.array([p[1] for p in pairs], dtype=np.int64).reshape(np.shape(real_multipliers))
    return mult, shift


def saturating_rounding_doubling_high_mul(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """gemmlowp SaturatingRoundingDoublingHighMul: a * b / 2^31 to nearest (ties toward +inf), saturating."""
    a64 = np.asarray(a, dtype=np.int64)
    b64 = np.asarray(b, dtype=np.int64)
    ab = a64 * b64
    nudge = np.where(ab >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    s = ab + nudge
    high = np.where(s >= 0, s >> 31, -((-s) >> 31))  # C++ integer division truncates toward zero
    overflow = (a64 == INT32_MIN) & (b64 == INT32_MIN)
    return np.where(overflow, np.int64(INT32_MAX), high)


def rounding_divide_by_pot(x: np.ndarray, exponent: np.ndarray | int) -> np.ndarray:
    """gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero."""
    x64 = np.asarray(x, dtype=np.int64)
    e = np.asarray(exponent, dtype=np.int64)
    mask = (np.int64(1) << e) - 1
    remainder = x64 & mask
    threshold = (mask >> 1) + (x64 < 0).astype(np.int64)
    return (x64 >> e) + (remainder > threshold).astype(np.int64)


def multiply_by_quantized_multiplier(x: np.ndarray, multiplier: np.ndarray | int, shift: np.ndarray | int) -> np.ndarray:
    """TFLite MultiplyByQuantizedMultiplier: x * multiplier * 2^(shift - 31), doubly rounded."""
    s = np.asarray(shift, dtype=np.int64)
    left = np.maximum(s, 0)
    right = np.maximum(-s, 0)
    shifted = wrap_int32(np.asarray(x, dtype=np.int64) << left)
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right)


def quantize_activation_bound(value: float, scale: float, zero_point: int) -> int:
    """TFLite's quantization of a fused activation bound: zero_point + round(float(value) / float(scale))."""
    q = np.float32(value) / np.float32(scale)
    return int(zero_point) + round_half_away(float(q))
