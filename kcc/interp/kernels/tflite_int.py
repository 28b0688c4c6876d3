"""Integer kernels of TFLite's reference implementation (tensorflow/lite/kernels/internal/reference), in numpy.

The arithmetic of each kernel is TFLite's, bit for bit: integer sums, C integer division (truncating toward
zero), gemmlowp fixed point (`kcc.interp.kernels.fixed_point`) and, where TFLite computes in float32, float32
(`np.float32` scalars and arrays, same operation order, `std::round` = half away from zero). Inputs are
storage integers (any integer dtype); results are int64 arrays of unclamped or clamped values as documented.
Layout: 2-D pools and resize take NCHW arrays (kcc's layout for them); the rest are layout-free.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kcc.interp.kernels.conv import pad_nchw
from kcc.interp.kernels.fixed_point import (
    count_leading_sign_bits32,
    exp_on_negative_values,
    get_reciprocal,
    multiply_by_quantized_multiplier,
    multiply_by_quantized_multiplier_greater_than_one,
    rescale,
    rounding_divide_by_pot,
    saturating_doubling_high_mul16,
    saturating_left_shift16,
    saturating_rounding_doubling_high_mul,
    saturating_rounding_doubling_high_mul16,
    wrap_int16,
    wrap_int32,
)

F32 = np.float32


def c_div(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """C integer division: truncates toward zero."""
    a64 = np.asarray(a, dtype=np.int64)
    b64 = np.asarray(b, dtype=np.int64)
    q = np.abs(a64) // np.abs(b64)
    return np.where((a64 < 0) != (b64 < 0), -q, q)


def rounded_mean(total: np.ndarray, count: np.ndarray | int) -> np.ndarray:
    """`total / count` to nearest, ties away from zero, as TFLite's integer pools and means do:
    `(total + count / 2) / count` for a positive total, `(total - count / 2) / count` otherwise."""
    t = np.asarray(total, dtype=np.int64)
    half = np.asarray(count, dtype=np.int64) // 2
    return c_div(np.where(t > 0, t + half, t - half), count)


# ------------------------------------------------------------------------------------------------ pools


def average_pool2d_nchw(x: np.ndarray, kernel: Sequence[int], strides: Sequence[int], pads: Sequence[int]) -> np.ndarray:
    """AVERAGE_POOL_2D (int8 / uint8 / int16): the integer sum of the window's pixels inside the input, divided
    by their number with `rounded_mean`. Same quantization in and out (TFLite requires it)."""
    kh, kw = (int(k) for k in kernel)
    sh, sw = (int(s) for s in strides)
    pt, pl, pb, pr = (int(p) for p in pads)
    n, c, h, w = x.shape

    def windows(a: np.ndarray) -> np.ndarray:
        win = np.lib.stride_tricks.sliding_window_view(a, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
        oh, ow = (a.shape[2] - kh) // sh + 1, (a.shape[3] - kw) // sw + 1
        return win[:, :, :oh, :ow].sum(axis=(4, 5))

    total = windows(pad_nchw(x.astype(np.int64), pads, 0))
    mask = np.zeros((1, 1, h + pt + pb, w + pl + pr), dtype=np.int64)
    mask[:, :, pt : pt + h, pl : pl + w] = 1
    del n, c
    return rounded_mean(total, windows(mask))


# --------------------------------------------------------------------------------------------- softmax


SOFTMAX_SCALED_DIFF_INTEGER_BITS = 5
_SOFTMAX_ACCUMULATION_INTEGER_BITS = 12


def softmax_params(beta: float, input_scale: float) -> tuple[int, int, int]:
    """(input multiplier, input left shift, diff_min) of TFLite's 8-bit softmax (PreprocessSoftmaxScaling and
    CalculateInputRadius with 5 integer bits for the scaled differences)."""
    from kcc.interp.kernels.fixed_point import quantize_multiplier

    bits = SOFTMAX_SCALED_DIFF_INTEGER_BITS
    real = min(float(beta) * float(input_scale) * float(1 << (31 - bits)), float((1 << 31) - 1))
    multiplier, left_shift = quantize_multiplier(real)
    max_input_rescaled = 1.0 * ((1 << bits) - 1) * float(1 << (31 - bits)) / float(1 << left_shift)
    return multiplier, left_shift, -int(np.floor(max_input_rescaled))


def softmax_last_axis(x: np.ndarray, multiplier: int, left_shift: int, diff_min: int, out_bits: int, out_min: int) -> np.ndarray:
    """reference_ops::Softmax of 8-bit storage over the last axis: gemmlowp exp of the scaled differences to the
    row maximum, fixed-point reciprocal of their sum; output scale 1 / 2^out_bits with zero point `out_min`."""
    q = x.astype(np.int64)
    diff = q - q.max(axis=-1, keepdims=True)
    used = diff >= diff_min
    scaled = multiply_by_quantized_multiplier_greater_than_one(np.where(used, diff, 0), multiplier, left_shift)
    exps = exp_on_negative_values(scaled, SOFTMAX_SCALED_DIFF_INTEGER_BITS)  # Q0.31
    acc_bits = _SOFTMAX_ACCUMULATION_INTEGER_BITS
    terms = np.where(used, rescale(exps, 0, acc_bits), 0)
    sum_of_exps = wrap_int32(terms.sum(axis=-1, keepdims=True))
    reciprocal, num_bits_over_unit = get_reciprocal(sum_of_exps, acc_bits)
    unsat = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(reciprocal, exps), num_bits_over_unit + 31 - out_bits)
    out = np.clip(unsat + out_min, out_min, out_min + (1 << out_bits) - 1)
    return np.where(used, out, out_min)


# ---------------------------------------------------------------------------------------------- resize


def resize_bilinear_float_nchw(x: np.ndarray, out_hw: Sequence[int], align_corners: bool, half_pixel: bool) -> np.ndarray:
    """reference_ops::ResizeBilinear of integer storage (TFLite's uint8 kernel): float32 source coordinates and
    weights, the four products summed in float32, plus 0.5, truncated."""
    n, c, h, w = x.shape
    oh, ow = (int(s) for s in out_hw)

    def axis(in_len: int, out_len: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scale = F32(in_len) / F32(out_len)
        if align_corners and out_len > 1:
            scale = F32(in_len - 1) / F32(out_len - 1)
        v = np.arange(out_len, dtype=F32)
        src = (v + F32(0.5)) * scale - F32(0.5) if half_pixel else v * scale
        lo = np.maximum(np.floor(src).astype(np.int64), 0)
        hi = np.minimum(np.ceil(src).astype(np.int64), in_len - 1)
        return src.astype(F32), lo, hi

    ys, y0, y1 = axis(h, oh)
    xs, x0, x1 = axis(w, ow)
    dy = (ys - y0.astype(F32)).reshape(-1, 1)
    dx = (xs - x0.astype(F32)).reshape(1, -1)
    one = F32(1)
    xf = x.astype(F32)

    def at(yi: np.ndarray, xi: np.ndarray) -> np.ndarray:
        return xf[:, :, yi[:, None], xi[None, :]]

    total = at(y0, x0) * (one - dy) * (one - dx)
    total = total + at(y1, x0) * dy * (one - dx)
    total = total + at(y0, x1) * (one - dy) * dx
    total = total + at(y1, x1) * dy * dx
    del n, c
    return np.trunc(total + F32(0.5)).astype(np.int64)


def resize_bilinear_integer_nchw(x: np.ndarray, out_hw: Sequence[int], align_corners: bool, half_pixel: bool) -> np.ndarray:
    """reference_ops::ResizeBilinearInteger (TFLite's int8 / int16 kernel): source coordinates in 1/1024 units,
    int64 weighted sum of the four neighbours, divided by 2^20 rounding half away from zero."""
    _, _, h, w = x.shape
    oh, ow = (int(s) for s in out_hw)

    def axis(in_len: int, out_len: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scale_10 = int(c_div((1 << 10) * in_len + out_len // 2, out_len))
        if align_corners and out_len > 1:
            scale_10 = int(c_div((1 << 10) * (in_len - 1) + (out_len - 1) // 2, out_len - 1))
        v = np.arange(out_len, dtype=np.int64)
        src = v * scale_10 + scale_10 // 2 - (1 << 9) if half_pixel else v * scale_10
        lo = np.maximum(c_div(src, 1 << 10), 0)
        hi = np.minimum(c_div(src + (1 << 10) - 1, 1 << 10), in_len - 1)
        return src, lo, hi

    ys, y0, y1 = axis(h, oh)
    xs, x0, x1 = axis(w, ow)
    fy = (ys - (y0 << 10)).reshape(-1, 1)
    fx = (xs - (x0 << 10)).reshape(1, -1)
    one = 1 << 10
    xi = x.astype(np.int64)

    def at(yi: np.ndarray, xj: np.ndarray) -> np.ndarray:
        return xi[:, :, yi[:, None], xj[None, :]]

    total = at(y0, x0) * (one - fy) * (one - fx) + at(y1, x0) * fy * (one - fx)
    total = total + at(y0, x1) * (one - fy) * fx + at(y1, x1) * fy * fx
    return c_div(total + np.where(total > 0, 1 << 19, -(1 << 19)), 1 << 20)


# ------------------------------------------------------------------------------------------ activations


def hard_swish(
    x: np.ndarray,
    x_zp: int,
    y_zp: int,
    output_multiplier16: int,
    output_exponent: int,
    reluish_multiplier16: int,
    reluish_exponent: int,
) -> np.ndarray:
    """reference_ops::HardSwish of 8-bit storage: 16-bit fixed point on the input shifted left 7 bits; the
    "relu-ish" factor (x + 3) / 6 clamped to [0, 1], times the input on the output scale. Unclamped."""
    value = wrap_int16(x.astype(np.int64) - x_zp)
    hires = wrap_int16(value * (1 << 7))
    preshift_output = saturating_rounding_doubling_high_mul16(hires, output_multiplier16)
    reluish = hires
    if reluish_exponent > 0:
        reluish = saturating_left_shift16(reluish, reluish_exponent - 1)
    reluish = saturating_rounding_doubling_high_mul16(reluish, reluish_multiplier16)
    if reluish_exponent > 0:
        reluish = saturating_left_shift16(reluish, 1)
    if reluish_exponent < 0:
        reluish = rounding_divide_by_pot(reluish, -reluish_exponent)
    reluish = (reluish + (1 << 15)) >> 1
    preshift = saturating_doubling_high_mul16(reluish, preshift_output)
    return rounding_divide_by_pot(preshift, -output_exponent) + y_zp


def down_scale_int32_to_int16_multiplier(multiplier: int) -> int:
    """TFLite DownScaleInt32ToInt16Multiplier: a Q0.31 multiplier rounded to Q0.15."""
    rounding_offset = 1 << 15
    if multiplier >= (1 << 31) - 1 - rounding_offset:
        return (1 << 15) - 1
    return (multiplier + rounding_offset) >> 16


# ---------------------------------------------------------------------------------------------- binary


def divide(a: np.ndarray, b: np.ndarray, y_zp: int, multiplier: int, shift: int) -> np.ndarray:
    """reference_ops::Div of zero-point-free int32 operands `a / b` (b != 0): the fixed-point reciprocal of |b|
    times `a` normalised to full headroom, then the output multiplier. Unclamped, `y_zp` added."""
    a64 = np.asarray(a, dtype=np.int64)
    b64 = np.asarray(b, dtype=np.int64)
    a64, b64 = np.broadcast_arrays(np.where(b64 < 0, -a64, a64), np.abs(b64))
    reciprocal, recip_shift = get_reciprocal(b64, 31)
    headroom = count_leading_sign_bits32(a64)
    quotient = multiply_by_quantized_multiplier_greater_than_one(a64, reciprocal, headroom)
    total_shift = shift - recip_shift - headroom
    scaled = saturating_rounding_doubling_high_mul(quotient, multiplier)
    return _rounding_divide_by_pot_x86(scaled, np.clip(-total_shift, 0, 63)) + y_zp


def _rounding_divide_by_pot_x86(x: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """gemmlowp RoundingDivideByPOT also for exponents 32 .. 63, which TFLite's Div reaches for tiny quotients
    (`|a| << headroom` over a large divisor): the result of its int32 code on x86, where the mask
    `(1ll << exponent) - 1` keeps its low 32 bits and the shift count is taken modulo 32 (measured with litert)."""
    x64 = np.asarray(x, dtype=np.int64)
    e = np.asarray(exponent, dtype=np.int64)
    mask = wrap_int32((np.int64(1) << e) - 1)
    remainder = wrap_int32(x64 & mask)
    threshold = (mask >> 1) + (x64 < 0).astype(np.int64)
    return (x64 >> (e & 31)) + (remainder > threshold).astype(np.int64)


# ------------------------------------------------------------------------------------------------ mean


def mean_integer(
    x: np.ndarray, axes: tuple[int, ...], keepdims: bool, x_zp: int, y_zp: int, multiplier: int, shift: int
) -> np.ndarray:
    """MEAN of 8/16-bit storage (reference_ops::QuantizedMeanOrSum): `sum - x_zp * count` times the fixed-point
    `s_x / s_y` with 1 / count folded in: the multiplier shifted left by min(floor(log2 count), 32, 31 + shift)
    bits, divided by the count (truncating), and the exponent lowered by as many bits. Unclamped, `y_zp` added."""
    count = int(np.prod([x.shape[a] for a in axes]))
    bits = min(count.bit_length() - 1, 32, 31 + shift)
    multiplier = (multiplier << bits) // count
    total = np.sum(x.astype(np.int64), axis=axes, keepdims=keepdims) - x_zp * count
    return multiply_by_quantized_multiplier(wrap_int32(total), multiplier, shift - bits) + y_zp
