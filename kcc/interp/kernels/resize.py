"""ONNX Resize of the H and W axes of NCHW arrays: nearest and (bi)linear, no antialias.

The output size is given; the scale of an axis is ONNX's `scales` value when given, else out / in, and the
resized length is `len = in * scale` (= out without scales). Source coordinates (float64):

    half_pixel            (x + 0.5) / scale - 0.5
    half_pixel_symmetric  in / 2 * (1 - out / len) + (x + 0.5) / scale - 0.5
    pytorch_half_pixel    (x + 0.5) / scale - 0.5, or 0 when len == 1
    align_corners         x * (in - 1) / (len - 1), or 0 when len == 1
    asymmetric            x / scale
    tf_half_pixel_for_nn  (x + 0.5) / scale

Nearest picks round_prefer_floor / round_prefer_ceil / floor / ceil of the coordinate; linear blends the two
neighbours floor(c) and floor(c) + 1 with weights 1 - frac and frac. Indices are clamped to [0, in - 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def source_coordinates(out_len: int, in_len: int, mode: str, scale: float | None = None) -> np.ndarray:
    """Input coordinate of each output index along one axis (`scale`: ONNX's, default out / in)."""
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


def resize_nchw(
    x: np.ndarray,
    out_hw: Sequence[int],
    mode: str = "nearest",
    coord_mode: str = "half_pixel",
    nearest_mode: str = "round_prefer_floor",
    scales: Sequence[float] | None = None,
) -> np.ndarray:
    """Resize H and W of `x` [N, C, H, W] to `out_hw` (`scales`: ONNX's H and W scales, default out / in).
    Nearest keeps the dtype; bilinear returns float32."""
    oh, ow = (int(s) for s in out_hw)
    _, _, h, w = x.shape
    sh, sw = (None, None) if scales is None else (float(scales[0]), float(scales[1]))
    if mode == "nearest":
        ih = nearest_indices(source_coordinates(oh, h, coord_mode, sh), h, nearest_mode)
        iw = nearest_indices(source_coordinates(ow, w, coord_mode, sw), w, nearest_mode)
        return np.ascontiguousarray(x[:, :, ih[:, None], iw[None, :]])
    if mode == "bilinear":
        y = _linear_axis(x.astype(np.float64), 2, oh, coord_mode, sh)
        return _linear_axis(y, 3, ow, coord_mode, sw).astype(np.float32)
    raise ValueError(f"unknown resize mode {mode!r}")
