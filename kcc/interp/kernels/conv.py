"""Convolution in NCHW / OIHW with explicit 4-sided padding, groups and dilation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pad_nchw(x: np.ndarray, pads: Sequence[int], value: float | int = 0) -> np.ndarray:
    """Pad H and W of an NCHW array; pads = [top, left, bottom, right]."""
    pt, pl, pb, pr = (int(p) for p in pads)
    if not (pt or pl or pb or pr):
        return x
    return np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=value)


def conv2d_nchw(
    x: np.ndarray,
    w: np.ndarray,
    bias: np.ndarray | None,
    strides: Sequence[int] = (1, 1),
    pads: Sequence[int] = (0, 0, 0, 0),
    dilations: Sequence[int] = (1, 1),
    groups: int = 1,
    pad_value: float | int = 0,
    acc_dtype: type = np.float64,
) -> np.ndarray:
    """Grouped, dilated 2-D convolution; accumulates in `acc_dtype` (float64: exact for 8-bit integer data).

    x: [N, C, H, W], w: [O, C/groups, KH, KW], bias: [O] or None. Returns [N, O, OH, OW] in `acc_dtype`.
    """
    sh, sw = (int(s) for s in strides)
    dh, dw = (int(d) for d in dilations)
    xp = pad_nchw(x.astype(acc_dtype, copy=False), pads, pad_value)
    n, _, h, wd = xp.shape
    o, cg, kh, kw = w.shape
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    oh, ow = (h - eh) // sh + 1, (wd - ew) // sw + 1
    og = o // groups
    wv = w.astype(acc_dtype, copy=False)
    out = np.empty((n, o, oh, ow), dtype=acc_dtype)
    # windows: [N, C, OH, OW, KH, KW]
    win = np.lib.stride_tricks.sliding_window_view(xp, (eh, ew), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    win = win[:, :, :oh, :ow]
    for g in range(groups):
        xs = win[:, g * cg : (g + 1) * cg]  # N, cg, OH, OW, KH, KW
        ws = wv[g * og : (g + 1) * og]  # og, cg, KH, KW
        out[:, g * og : (g + 1) * og] = np.einsum("nchwyx,ocyx->nohw", xs, ws, optimize=True)
    if bias is not None:
        out += bias.astype(acc_dtype).reshape(1, o, 1, 1)
    return out
