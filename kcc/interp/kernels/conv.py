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


def conv_transpose2d_nchw(
    x: np.ndarray,
    w: np.ndarray,
    bias: np.ndarray | None,
    strides: Sequence[int] = (1, 1),
    pads: Sequence[int] = (0, 0, 0, 0),
    dilations: Sequence[int] = (1, 1),
    output_padding: Sequence[int] = (0, 0),
    groups: int = 1,
    acc_dtype: type = np.float64,
) -> np.ndarray:
    """Grouped, dilated 2-D transposed convolution (ONNX ConvTranspose with explicit pads).

    x: [N, C, H, W], w: [C, O/groups, KH, KW], bias: [O] or None. Each input pixel (y, x) adds
    `x * w[:, :, ky, kx]` at full-output position (y * stride + ky * dilation, x * stride + kx * dilation);
    the result is the full output cropped by `pads` and extended by `output_padding` (zeros) at the bottom/right.
    Returns [N, O, OH, OW] in `acc_dtype`.
    """
    sh, sw = (int(s) for s in strides)
    dh, dw = (int(d) for d in dilations)
    pt, pl, pb, pr = (int(p) for p in pads)
    oph, opw = (int(p) for p in output_padding)
    n, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    cg = c // groups
    o = og * groups
    full_h = (h - 1) * sh + dh * (kh - 1) + 1
    full_w = (wd - 1) * sw + dw * (kw - 1) + 1
    oh, ow = full_h - pt - pb + oph, full_w - pl - pr + opw
    canvas = np.zeros((n, o, max(full_h, pt + oh), max(full_w, pl + ow)), dtype=acc_dtype)
    xv = x.astype(acc_dtype, copy=False)
    wv = w.astype(acc_dtype, copy=False)
    for g in range(groups):
        xs = xv[:, g * cg : (g + 1) * cg]  # N, cg, H, W
        ws = wv[g * cg : (g + 1) * cg]  # cg, og, KH, KW
        contrib = np.einsum("nchw,coyx->noyxhw", xs, ws, optimize=True)  # N, og, KH, KW, H, W
        for ky in range(kh):
            for kx in range(kw):
                y0, x0 = ky * dh, kx * dw
                canvas[:, g * og : (g + 1) * og, y0 : y0 + (h - 1) * sh + 1 : sh, x0 : x0 + (wd - 1) * sw + 1 : sw] += contrib[
                    :, :, ky, kx
                ]
    out = canvas[:, :, pt : pt + oh, pl : pl + ow]
    if bias is not None:
        out = out + bias.astype(acc_dtype).reshape(1, o, 1, 1)
    return out


def matmul(a: np.ndarray, b: np.ndarray, acc_dtype: type = np.float64) -> np.ndarray:
    """ONNX MatMul (numpy.matmul semantics: batched, broadcasting, 1-D operands), accumulated in `acc_dtype`."""
    return np.matmul(a.astype(acc_dtype, copy=False), b.astype(acc_dtype, copy=False))


def fully_connected(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, acc_dtype: type = np.float64) -> np.ndarray:
    """x: [N, K], w: [O, K], bias: [O] -> x @ w^T + bias: [N, O] in `acc_dtype`."""
    y = x.astype(acc_dtype, copy=False) @ w.astype(acc_dtype, copy=False).T
    if bias is not None:
        y = y + bias.astype(acc_dtype)
    return y


def batch_norm(
    x: np.ndarray,
    scale: np.ndarray,
    bias: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    epsilon: float,
    acc_dtype: type = np.float64,
) -> np.ndarray:
    """Inference batch norm along axis 1: (x - mean) / sqrt(var + epsilon) * scale + bias."""
    shape = (1, -1) + (1,) * (x.ndim - 2)

    def p(a: np.ndarray) -> np.ndarray:
        return a.astype(acc_dtype).reshape(shape)

    return (x.astype(acc_dtype) - p(mean)) / np.sqrt(p(var) + epsilon) * p(scale) + p(bias)
