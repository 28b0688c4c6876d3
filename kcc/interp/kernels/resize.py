"""ONNX Resize of the H and W axes of NCHW arrays: nearest, (bi)linear and (bi)cubic, optional antialias.

The output size is given; the scale of an axis is ONNX's `scales` value when given, else out / in, and the
resized length is `len = in * scale` (= out without scales). Source coordinates (float64):

    half_pixel            (x + 0.5) / scale - 0.5
    half_pixel_symmetric  in / 2 * (1 - out / len) + (x + 0.5) / scale - 0.5
    pytorch_half_pixel    (x + 0.5) / scale - 0.5, or 0 when len == 1
    align_corners         x * (in - 1) / (len - 1), or 0 when len == 1
    asymmetric            x / scale
    tf_half_pixel_for_nn  (x + 0.5) / scale
    tf_crop_and_resize    start * (in - 1) + x * (end - start) * (in - 1) / (len - 1),
                          or start * (in - 1) + (end - start) * (in - 1) / 2 when len == 1
                          (roi [start, end] of the axis, in normalized input coordinates)

Nearest picks round_prefer_floor / round_prefer_ceil / floor / ceil of the coordinate c. Linear and cubic take a
window of n input indices `i = ceil(c) - n/2 + k` (k = 0..n-1) weighted by a kernel of the distance `i - c`:
linear `max(0, 1 - |d|)` (n = 2), cubic Keys' kernel with coefficient A (n = 4):

    |d| <= 1:     (A + 2)|d|^3 - (A + 3)|d|^2 + 1
    1 < |d| < 2:  A|d|^3 - 5A|d|^2 + 8A|d| - 4A
    otherwise:    0

`antialias` (downsampling, scale s < 1) stretches the kernel by 1/s: weights K(s * d) over the window
n = 2 - 2 * (floor(-R / s) + 1) (R = 1 linear, 2 cubic), normalized to sum 1. `exclude_outside` zeroes the weights
of indices outside [0, in - 1] and renormalizes; otherwise such indices read the edge value. In
tf_crop_and_resize, outputs whose coordinate lies outside [0, in - 1] are `extrapolation_value`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def source_coordinates(
    out_len: int, in_len: int, mode: str, scale: float | None = None, roi: tuple[float, float] | None = None
) -> np.ndarray:
    """Input coordinate of each output index along one axis (`scale`: ONNX's, default out / in; `roi`: the
    (start, end) of the axis for tf_crop_and_resize)."""
    x = np.arange(out_len, dtype=np.float64)
    scale = out_len / in_len if scale is None else float(scale)
    length = in_len * scale
    if mode == "half_pixel":
        return (x + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        return in_len / 2 * (1 - out_len / length) + (x + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (x + 0.5) / scale - 0.5 if length > 1 else np.zeros_like(x)
    if mode == "align_corners":
        return x * (in_len - 1) / (length - 1) if length > 1 else np.zeros_like(x)
    if mode == "asymmetric":
        return x / scale
    if mode == "tf_half_pixel_for_nn":
        return (x + 0.5) / scale
    if mode == "tf_crop_and_resize":
        if roi is None:
            raise ValueError("tf_crop_and_resize needs a roi")
        start, end = float(roi[0]), float(roi[1])
        span = (end - start) * (in_len - 1)
        c = np.full_like(x, span / 2) if length == 1 else x * span / (length - 1)
        return c + start * (in_len - 1)
    raise ValueError(f"unknown coordinate_transformation_mode {mode!r}")


def nearest_indices(coords: np.ndarray, in_len: int, nearest_mode: str) -> np.ndarray:
    if nearest_mode == "round_prefer_floor":
        idx = np.ceil(coords - 0.5)
    elif nearest_mode == "round_prefer_ceil":
        idx = np.floor(coords + 0.5)
    elif nearest_mode == "floor":
        idx = np.floor(coords)
    elif nearest_mode == "ceil":
        idx = np.ceil(coords)
    else:
        raise ValueError(f"unknown nearest_mode {nearest_mode!r}")
    return np.clip(idx, 0, in_len - 1).astype(np.int64)


def _linear_axis(x: np.ndarray, axis: int, out_len: int, coord_mode: str, scale: float | None) -> np.ndarray:
    in_len = x.shape[axis]
    c = source_coordinates(out_len, in_len, coord_mode, scale)
    lo = np.floor(c)
    frac = c - lo
    i0 = np.clip(lo, 0, in_len - 1).astype(np.int64)
    i1 = np.clip(lo + 1, 0, in_len - 1).astype(np.int64)
    shape = [1] * x.ndim
    shape[axis] = out_len
    f = frac.reshape(shape)
    return np.take(x, i0, axis=axis) * (1.0 - f) + np.take(x, i1, axis=axis) * f


def cubic_kernel(d: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel with coefficient `a` (ONNX cubic_coeff_a)."""
    t = np.abs(d)
    t2, t3 = t * t, t * t * t
    near = (a + 2) * t3 - (a + 3) * t2 + 1
    far = a * t3 - 5 * a * t2 + 8 * a * t - 4 * a
    return np.where(t <= 1, near, np.where(t < 2, far, 0.0))


