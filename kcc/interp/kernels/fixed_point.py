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


# ---------------------------------------------------------------------------- gemmlowp fixed-point numbers
#
# A gemmlowp `FixedPoint<int32, I>` holds the real `raw / 2^(31 - I)` (I integer bits). Products of
# fixed-point numbers are `saturating_rounding_doubling_high_mul` of the raws (integer bits add up); sums
# add the raws (int32, wrapping); `rescale` moves a raw between integer-bit counts.


def count_leading_zeros32(x: np.ndarray) -> np.ndarray:
    """Leading zero bits of non-negative int32 values (32 for 0)."""
    _, exponent = np.frexp(np.asarray(x, dtype=np.int64).astype(np.float64))
    return 32 - exponent.astype(np.int64)


def count_leading_sign_bits32(x: np.ndarray) -> np.ndarray:
    """Redundant leading sign bits of int32 values (CountLeadingSignBits; 31 for 0 and -1)."""
    x64 = np.asarray(x, dtype=np.int64)
    return count_leading_zeros32(np.where(x64 >= 0, x64, -x64 - 1)) - 1


def saturating_rounding_multiply_by_pot(x: np.ndarray, exponent: int) -> np.ndarray:
    """gemmlowp SaturatingRoundingMultiplyByPOT: x * 2^exponent, saturating (left) or rounding (right)."""
    x64 = np.asarray(x, dtype=np.int64)
    if exponent < 0:
        return rounding_divide_by_pot(x64, -exponent)
    if exponent == 0:
        return x64
    threshold = (1 << (31 - exponent)) - 1
    return np.where(x64 > threshold, INT32_MAX, np.where(x64 < -threshold, INT32_MIN, x64 << exponent))


def rescale(x: np.ndarray, src_integer_bits: int, dst_integer_bits: int) -> np.ndarray:
    """gemmlowp Rescale: the raw of the same real with `dst_integer_bits` instead of `src_integer_bits`."""
    return saturating_rounding_multiply_by_pot(x, src_integer_bits - dst_integer_bits)


def rounding_half_sum(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """gemmlowp RoundingHalfSum: (a + b) / 2 rounded to nearest, ties away from zero."""
    s = np.asarray(a, dtype=np.int64) + np.asarray(b, dtype=np.int64)
    s = s + np.where(s >= 0, 1, -1)
    return np.where(s >= 0, s >> 1, -((-s) >> 1))


def _exp_on_interval_between_negative_one_quarter_and_0_excl(a: np.ndarray) -> np.ndarray:
    """exp(a) for a Q0.31 `a` in [-1/4, 0): 4th-order Taylor expansion around -1/8."""
    srdhm = saturating_rounding_doubling_high_mul
    exp_minus_one_eighth = 1895147668  # exp(-1/8) in Q0.31
    one_third = 715827883
    x = wrap_int32(a + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = rounding_divide_by_pot(x4, 2)
    poly = rounding_divide_by_pot(wrap_int32(srdhm(wrap_int32(x4_over_4 + x3), one_third) + x2), 1)
    return wrap_int32(exp_minus_one_eighth + srdhm(np.full_like(poly, exp_minus_one_eighth), wrap_int32(x + poly)))


# exp(-2^e) in Q0.31 for the barrel shifter of exp_on_negative_values, e = -2 .. 4.
_EXP_OF_MINUS_POT = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308), (2, 39332535), (3, 720401), (4, 242))


def exp_on_negative_values(a: np.ndarray, integer_bits: int) -> np.ndarray:
    """gemmlowp exp_on_negative_values: exp of a non-positive `FixedPoint<int32, integer_bits>`, as Q0.31."""
    a64 = np.asarray(a, dtype=np.int64)
    fractional_bits = 31 - integer_bits
    one_quarter = 1 << (fractional_bits - 2)
    a_mod_quarter_minus_one_quarter = (a64 & (one_quarter - 1)) - one_quarter
    result = _exp_on_interval_between_negative_one_quarter_and_0_excl(rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0))
    remainder = wrap_int32(a_mod_quarter_minus_one_quarter - a64)
    for exponent, multiplier in _EXP_OF_MINUS_POT:
        if integer_bits > exponent:
            bit = np.int64(1) << (fractional_bits + exponent)
            result = np.where((remainder & bit) != 0, saturating_rounding_doubling_high_mul(result, multiplier), result)
    if integer_bits > 5:
        result = np.where(a64 < -(1 << (36 - integer_bits)), 0, result)
    return np.where(a64 == 0, INT32_MAX, result)


