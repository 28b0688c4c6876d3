"""The KPU pool codes (spec k210-kpu-and-kmodel-v3.md §3.6) on float maps: the semantics `kpu.fake_conv2d`
gives them, so that a float KPU conv is its quantized twin up to quantization error.

Each code keeps the window, stride, tap positions and border rule of the uint8 pool in
:func:`kcc.k210.kpu_layer.pool`; only the arithmetic is real-valued:

* ``max_*``: max of the taps; ``max_2_s1`` ignores taps past the bottom/right edge (the hardware reads 0 there,
  the smallest uint8, which never wins a max of an activated map).
* ``mean_*``: the exact mean of the taps (uint8: floor of the sum / window size); ``mean_2_s1`` replicates the
  last row/column at the bottom/right edge (``KpuOptions.mean_s1_border="replicate"``, the default) or
  averages the taps inside the map (``"exclude"``).
* ``left_top_*`` / ``right_top_2_s2``: pick one pixel per window; code 6 follows ``KpuOptions.pool6``.

Arrays may have any leading dimensions (CxHxW or NxCxHxW): the last two are H and W.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from kcc.k210.kpu_layer import DEFAULT_OPTIONS, POOL_GEOMETRY, KpuOptions, pool_output_size

__all__ = ["POOL_GEOMETRY", "pool_float"]

F = npt.NDArray[np.floating]


def pool_float(y: F, pool_type: int, options: KpuOptions = DEFAULT_OPTIONS) -> F:
    """KPU pool code ``pool_type`` on a float map ``[..., H, W]``; output ``[..., H // stride, W // stride]``."""
    h, w = y.shape[-2], y.shape[-1]
    oh, ow = pool_output_size(pool_type, h, w)
    if pool_type == 0:
        return y.copy()
    win, stride = POOL_GEOMETRY[pool_type]
    if stride > 1:
        if pool_type in (5, 7):
            return y[..., : oh * stride : stride, : ow * stride : stride].copy()
        if pool_type == 6:
            r0 = 1 if options.pool6 == "right_bottom" else 0
            return y[..., r0 : oh * stride : stride, 1 : ow * stride : stride].copy()
        taps = [y[..., dy : oh * stride : stride, dx : ow * stride : stride] for dy in range(win) for dx in range(win)]
        if pool_type in (1, 3):
            m = taps[0].copy()
            for tp in taps[1:]:
                np.maximum(m, tp, out=m)
            return m
        acc = taps[0].astype(np.float64)
        for tp in taps[1:]:
            acc += tp
        return (acc / (win * win)).astype(y.dtype)
    lead = ((0, 0),) * (y.ndim - 2)
    if pool_type == 9:
        p = np.pad(y, (*lead, (0, 1), (0, 1)), mode="constant", constant_values=-np.inf)
        return np.maximum(np.maximum(p[..., :h, :w], p[..., 1:, :w]), np.maximum(p[..., :h, 1:], p[..., 1:, 1:]))
    # pool_type == 8: mean of (y..y+1, x..x+1)
    yf = y.astype(np.float64)
    if options.mean_s1_border == "replicate":
        p = np.pad(yf, (*lead, (0, 1), (0, 1)), mode="edge")
        return ((p[..., :h, :w] + p[..., 1:, :w] + p[..., :h, 1:] + p[..., 1:, 1:]) / 4).astype(y.dtype)
    p = np.pad(yf, (*lead, (0, 1), (0, 1)), mode="constant", constant_values=0)
    s = p[..., :h, :w] + p[..., 1:, :w] + p[..., :h, 1:] + p[..., 1:, 1:]
    ny = np.where(np.arange(h) < h - 1, 2, 1)
    nx = np.where(np.arange(w) < w - 1, 2, 1)
    return (s / (ny[:, None] * nx[None, :])).astype(y.dtype)
