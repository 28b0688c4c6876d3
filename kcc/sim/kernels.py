"""numpy versions of the kmodel runtimes' CPU kernels, with their float32 / integer rounding behaviour.

Sums the runtimes compute with a sequential float32 loop are computed with `np.cumsum` in float32 (which is
sequential), not with numpy's pairwise `sum`, so results match the C loops bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
I64 = NDArray[np.int64]
U8 = NDArray[np.uint8]
FLT_MIN = np.float32(1.17549435e-38)


def seq_sum(x: F32, axis: int = -1, init: F32 | float | None = None) -> F32:
    """Sequential float32 sum along `axis` (optionally starting from `init`, added first)."""
    x = np.moveaxis(np.asarray(x, dtype=np.float32), axis, -1)
    if init is not None:
        start = np.broadcast_to(np.asarray(init, dtype=np.float32), x.shape[:-1])[..., None]
        x = np.concatenate([start, x], axis=-1)
    if x.shape[-1] == 0:
        return np.zeros(x.shape[:-1], dtype=np.float32)
    return np.cumsum(x, axis=-1, dtype=np.float32)[..., -1]


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


def pool2d_f32(
    x: F32, out_h: int, out_w: int, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, mode: str, init: float | None = None
) -> F32:
    """Float32 pool folding the in-bounds taps in (ky, kx) order into `init` (default: the fold's identity):
    'max', 'min', 'sum' or 'mean' (the fold divided by the valid-tap count)."""
    c, h, w = x.shape
    if init is None:
        init = {"max": -np.inf, "min": np.inf}.get(mode, 0.0)
    acc = np.full((c, out_h, out_w), init, dtype=np.float32)
    cnt = np.zeros((out_h, out_w), dtype=np.float32)
    oy = np.arange(out_h) * sh - ph
    ox = np.arange(out_w) * sw - pw
    for ky in range(kh):
        for kx in range(kw):
            iy, ix = oy + ky, ox + kx
            valid = ((iy >= 0) & (iy < h))[:, None] & ((ix >= 0) & (ix < w))[None, :]
            tap = x[:, np.clip(iy, 0, h - 1)][:, :, np.clip(ix, 0, w - 1)]
            if mode == "max":
                new = np.maximum(acc, tap)
            elif mode == "min":
                new = np.minimum(acc, tap)
            else:
                new = (acc + tap).astype(np.float32)
            acc = np.where(valid[None], new, acc)
            cnt += valid
    if mode == "mean":
        acc = (acc / np.maximum(cnt, 1)[None]).astype(np.float32)
    return acc.astype(np.float32)


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


def windowed_out(n: int, k: int, s: int, d: int, before: int, after: int) -> int:
    return (n + before + after - ((k - 1) * d + 1)) // s + 1


FloatArr = NDArray[np.floating]


def conv2d_f32(
    x: FloatArr,
    w: FloatArr,
    bias: FloatArr,
    groups: int,
    ph: tuple[int, int],
    pw: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> FloatArr:
    """nncase float conv (NCHW, one batch): acc = bias + Σ x·w in (ic, ky, kx) order, taps outside skipped.

    Accumulates in x's dtype: float32 for the float kernel, float64 (exact for integers < 2^53) for the
    quantized one."""
    _, h, wd = x.shape
    oc, icg, kh, kw = w.shape
    oh = windowed_out(h, kh, stride[0], dilation[0], *ph)
    ow = windowed_out(wd, kw, stride[1], dilation[1], *pw)
    ocg = oc // groups
    acc = np.broadcast_to(bias[:, None, None], (oc, oh, ow)).astype(x.dtype).copy()
    oy = np.arange(oh) * stride[0] - ph[0]
    ox = np.arange(ow) * stride[1] - pw[0]
    for g in range(groups):
        osl = slice(g * ocg, (g + 1) * ocg)
        for c in range(icg):
            plane = x[g * icg + c]
            for ky in range(kh):
                iy = oy + ky * dilation[0]
                for kx in range(kw):
                    ix = ox + kx * dilation[1]
                    valid = ((iy >= 0) & (iy < h))[:, None] & ((ix >= 0) & (ix < wd))[None, :]
                    tap = plane[np.clip(iy, 0, h - 1)][:, np.clip(ix, 0, wd - 1)]
                    prod = w[osl, c, ky, kx][:, None, None] * tap[None]
                    acc[osl] = np.where(valid[None], acc[osl] + prod, acc[osl])
    return acc


def softmax_rows(x: F32, beta: float, max_init: float | None = None) -> F32:
    m = np.max(x, axis=-1, keepdims=True)
    if max_init is not None:
        m = np.maximum(m, np.float32(max_init))
    e = np.exp(((x - m) * np.float32(beta)).astype(np.float32)).astype(np.float32)
    s = seq_sum(e, axis=-1)[..., None]
    return (e / s).astype(np.float32)


def prod(shape: tuple[int, ...]) -> int:
    return math.prod(shape)
