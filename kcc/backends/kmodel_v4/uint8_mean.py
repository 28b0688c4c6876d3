"""Is a uint8 `nn.reduce_mean` exactly a kmodel v4 dequantize -> reduce sum -> quantize sequence?

The interpreter's uint8 mean is TFLite's (`kcc.interp.kernels.tflite_int.mean_integer`): the integer sum `T` of
`q - zp_x`, then a fixed-point rescale that rounds twice (a doubling high multiply, then a rounding shift). The
v4 runtime's quantize node computes `clamp(roundf(f32(T·k) + zp_y), 0, 255)` in float32. The result depends on
`T` only, so one f32 `k` either reproduces the interpreter for every possible `T` (checked exhaustively here)
or the mean has no exact v4 lowering. Both `lower-to-kmodel` and `quantize{target=kmodel}` ask `mean_scale`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["MAX_MEAN_CHECK", "mean_scale", "quantize_node"]

MAX_MEAN_CHECK = 1 << 26  # elements of the exhaustive check (every possible sum x the count)
SCALE_ULPS = 256  # f32 scales tried on either side of the real ratio


def quantize_node(x: np.ndarray, k: np.float32, zp: int) -> np.ndarray:
    """The v4 runtime's quantize: clamp(roundf(f32(x·k) + zp), 0, 255) in float32."""
    y = ((x * k).astype(np.float32) + np.float32(zp)).astype(np.float32)
    r = np.sign(y) * np.floor(np.abs(y) + np.float32(0.5))
    return np.clip(r, 0, 255)


def _matching_scale(total: np.ndarray, zp: int, want: np.ndarray, real: float) -> float | None:
    """An f32 k within SCALE_ULPS of f32(`real`) (nearest first) with quantize_node(total, k, zp) == want, else None."""
    up = down = np.float32(real)
    for step in range(SCALE_ULPS + 1):
        for cand in (up,) if step == 0 else (up, down):
            if np.array_equal(quantize_node(total, cand, zp), want):
                return float(cand)
        up, down = np.nextafter(up, np.float32(np.inf)), np.nextafter(down, np.float32(-np.inf))
    return None


@lru_cache(maxsize=256)
def mean_scale(count: int, zx: int, zy: int, sx: float, sy: float) -> tuple[float | None, str]:
    """(k, "") when the quantize node with scale k reproduces the uint8 mean of `count` elements (input scale /
    zero point sx, zx; output sy, zy) for every input, else (None, the reason as one line)."""
    from kcc.interp.kernels.fixed_point import quantize_multiplier
    from kcc.interp.kernels.tflite_int import mean_integer

    if count <= 0:
        return None, f"a uint8 mean over {count} elements"
    if 255 * count >= 1 << 24 or (255 * count + 1) * count > MAX_MEAN_CHECK:
        return None, f"a uint8 mean over {count} elements is beyond the exactly checked size ({MAX_MEAN_CHECK} elements)"
    raw = np.arange(255 * count + 1, dtype=np.int64)  # every possible sum of the stored values
    x = np.clip(raw[:, None] - 255 * np.arange(count, dtype=np.int64)[None, :], 0, 255).astype(np.uint8)
    mult, shift = quantize_multiplier(sx / sy)
    want = np.clip(mean_integer(x, (1,), False, zx, zy, mult, shift), 0, 255)
    total = (raw - zx * count).astype(np.float32)
    k = _matching_scale(total, zy, want, sx / (sy * count))
    if k is None:
        return None, f"no f32 scale reproduces the fixed-point uint8 mean over {count} elements (scales {sx} -> {sy})"
    return k, ""
