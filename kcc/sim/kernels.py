"""numpy versions of the kmodel runtimes' CPU kernels, with their float32 / integer rounding behaviour.

Sums the runtimes compute with a sequential float32 loop are computed with `np.cumsum` in float32 (which is
sequential), not with numpy's pairwise `sum`, so results match the C loops bit for bit. The float32 kernels the
interpreter shares (sequential sum, conv, window fold, exp, softmax, logistic) live in kcc/interp/kernels/
(f32_accumulate, f32_math) and are re-exported here.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kcc.interp.kernels.f32_accumulate import conv2d_f32, pool2d_f32, seq_sum, windowed_out
from kcc.interp.kernels.f32_math import sigmoid_f32, softmax_f32

F32 = NDArray[np.float32]
I64 = NDArray[np.int64]
U8 = NDArray[np.uint8]
FLT_MIN = np.float32(1.17549435e-38)


def round_half_away(x: F32) -> F32:
    """C `roundf`: round half away from zero (in float32)."""
    x = np.asarray(x, dtype=np.float32)
    return (np.sign(x) * np.floor(np.abs(x) + np.float32(0.5))).astype(np.float32)


def sdk_carry_shift(v: I64, shift: int) -> I64:
    """SDK `kpu_carry_shift`: shift by s-1, then round on the last bit (its negative branch subtracts 1)."""
    v = np.asarray(v, dtype=np.int64)
    if shift <= 0:
        return v
    v = v >> (shift - 1)
    odd = (v & 1) == 1
    half = v >> 1
    return np.where(odd, np.where(v < 0, half - 1, half + 1), half)


def carry_shift(v: I64, shift: int) -> I64:
    """nncase v0.2 `carry_shift`: (v + 2^(s-1)) >> s for s > 0 (shift narrowed to u8 by every caller)."""
    s = shift & 0xFF
    v = np.asarray(v, dtype=np.int64)
    return v if s == 0 else (v + (1 << (s - 1))) >> s


def mul_and_carry_shift(x: I64, mul: int, shift: int) -> I64:
    r = carry_shift(np.asarray(x, dtype=np.int64) * mul, shift)
    return ((r + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int64)  # (int32) narrowing


def fma_f32(a: NDArray[np.generic], b: NDArray[np.generic] | np.floating, c: NDArray[np.generic] | np.floating) -> F32:
    """float32 fused multiply-add a·b + c with one rounding (RISC-V `fmadd.s`, which gcc contracts `s += x*w` to).

    The float32 product is exact in float64; the float64 sum is rounded twice (to 53 then 24 bits), which
    equals a single rounding except in vanishingly rare halfway cases."""
    a64 = np.asarray(a, dtype=np.float64)
    return (a64 * np.asarray(b, dtype=np.float64) + np.asarray(c, dtype=np.float64)).astype(np.float32)


def fully_connected(x: F32, w: F32, b: F32, act: int, fma: bool = True) -> F32:
    """SDK FULLY_CONNECTED: per output, s = 0; s += x[i]·w[o][i] sequentially; y = s + b[o]; then act.

    `fma=True` models the K210 build (gcc contracts the loop body into fmadd.s): this reproduces the
    cifar10 board output to print precision (5e-7), the separate multiply-then-add reading only to 2.4e-6."""
    x = np.asarray(x, dtype=np.float32)
    if fma:
        acc = np.zeros(w.shape[0], dtype=np.float32)
        for i in range(w.shape[1]):
            acc = fma_f32(w[:, i], x[i], acc)
        y = (acc + b).astype(np.float32)
    else:
        y = seq_sum(w * x[None, :], axis=1) + b
    if act == 1:
        y = np.maximum(y, np.float32(0))
    elif act == 2:
        y = np.minimum(np.maximum(y, np.float32(0)), np.float32(6))
    return y.astype(np.float32)


def pool2d_clipped(
    x: NDArray[np.generic], out_h: int, out_w: int, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, mode: str
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Window fold over the in-bounds taps of a CxHxW map (origin o·stride - pad).

    Returns (values, counts): `mode` 'max' gives the max (initial -inf), 'sum' the float64 sum."""
    c, h, w = x.shape
    xf = x.astype(np.float64)
    acc = np.full((c, out_h, out_w), -np.inf if mode == "max" else 0.0)
    cnt = np.zeros((out_h, out_w), dtype=np.int64)
    oy = np.arange(out_h) * sh - ph
    ox = np.arange(out_w) * sw - pw
    for ky in range(kh):
        for kx in range(kw):
            iy, ix = oy + ky, ox + kx
            vy, vx = (iy >= 0) & (iy < h), (ix >= 0) & (ix < w)
            valid = vy[:, None] & vx[None, :]
            tap = xf[:, np.clip(iy, 0, h - 1)][:, :, np.clip(ix, 0, w - 1)]
            new = np.maximum(acc, tap) if mode == "max" else acc + tap
            acc = np.where(valid[None], new, acc)
            cnt += valid
    return acc, cnt


def resize_nearest(x: NDArray[np.generic], out_h: int, out_w: int) -> NDArray[np.generic]:
    _, h, w = x.shape[-3:]
    sy = np.float32(h) / np.float32(out_h)
    sx = np.float32(w) / np.float32(out_w)
    iy = np.minimum(np.floor(np.arange(out_h, dtype=np.float32) * sy).astype(np.int64), h - 1)
    ix = np.minimum(np.floor(np.arange(out_w, dtype=np.float32) * sx).astype(np.int64), w - 1)
    return x[..., iy, :][..., ix]


def resize_bilinear(x: NDArray[np.generic], out_h: int, out_w: int, align_corners: bool) -> F32:
    h, w = x.shape[-2:]

    def axis(n_in: int, n_out: int) -> tuple[I64, I64, F32]:
        if align_corners and n_out > 1:
            scale = np.float32(n_in - 1) / np.float32(n_out - 1)
        else:
            scale = np.float32(n_in) / np.float32(n_out)
        pos = np.arange(n_out, dtype=np.float32) * scale
        i0 = np.floor(pos).astype(np.int64)
        i0 = np.minimum(i0, n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, (pos - i0.astype(np.float32)).astype(np.float32)

    y0, y1, fy = axis(h, out_h)
    x0, x1, fx = axis(w, out_w)
    xf = np.asarray(x, dtype=np.float32)
    a = xf[..., y0, :][..., x0]
    b = xf[..., y0, :][..., x1]
    c = xf[..., y1, :][..., x0]
    d = xf[..., y1, :][..., x1]
    fy2, fx2 = fy[:, None], fx[None, :]
    one = np.float32(1)
    top = a * (one - fx2) + b * fx2
    bot = c * (one - fx2) + d * fx2
    return (top * (one - fy2) + bot * fy2).astype(np.float32)


def broadcast_index(out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> tuple[I64, ...]:
    """nncase broadcasting: each output coordinate clamped to 0 on axes where it is beyond the input extent."""
    grids = np.indices(out_shape, dtype=np.int64)
    return tuple(np.where(g < n, g, 0) for g, n in zip(grids, in_shape, strict=True))


def softmax_rows(x: F32, beta: float, max_init: float | None = None) -> F32:
    """The runtimes' SOFTMAX over the last axis: kcc's float32 softmax (max, kcc exp, sequential sum, divide)."""
    return softmax_f32(x, -1, beta, max_init)


def logistic(x: F32) -> F32:
    """kmodel v3 LOGISTIC: 1 / (1 + exp(-x)) in float32, with kcc's exp."""
    return sigmoid_f32(x)


def prod(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


__all__ = ["conv2d_f32", "pool2d_f32", "seq_sum", "windowed_out"]