def one_over_one_plus_x_for_x_in_0_1(a: np.ndarray) -> np.ndarray:
    """gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a Q0.31 `a` in [0, 1), Newton-Raphson."""
    srdhm = saturating_rounding_doubling_high_mul
    half_denominator = rounding_half_sum(a, INT32_MAX)  # Q0.31
    x = wrap_int32(1515870810 + srdhm(half_denominator, -1010580540))  # Q2.29: 48/17 - 32/17 * d
    one_q2 = 1 << 29
    for _ in range(3):
        half_denominator_times_x = srdhm(half_denominator, x)  # Q2.29
        one_minus = wrap_int32(one_q2 - half_denominator_times_x)
        x = wrap_int32(x + rescale(srdhm(x, one_minus), 4, 2))
    return rescale(x, 1, 0)  # x / 2 (ExactMulByPot<-1>) back to Q0.31


def get_reciprocal(x: np.ndarray, x_integer_digits: int) -> tuple[np.ndarray, np.ndarray]:
    """TFLite GetReciprocal of positive `FixedPoint<int32, x_integer_digits>` raws: (Q0.31 significand of 1/x,
    num_bits_over_unit) with 1/x = significand * 2^-num_bits_over_unit."""
    x64 = np.asarray(x, dtype=np.int64)
    headroom_plus_one = count_leading_zeros32(x64)
    num_bits_over_unit = x_integer_digits - headroom_plus_one
    shifted_minus_one = ((x64 << headroom_plus_one) & 0xFFFFFFFF) - (1 << 31)
    return one_over_one_plus_x_for_x_in_0_1(shifted_minus_one), num_bits_over_unit


def multiply_by_quantized_multiplier_greater_than_one(
    x: np.ndarray, multiplier: np.ndarray | int, left_shift: np.ndarray | int
) -> np.ndarray:
    """TFLite MultiplyByQuantizedMultiplierGreaterThanOne: rounding doubling high mul of `x << left_shift`."""
    shifted = wrap_int32(np.asarray(x, dtype=np.int64) << np.asarray(left_shift, dtype=np.int64))
    return saturating_rounding_doubling_high_mul(shifted, multiplier)


# ---------------------------------------------------------------------------------- 16-bit fixed point


def saturating_rounding_doubling_high_mul16(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """gemmlowp SaturatingRoundingDoublingHighMul on int16: a * b / 2^15 to nearest, saturating."""
    a64 = np.asarray(a, dtype=np.int64)
    b64 = np.asarray(b, dtype=np.int64)
    ab = a64 * b64
    s = ab + np.where(ab >= 0, np.int64(1 << 14), np.int64(1 - (1 << 14)))
    high = np.where(s >= 0, s >> 15, -((-s) >> 15))
    return np.where((a64 == -32768) & (b64 == -32768), np.int64(32767), high)


def saturating_doubling_high_mul16(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """TFLite SaturatingDoublingHighMul on int16: a * b / 2^15 truncated toward zero, saturating."""
    a64 = np.asarray(a, dtype=np.int64)
    b64 = np.asarray(b, dtype=np.int64)
    ab = a64 * b64
    high = np.where(ab >= 0, ab >> 15, -((-ab) >> 15))
    return np.where((a64 == -32768) & (b64 == -32768), np.int64(32767), high)


def saturating_left_shift16(x: np.ndarray, amount: int) -> np.ndarray:
    """TFLite SaturatingLeftShift on int16."""
    return np.clip(np.asarray(x, dtype=np.int64) << amount, -32768, 32767)


def wrap_int16(x: np.ndarray) -> np.ndarray:
    """Two's-complement wrap of int64 values to int16 range (kept as int64)."""
    return ((np.asarray(x, dtype=np.int64) + (1 << 15)) & 0xFFFF) - (1 << 15)
