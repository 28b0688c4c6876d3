"""Float32 accumulations in the kmodel runtimes' order, shared by the interpreter and the simulator.

kcc's float32 semantics of the summing ops (the kmodel v4 runtime's, which the reference C backend mirrors):
every sum is sequential in float32 in a fixed order, each step one float32 rounding (no fused multiply-add):
* conv2d: acc = bias, then acc = acc + w·x over the taps in (ic, ky, kx) order; taps outside the input are
  skipped (not added as zeros); then the fused clamp.
* fully_connected: acc = bias, then acc = acc + x[i]·w[o, i] for i = 0, 1, ...
* average pool: fold of the in-bounds taps in (ky, kx) order from 0, divided by their count (float32 divide).
* reduce sum / mean: sequential sum over the reduced elements in row-major order of the reduced axes, from 0;
  mean multiplies that sum by f32(out count) / f32(in count).
`np.cumsum` in float32 is sequential (numpy's `sum` is pairwise), so the vectorized forms here equal the C loops.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
FloatArr = NDArray[np.floating]


def seq_sum(x: F32, axis: int = -1, init: F32 | float | None = None) -> F32:
    """Sequential float32 sum along `axis` (optionally starting from `init`, added first)."""
    x = np.moveaxis(np.asarray(x, dtype=np.float32), axis, -1)
    if init is not None:
        start = np.broadcast_to(np.asarray(init, dtype=np.float32), x.shape[:-1])[..., None]
        x = np.concatenate([start, x], axis=-1)
    if x.shape[-1] == 0:
        return np.zeros(x.shape[:-1], dtype=np.float32)
    return np.cumsum(x, axis=-1, dtype=np.float32)[..., -1]


def windowed_out(n: int, k: int, s: int, d: int, before: int, after: int) -> int:
    return (n + before + after - ((k - 1) * d + 1)) // s + 1


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
    # all groups at once: acc [groups, ocg, oh, ow]; input channel c of every group is x[c::icg]
    acc = np.broadcast_to(bias[:, None, None], (oc, oh, ow)).astype(x.dtype).reshape(groups, ocg, oh, ow)
    wg = w.reshape(groups, ocg, icg, kh, kw)
    oy = np.arange(oh) * stride[0] - ph[0]
    ox = np.arange(ow) * stride[1] - pw[0]
    for c in range(icg):
        planes = x[c::icg][:groups]  # [groups, h, w]
        for ky in range(kh):
            iy = oy + ky * dilation[0]
            rows = planes[:, np.clip(iy, 0, h - 1)]
            for kx in range(kw):
                ix = ox + kx * dilation[1]
                valid = ((iy >= 0) & (iy < h))[:, None] & ((ix >= 0) & (ix < wd))[None, :]
                tap = rows[:, :, np.clip(ix, 0, wd - 1)]  # [groups, oh, ow]
                prod = wg[:, :, c, ky, kx][:, :, None, None] * tap[:, None]
                acc = np.where(valid, acc + prod, acc)
    acc = acc.reshape(oc, oh, ow)
    return acc


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


def conv2d_nchw_f32(
    x: FloatArr,
    w: FloatArr,
    bias: FloatArr | None,
    strides: Sequence[int],
    pads: Sequence[int],
    dilations: Sequence[int],
    groups: int,
) -> F32:
    """`conv2d_f32` over a batch: x [N, C, H, W], w [O, C/groups, KH, KW], pads [top, left, bottom, right]."""
    x = np.asarray(x, dtype=np.float32)
    b = np.zeros(w.shape[0], np.float32) if bias is None else np.asarray(bias, dtype=np.float32)
    pt, pl, pb, pr = (int(p) for p in pads)
    ys = [
        conv2d_f32(
            xi,
            np.asarray(w, dtype=np.float32),
            b,
            groups,
            (pt, pb),
            (pl, pr),
            (int(strides[0]), int(strides[1])),
            (int(dilations[0]), int(dilations[1])),
        )
        for xi in x
    ]
    return np.stack(ys).astype(np.float32)


def fully_connected_f32(x: FloatArr, w: FloatArr, bias: FloatArr | None) -> F32:
    """x [N, K], w [O, K]: per output, acc = bias (+0 without one), then acc + x[i]·w[o, i] in order of i."""
    xf: F32 = np.asarray(x, dtype=np.float32)
    wf: F32 = np.asarray(w, dtype=np.float32)
    b = np.zeros(wf.shape[0], np.float32) if bias is None else np.asarray(bias, dtype=np.float32)
    prods: F32 = xf[:, :, None] * wf.T[None, :, :]  # [N, K, O]
    return seq_sum(prods, axis=1, init=np.broadcast_to(b[None, :], (xf.shape[0], wf.shape[0])))


def avg_pool2d_f32(x: FloatArr, kernel: Sequence[int], strides: Sequence[int], pads: Sequence[int]) -> F32:
    """Average pool not counting pads: the in-bounds taps folded in (ky, kx) order from 0, divided by their count."""
    x = np.asarray(x, dtype=np.float32)
    kh, kw = (int(k) for k in kernel)
    sh, sw = (int(s) for s in strides)
    pt, pl, pb, pr = (int(p) for p in pads)
    oh = windowed_out(x.shape[2], kh, sh, 1, pt, pb)
    ow = windowed_out(x.shape[3], kw, sw, 1, pl, pr)
    return np.stack([pool2d_f32(xi, oh, ow, kh, kw, sh, sw, pt, pl, "mean") for xi in x]).astype(np.float32)


def reduce_f32(x: FloatArr, kind: str, axes: Sequence[int], keepdims: bool) -> F32:
    """'sum' or 'mean' over `axes` (module docstring): the reduced axes moved last in their order, summed in
    row-major order from 0; mean times f32(out count) / f32(in count)."""
    xf: F32 = np.asarray(x, dtype=np.float32)
    red = sorted({int(a) % xf.ndim for a in axes}) if xf.ndim else []
    keep = [i for i in range(xf.ndim) if i not in red]
    kept_shape = tuple(xf.shape[i] for i in keep)
    count = int(np.prod([xf.shape[i] for i in red], dtype=np.int64))
    xt: F32 = xf.transpose(keep + red).reshape(*kept_shape, count) if xf.ndim else xf.reshape(1)
    y = seq_sum(xt, axis=-1, init=0.0)
    if kind == "mean":
        total = xf.size  # an empty reduction gives NaN, like the float64 mean
        ratio = np.float32(total // count) / np.float32(total) if total else np.float32(np.nan)
        y = (y * ratio).astype(np.float32)
    elif kind != "sum":
        raise ValueError(f"unknown float32 reduction {kind!r}")
    if keepdims:
        y = y.reshape(tuple(1 if i in red else xf.shape[i] for i in range(xf.ndim)))
    return np.asarray(y, dtype=np.float32)
