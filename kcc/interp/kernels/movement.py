"""Data-movement kernels on numpy arrays (any dtype: float reals or quantized storage integers).

Conventions are those of the `nn` movement ops (kcc/dialects/nn/movement.py): NCHW, ONNX pad order,
normalized `range`-style slices, TFLite SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND on the NHWC view,
ONNX DepthToSpace / SpaceToDepth.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_NP_PAD_MODES = {"reflect": "reflect", "symmetric": "symmetric", "edge": "edge", "wrap": "wrap"}


def pad(x: np.ndarray, pads: Sequence[int], mode: str = "constant", value: float | int = 0) -> np.ndarray:
    """Pad every dimension; pads = [begin_0, .., begin_{r-1}, end_0, .., end_{r-1}], non-negative.

    `reflect` mirrors without repeating the edge, `symmetric` mirrors including it, `edge` repeats it, `wrap`
    continues periodically from the other end. A constant fill is converted to x's dtype (integers truncate).
    """
    r = x.ndim
    widths = [(int(pads[d]), int(pads[r + d])) for d in range(r)]
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=np.asarray(value, dtype=x.dtype))
    return np.pad(x, widths, mode=_NP_PAD_MODES[mode])  # pyright: ignore[reportCallIssue, reportArgumentType]


def concat(xs: Sequence[np.ndarray], axis: int) -> np.ndarray:
    return np.concatenate(list(xs), axis=axis)


def split(x: np.ndarray, axis: int, sizes: Sequence[int]) -> list[np.ndarray]:
    bounds = np.cumsum([int(s) for s in sizes])[:-1]
    return [np.ascontiguousarray(p) for p in np.split(x, bounds, axis=axis)]


def transpose(x: np.ndarray, perm: Sequence[int]) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(x, [int(p) for p in perm]))


def strided_slice(x: np.ndarray, starts: Sequence[int], ends: Sequence[int], steps: Sequence[int]) -> np.ndarray:
    """Dimension d keeps the indices range(starts[d], ends[d], steps[d]) (end -1 with a negative step: down to 0)."""
    index = tuple(slice(int(b), None if int(e) < 0 else int(e), int(s)) for b, e, s in zip(starts, ends, steps, strict=True))
    return np.ascontiguousarray(x[index])


def space_to_batch_nchw(x: np.ndarray, block: Sequence[int], pads: Sequence[int], value: float | int = 0) -> np.ndarray:
    """[N, C, H, W] -> [bh*bw*N, C, H'/bh, W'/bw] with H' = H + top + bottom; batch (i*bw + j)*N + n."""
    bh, bw = (int(b) for b in block)
    pt, pl, pb, pr = (int(p) for p in pads)
    xp = pad(x, (0, 0, pt, pl, 0, 0, pb, pr), "constant", value)
    n, c, h, w = xp.shape
    t = xp.reshape(n, c, h // bh, bh, w // bw, bw).transpose(3, 5, 0, 1, 2, 4)
    return np.ascontiguousarray(t).reshape(bh * bw * n, c, h // bh, w // bw)


def batch_to_space_nchw(x: np.ndarray, block: Sequence[int], crops: Sequence[int]) -> np.ndarray:
    """[bh*bw*N, C, H, W] -> [N, C, H*bh - top - bottom, W*bw - left - right]; inverse of space_to_batch_nchw."""
    bh, bw = (int(b) for b in block)
    ct, cl, cb, cr = (int(c) for c in crops)
    nb, c, h, w = x.shape
    n = nb // (bh * bw)
    t = x.reshape(bh, bw, n, c, h, w).transpose(2, 3, 4, 0, 5, 1).reshape(n, c, h * bh, w * bw)
    return np.ascontiguousarray(t[:, :, ct : h * bh - cb, cl : w * bw - cr])


def depth_to_space(x: np.ndarray, block: int, mode: str = "DCR") -> np.ndarray:
    """ONNX DepthToSpace: DCR takes channel index (i*b + j)*C' + c, CRD takes (c*b + i)*b + j."""
    n, c, h, w = x.shape
    b = int(block)
    co = c // (b * b)
    if mode == "DCR":
        t = x.reshape(n, b, b, co, h, w).transpose(0, 3, 4, 1, 5, 2)
    else:
        t = x.reshape(n, co, b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    return np.ascontiguousarray(t).reshape(n, co, h * b, w * b)


def space_to_depth(x: np.ndarray, block: int) -> np.ndarray:
    """ONNX SpaceToDepth: output channel (i*b + j)*C + c holds input (c, h*b + i, w*b + j)."""
    n, c, h, w = x.shape
    b = int(block)
    t = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4)
    return np.ascontiguousarray(t).reshape(n, c * b * b, h // b, w // b)