def axis_weights(
    coords: np.ndarray, in_len: int, mode: str, scale: float, cubic_coeff_a: float, exclude_outside: bool, antialias: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(indices [out, n], weights [out, n]) of linear or cubic interpolation at `coords` (indices unclamped)."""
    radius = 1 if mode == "bilinear" else 2
    stretch = min(scale, 1.0) if antialias else 1.0
    n = 2 - 2 * (math.floor(-radius / stretch) + 1) if antialias else 2 * radius
    start = np.ceil(coords).astype(np.int64) - n // 2
    idx = start[:, None] + np.arange(n, dtype=np.int64)[None, :]
    d = (idx - coords[:, None]) * stretch
    w = np.clip(1.0 - np.abs(d), 0.0, 1.0) if mode == "bilinear" else cubic_kernel(d, cubic_coeff_a)
    if antialias:
        w = w / w.sum(axis=1, keepdims=True)
    if exclude_outside:
        w = np.where((idx < 0) | (idx >= in_len), 0.0, w)
        total = w.sum(axis=1, keepdims=True)
        w = w / np.where(total == 0, 1.0, total)
    return idx, w


def _weighted_axis(
    x: np.ndarray,
    axis: int,
    coords: np.ndarray,
    mode: str,
    scale: float,
    cubic_coeff_a: float,
    exclude_outside: bool,
    antialias: bool,
) -> np.ndarray:
    in_len = x.shape[axis]
    idx, w = axis_weights(coords, in_len, mode, scale, cubic_coeff_a, exclude_outside, antialias)
    gathered = np.take(x, np.clip(idx, 0, in_len - 1), axis=axis)  # axis -> (out, n)
    w_shape = (1,) * axis + w.shape + (1,) * (x.ndim - axis - 1)
    return (gathered * w.reshape(w_shape)).sum(axis=axis + 1)


def _outside(coords: np.ndarray, in_len: int) -> np.ndarray:
    return (coords < 0) | (coords > in_len - 1)


def resize_nchw(
    x: np.ndarray,
    out_hw: Sequence[int],
    mode: str = "nearest",
    coord_mode: str = "half_pixel",
    nearest_mode: str = "round_prefer_floor",
    scales: Sequence[float] | None = None,
    *,
    cubic_coeff_a: float = -0.75,
    exclude_outside: bool = False,
    antialias: bool = False,
    roi: Sequence[float] | None = None,
    extrapolation_value: float = 0.0,
) -> np.ndarray:
    """Resize H and W of `x` [N, C, H, W] to `out_hw` (`scales`: ONNX's H and W scales, default out / in; `roi`:
    [h_start, w_start, h_end, w_end] for tf_crop_and_resize). Nearest keeps the dtype; the others return float32."""
    oh, ow = (int(s) for s in out_hw)
    _, _, h, w = x.shape
    sh, sw = (None, None) if scales is None else (float(scales[0]), float(scales[1]))
    roi_h, roi_w = (None, None) if roi is None else ((float(roi[0]), float(roi[2])), (float(roi[1]), float(roi[3])))
    ch = source_coordinates(oh, h, coord_mode, sh, roi_h)
    cw = source_coordinates(ow, w, coord_mode, sw, roi_w)
    crop = coord_mode == "tf_crop_and_resize"
    if mode == "nearest":
        ih = nearest_indices(ch, h, nearest_mode)
        iw = nearest_indices(cw, w, nearest_mode)
        y = np.ascontiguousarray(x[:, :, ih[:, None], iw[None, :]])
        if crop:
            mask = _outside(ch, h)[:, None] | _outside(cw, w)[None, :]
            y[:, :, mask] = np.asarray(extrapolation_value).astype(y.dtype)
        return y
    if mode not in ("bilinear", "bicubic"):
        raise ValueError(f"unknown resize mode {mode!r}")
    if mode == "bilinear" and not (antialias or exclude_outside or crop):
        y = _linear_axis(x.astype(np.float64), 2, oh, coord_mode, sh)
        return _linear_axis(y, 3, ow, coord_mode, sw).astype(np.float32)
    scale_h = oh / h if sh is None else sh
    scale_w = ow / w if sw is None else sw
    y = _weighted_axis(x.astype(np.float64), 2, ch, mode, scale_h, cubic_coeff_a, exclude_outside, antialias)
    if crop:
        y[:, :, _outside(ch, h), :] = extrapolation_value
    y = _weighted_axis(y, 3, cw, mode, scale_w, cubic_coeff_a, exclude_outside, antialias)
    if crop:
        y[:, :, :, _outside(cw, w)] = extrapolation_value
    return y.astype(np.float32)
