"""2-D pooling in NCHW with explicit 4-sided padding, and reductions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kcc.interp.kernels.conv import pad_nchw


def _windows(xp: np.ndarray, kernel: Sequence[int], strides: Sequence[int], dilations: Sequence[int]) -> np.ndarray:
    """Pooling windows of a padded NCHW array: [N, C, OH, OW, KH, KW] (floor output size)."""
    kh, kw = (int(k) for k in kernel)
    sh, sw = (int(s) for s in strides)
    dh, dw = (int(d) for d in dilations)
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    oh, ow = (xp.shape[2] - eh) // sh + 1, (xp.shape[3] - ew) // sw + 1
    win = np.lib.stride_tricks.sliding_window_view(xp, (eh, ew), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    return win[:, :, :oh, :ow]


def max_pool2d_nchw(
    x: np.ndarray,
    kernel: Sequence[int],
    strides: Sequence[int] = (1, 1),
    pads: Sequence[int] = (0, 0, 0, 0),
    dilations: Sequence[int] = (1, 1),
) -> np.ndarray:
    """Max over each window; padding is -inf (float) or the dtype's minimum (integers), so it never wins."""
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = pad_nchw(x, pads, low)
    return _windows(xp, kernel, strides, dilations).max(axis=(4, 5))


def max_pool2d_argmax_nchw(
    x: np.ndarray,
    kernel: Sequence[int],
    strides: Sequence[int] = (1, 1),
    pads: Sequence[int] = (0, 0, 0, 0),
    dilations: Sequence[int] = (1, 1),
    column_major: bool = False,
) -> np.ndarray:
    """Index of each window's maximum (the first in row-major window order) into the flattened NCHW input:
    `(n * C + c) * H * W + h * W + w`, or `... + w * H + h` when `column_major` (ONNX MaxPool storage_order=1)."""
    n, c, h, w = x.shape
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = pad_nchw(x, pads, low)
    win = _windows(xp, kernel, strides, dilations)  # [N, C, OH, OW, KH, KW]
    oh, ow, kh, kw = win.shape[2:]
    flat = win.reshape(n, c, oh, ow, kh * kw)
    # Padding holds the lowest value; a real element equal to it must still win over padding.
    pt, pl = int(pads[0]), int(pads[1])
    sh, sw = (int(s) for s in strides)
    dh, dw = (int(d) for d in dilations)
    rows = np.arange(oh)[:, None] * sh + np.arange(kh)[None, :] * dh - pt  # [OH, KH] input row of each tap
    cols = np.arange(ow)[:, None] * sw + np.arange(kw)[None, :] * dw - pl  # [OW, KW]
    inside = ((rows >= 0) & (rows < h))[:, None, :, None] & ((cols >= 0) & (cols < w))[None, :, None, :]
    inside = inside.reshape(oh, ow, kh * kw)
    best = np.where(inside, flat, low).max(axis=-1, keepdims=True)
    first = np.argmax((flat == best) & inside, axis=-1)  # [N, C, OH, OW]
    tap_h, tap_w = first // kw, first % kw
    r = np.take_along_axis(np.broadcast_to(rows[None, None, :, None, :], (n, c, oh, ow, kh)), tap_h[..., None], -1)[..., 0]
    q = np.take_along_axis(np.broadcast_to(cols[None, None, None, :, :], (n, c, oh, ow, kw)), tap_w[..., None], -1)[..., 0]
    plane = (np.arange(n)[:, None] * c + np.arange(c)[None, :])[:, :, None, None] * (h * w)
    within = q * h + r if column_major else r * w + q
    return (plane + within).astype(np.int64)


def avg_pool2d_nchw(
    x: np.ndarray,
    kernel: Sequence[int],
    strides: Sequence[int] = (1, 1),
    pads: Sequence[int] = (0, 0, 0, 0),
    count_include_pad: bool = False,
    ceil_pads: Sequence[int] = (0, 0),
    acc_dtype: type = np.float64,
) -> np.ndarray:
    """Mean over each window: window sum / divisor, in `acc_dtype`.

    The divisor counts the window's positions inside the input, plus (count_include_pad) those inside the explicit
    pads; `ceil_pads [bottom, right]`, the part of the bottom/right pads that stands for ONNX ceil_mode, never counts.
    """
    pt, pl, pb, pr = (int(p) for p in pads)
    cb, cr = (int(c) for c in ceil_pads)
    one = (1, 1)
    total = _windows(pad_nchw(x.astype(acc_dtype, copy=False), pads, 0), kernel, strides, one).sum(axis=(4, 5))
    h, w = x.shape[2], x.shape[3]
    # Which padded positions count, as a [1, 1, H + pt + pb, W + pl + pr] mask.
    mask = np.zeros((1, 1, h + pt + pb, w + pl + pr), dtype=acc_dtype)
    if count_include_pad:
        mask[:, :, : h + pt + pb - cb, : w + pl + pr - cr] = 1
    else:
        mask[:, :, pt : pt + h, pl : pl + w] = 1
    count = _windows(mask, kernel, strides, one).sum(axis=(4, 5))
    return total / count


def reduce(x: np.ndarray, kind: str, axes: Sequence[int], keepdims: bool, acc_dtype: type = np.float64) -> np.ndarray:
    """kind: 'mean', 'sum', 'max' or 'min' over `axes`; mean and sum accumulate in `acc_dtype`."""
    ax = tuple(int(a) for a in axes)
    if kind == "max":
        return np.max(x, axis=ax, keepdims=keepdims)
    if kind == "min":
        return np.min(x, axis=ax, keepdims=keepdims)
    xa = x.astype(acc_dtype, copy=False)
    if kind == "mean":
        return np.mean(xa, axis=ax, keepdims=keepdims)
    if kind == "sum":
        return np.sum(xa, axis=ax, keepdims=keepdims)
    raise ValueError(f"unknown reduction {kind!r}")
