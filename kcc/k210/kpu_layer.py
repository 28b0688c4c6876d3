"""Bit-exact model of one KPU layer (spec k210-kpu-and-kmodel-v3.md §3; kmodel-v4-and-nncase-0.2.md §3.5).

Pipeline, per output channel o and pixel p of the *input* resolution (stride 1, "same" size)::

    conv ALU (int) → BN (int, floor shift) → 16-segment activation → clamp 0…255 → pool (uint8)

ALU (§3.3), with x uint8 (3x3: one pixel of ``pad_value`` border), w uint8/uint16, ``>>`` a floor shift::

    ALU(o,p) = Σ_i [ Σ x·w + ((arg_x·Σx) >> shr_x) + ((arg_w·Σw) >> shr_w) + arg_add ]

The Σx term is shifted **per input channel** — the only reading that reproduces the cifar10 board
measurement [HW]. Depthwise uses the single channel i = o.

Choices where the spec is not settled ([?]), all selectable through :class:`KpuOptions`:

* activation ties (open question A): default ``"half_even"`` (round half to even, exact on all integers),
  which is what the nncase v0.2 emulator does for the non-negative products every generator produces and
  what the v4 YOLO fixture needs; ``"half_up"`` = ``(v + 2^(s-1)) >> s`` (SDK / nncase v0.1 for v ≥ 0);
  ``"nncase_banker"`` replicates nncase v0.2's ``carry_shift_banker`` including its wrong negative branch.
* segment boundary (B): default ``start < t`` (nncase v0.2+); ``"le"`` = ``start ≤ t`` (nncase v0.1).
  When no segment qualifies (t ≤ every start) segment 0 is used.
* Σw shift granularity (C): default per input channel (by symmetry with Σx); ``"total"`` shifts the sum.
  ``sx_granularity="total"`` gives the nncase emulators' Σx formula (equal when arg_x is a multiple of 2^shr_x).
* pool code 6 (E): default right_top (2y, 2x+1); ``"right_bottom"`` = (2y+1, 2x+1).
* mean_2_s1 border (F): default ``"replicate"`` (v0.2 emulator: coordinates clamped to the edge);
  ``"exclude"`` averages the taps inside the map only (floor).

Overflow beyond 36 bits is unspecified on hardware (D); this model uses unbounded integers (int64 when the
data provably fits, Python ints otherwise), so it never wraps.

The heavy part (Σ x·w) is an im2col + float64 matmul: every partial sum is an integer below 2^53
(1024·9·255·65535 < 2^38), so BLAS is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from kcc.k210.kpu_ram import RowLayout, download, upload
from kcc.k210.layer_argument import LayerArgument
from kcc.k210.tables import ActivationTable, BatchNormTable

__all__ = [
    "POOL_GEOMETRY",
    "POOL_NAMES",
    "KpuOptions",
    "UnsupportedKpuFeature",
    "activation",
    "batch_norm",
    "conv_alu",
    "input_layout",
    "kpu_layer",
    "output_layout",
    "pool",
    "pool_output_size",
    "round_shift",
    "run_layer",
]

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
AnyInt = npt.NDArray[Any]  # int64, or object (exact Python ints) when values could leave int64

TieRule = Literal["half_even", "half_up", "nncase_banker"]

POOL_NAMES: dict[int, str] = {
    0: "bypass",
    1: "max_2_s2",
    2: "mean_2_s2",
    3: "max_4_s4",
    4: "mean_4_s4",
    5: "left_top_2_s2",
    6: "right_top_2_s2",
    7: "left_top_4_s4",
    8: "mean_2_s1",
    9: "max_2_s1",
}

# pool code → (window, stride)
POOL_GEOMETRY: dict[int, tuple[int, int]] = {
    0: (1, 1),
    1: (2, 2),
    2: (2, 2),
    3: (4, 4),
    4: (4, 4),
    5: (2, 2),
    6: (2, 2),
    7: (4, 4),
    8: (2, 1),
    9: (2, 1),
}

_SAFE = 1 << 62


class UnsupportedKpuFeature(ValueError):
    """The layer argument asks for something this model does not (and the spec cannot) define."""


@dataclass(frozen=True)
class KpuOptions:
    """Readings of the spec's open questions; the defaults are the documented choices (module docstring)."""

    tie: TieRule = "half_even"
    segment_boundary: Literal["lt", "le"] = "lt"
    sx_granularity: Literal["per_channel", "total"] = "per_channel"
    sw_granularity: Literal["per_channel", "total"] = "per_channel"
    pool6: Literal["right_top", "right_bottom"] = "right_top"
    mean_s1_border: Literal["replicate", "exclude"] = "replicate"
    # implementation only (results identical): False forces the integer path instead of exact float64
    fast: bool = True


DEFAULT_OPTIONS = KpuOptions()


# ---------------------------------------------------------------------------------------------- helpers


def _fits_int64(bound: int) -> bool:
    return bound < _SAFE


def _absmax(a: AnyInt) -> int:
    if a.size == 0:
        return 0
    return max(abs(int(a.max())), abs(int(a.min())))


def _as_object(a: AnyInt) -> npt.NDArray[np.object_]:
    """Python-int object array (exact, unbounded)."""
    return a.astype(object)


def round_shift(v: AnyInt, s: AnyInt | int, tie: TieRule = "half_even") -> AnyInt:
    """Round ``v / 2^s`` to an integer (element-wise, s ≥ 0; s = 0 returns v).

    ``half_even`` and ``half_up`` are exact for every integer; ``nncase_banker`` replicates nncase v0.2's
    ``carry_shift_banker`` (correct for v ≥ 0, off for negative v).
    Works on int64 arrays (caller guarantees |v| < 2^60) and on object arrays of Python ints.
    """
    if v.dtype != object and tie != "nncase_banker":
        sh = np.minimum(np.asarray(s, dtype=np.int64), 62)
        pos = (sh > 0).astype(np.int64)
        half = (np.int64(1) << sh) >> 1
        if tie == "half_up":
            return (v + half) >> sh
        if tie == "half_even":
            # floor((v + half - 1 + bit_s(v)) / 2^s): ties go to the even neighbour; s = 0 leaves v unchanged
            return (v + (half - pos) + ((v >> sh) & pos)) >> sh
    s_arr: AnyInt = np.broadcast_to(np.asarray(s, dtype=v.dtype if v.dtype == object else np.int64), v.shape)
    if v.dtype != object:
        # callers guarantee |v| < 2^60: every shift ≥ 62 then gives the same result as 62 (no ties possible)
        s_arr = np.minimum(s_arr, 62)
    one = 1 if v.dtype == object else np.int64(1)
    pos = s_arr > 0
    sm1 = np.where(pos, s_arr - 1, 0)
    half = np.where(pos, one << sm1, 0)
    floor = v >> s_arr
    frac = v - (floor << s_arr)
    if tie == "half_up":
        return np.where(pos, (v + half) >> s_arr, v)
    if tie == "half_even":
        up = (frac > half) | ((frac == half) & ((floor & 1) == 1))
        return np.where(pos, floor + up, v)
    if tie == "nncase_banker":
        sigma = np.where(v < 0, -1, 1)
        res = np.where(frac < half, floor, np.where(frac > half, floor + sigma, np.where((floor & 1) == 1, floor + sigma, floor)))
        return np.where(pos, res, v)
    raise ValueError(f"unknown tie rule {tie!r}")


def _pad_input(x: I64, k: int, pad_value: int) -> I64:
    if k == 1:
        return x
    return np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="constant", constant_values=pad_value)


def _box_sum(xp: I64, k: int, h: int, w: int) -> I64:
    """kxk window sums of a padded Cx(H+k-1)x(W+k-1) map → CxHxW."""
    if k == 1:
        return xp
    s = np.zeros((xp.shape[0], h, w), dtype=np.int64)
    for ky in range(k):
        for kx in range(k):
            s += xp[:, ky : ky + h, kx : kx + w]
    return s


def _shift_term(coef: int, sums: I64, shr: int) -> AnyInt:
    """(coef · sums) >> shr, exact (object ints if the product could leave int64)."""
    if _fits_int64(abs(coef) * (_absmax(sums) + 1)):
        return (np.int64(coef) * sums) >> np.int64(shr)
    return (_as_object(sums) * coef) >> shr


# ---------------------------------------------------------------------------------------------- stages


def _conv_parts(
    x_chw: npt.NDArray[np.generic],
    weights: npt.NDArray[np.generic],
    kernel: int,
    depthwise: bool,
    pad_value: int,
    arg_x: int,
    shr_x: int,
    arg_w: int,
    shr_w: int,
    arg_add: int,
    out_channels: int,
    options: KpuOptions,
) -> tuple[npt.NDArray[np.float64], AnyInt, AnyInt, int]:
    """(Σx·w as exact float64 OCxHxW, Σx term 1|OCxHxW, Σw term OC, constant): ALU = sum of the four."""
    if kernel not in (1, 3):
        raise ValueError(f"KPU kernels are 1x1 or 3x3, got {kernel}")
    x = np.asarray(x_chw)
    ic, h, w = x.shape
    oc = out_channels
    k2 = kernel * kernel
    if depthwise and ic != oc:
        raise ValueError(f"depthwise KPU layer needs equal in/out channels, got {ic} and {oc}")
    g = 1 if depthwise else ic
    wt = np.asarray(weights).astype(np.int64).reshape(oc, g, k2)
    if wt.size and (int(wt.min()) < 0 or int(wt.max()) > 0xFFFF):
        raise ValueError("KPU weights must be unsigned 8- or 16-bit values")

    xp = _pad_input(x.astype(np.int64), kernel, pad_value)
    sx = _box_sum(xp, kernel, h, w)  # ICxHxW: Σx per input channel
    sw = wt.sum(axis=2)  # OCxG: Σw per (o, i)

    # Σ x·w; every partial sum is an integer < 2^38, so float64 (and BLAS) is exact
    xpf = xp.astype(np.float64)
    wf = wt.astype(np.float64)
    if depthwise:
        prod = np.zeros((oc, h, w), dtype=np.float64)
        for ky in range(kernel):
            for kx in range(kernel):
                prod += xpf[:, ky : ky + h, kx : kx + w] * wf[:, 0, ky * kernel + kx][:, None, None]
    else:
        if kernel == 1:
            cols = xpf.reshape(ic, h * w)
        else:
            cols = np.empty((ic, k2, h, w), dtype=np.float64)
            for ky in range(kernel):
                for kx in range(kernel):
                    cols[:, ky * kernel + kx] = xpf[:, ky : ky + h, kx : kx + w]
            cols = cols.reshape(ic * k2, h * w)
        prod = (wf.reshape(oc, ic * k2) @ cols).reshape(oc, h, w)

    # Σx term: shifted per input channel (HW) or once on the total (nncase emulators)
    if options.sx_granularity == "per_channel":
        tx_ch = _shift_term(arg_x, sx, shr_x)
        tx: AnyInt = tx_ch if depthwise else tx_ch.sum(axis=0)[None]
    else:
        tot = sx if depthwise else sx.sum(axis=0)[None]
        tx = _shift_term(arg_x, tot, shr_x)
    # Σw term
    if options.sw_granularity == "per_channel":
        tw = _shift_term(arg_w, sw, shr_w).sum(axis=1)
    else:
        tw = _shift_term(arg_w, sw.sum(axis=1), shr_w)
    return prod, tx, tw, g * arg_add


def conv_alu(
    x_chw: npt.NDArray[np.generic],
    weights: npt.NDArray[np.generic],
    *,
    kernel: int,
    depthwise: bool,
    pad_value: int,
    arg_x: int,
    shr_x: int,
    arg_w: int,
    shr_w: int,
    arg_add: int,
    out_channels: int,
    options: KpuOptions = DEFAULT_OPTIONS,
) -> I64:
    """The conv ALU result, OCxHxW int64 (spec §3.3). ``weights`` OCxICxkxk (or OCxkxk depthwise, or flat)."""
    prod, tx, tw, const = _conv_parts(
        x_chw, weights, kernel, depthwise, pad_value, arg_x, shr_x, arg_w, shr_w, arg_add, out_channels, options
    )
    total = prod.astype(np.int64) + tx + tw[:, None, None] + const
    if total.dtype == object:
        if _absmax(total) < _SAFE:
            return total.astype(np.int64)
        raise OverflowError("KPU ALU value beyond 62 bits")
    return total


def _fast_layer(
    parts: tuple[npt.NDArray[np.float64], AnyInt, AnyInt, int],
    bn: BatchNormTable,
    act: ActivationTable,
    options: KpuOptions,
) -> U8 | None:
    """ALU → BN → activation entirely in float64, used when every intermediate is an integer < 2^52
    (then every float operation below is exact). Returns None when that cannot be guaranteed."""
    prod, tx, tw, const = parts
    if tx.dtype == object or tw.dtype == object:
        return None
    oc = prod.shape[0]
    lim = 1 << 52
    alu_bound = int(np.abs(prod).max(initial=0)) + _absmax(tx) + _absmax(tw) + abs(const)
    if alu_bound >= lim:
        return None
    mul = bn.norm_mul[:oc]
    if alu_bound * (_absmax(mul) + 1) >= lim:
        return None
    # ALU (exact float sums of integers < 2^52)
    alu = prod + tx.astype(np.float64)  # new array: ``parts`` stay intact for the integer fallback
    alu += (tw + const).astype(np.float64)[:, None, None]
    # BN: floor(alu · mul / 2^shift) + add; mul·2^-shift is exact, so is the product
    scale = np.ldexp(mul.astype(np.float64), -bn.norm_shift[:oc].astype(np.int32))
    t = alu
    t *= scale[:, None, None]
    np.floor(t, out=t)
    t += bn.norm_add[:oc].astype(np.float64)[:, None, None]
    # activation: |(t - start)·mul| < 2^52
    if (_absmax_f(t) + (1 << 35) + 1) * (1 << 15) >= lim:
        return None
    seg = _segments(t, act.start_x, options.segment_boundary)
    starts = act.start_x.astype(np.float64)
    muls = act.mul.astype(np.float64)
    scales = np.ldexp(np.ones(16), -act.shift.astype(np.int32))
    biases = act.add.astype(np.float64)
    if isinstance(seg, int):
        v = (t - starts[seg]) * (muls[seg] * scales[seg])
    else:
        v = (t - starts[seg]) * muls[seg]
        v *= scales[seg]
    if options.tie == "nncase_banker" and v.size and float(v.min()) < 0:
        return None  # its negative branch is not a rounding; the integer path replicates it
    if options.tie in ("half_even", "nncase_banker"):  # identical for non-negative products
        np.rint(v, out=v)
    else:  # half_up
        v += 0.5
        np.floor(v, out=v)
    v += biases[seg]
    np.clip(v, 0, 255, out=v)
    return v.astype(np.uint8)


def _absmax_f(a: npt.NDArray[np.float64]) -> int:
    if a.size == 0:
        return 0
    return int(max(abs(float(a.max())), abs(float(a.min()))))


def batch_norm(alu: I64, bn: BatchNormTable) -> AnyInt:
    """t = ((alu · mul) >> shift) + add per output channel (floor shift), exact."""
    oc = alu.shape[0]
    if bn.channels < oc:
        raise ValueError(f"BN table has {bn.channels} entries, layer has {oc} output channels")
    mul = bn.norm_mul[:oc, None, None]
    sh = bn.norm_shift[:oc, None, None]
    add = bn.norm_add[:oc, None, None]
    if _fits_int64((_absmax(alu) + 1) * (_absmax(bn.norm_mul[:oc]) + 1)):
        return ((alu * mul) >> sh) + add
    a = _as_object(alu)
    return ((a * _as_object(mul)) >> _as_object(sh)) + _as_object(add)


def _segments(t: AnyInt, starts: I64, boundary: str) -> I64 | int:
    """Index of the highest segment whose start is below t (``lt``) or at most t (``le``); 0 if none.
    An int when every element falls in the same segment."""
    if t.dtype != object and t.size and bool(np.all(starts[1:] >= starts[:-1])):
        # sorted starts: seg = (number of starts passed) - 1; only starts inside [min t, max t] need a compare
        lo, hi = int(t.min()), int(t.max())
        passed = [(lo > s) if boundary == "lt" else (lo >= s) for s in (int(v) for v in starts)]
        base = sum(passed)
        undecided = [
            int(st) for st, p in zip(starts, passed, strict=True) if not p and ((hi > st) if boundary == "lt" else (hi >= st))
        ]
        if not undecided:
            return max(base - 1, 0)
        cnt = np.full(t.shape, base - 1, dtype=np.int64)
        for st in undecided:
            cnt += (t > st) if boundary == "lt" else (t >= st)
        return np.maximum(cnt, 0, out=cnt)
    seg = np.zeros(t.shape, dtype=np.int64)
    for j, st in enumerate(int(v) for v in starts):
        m = (t > st) if boundary == "lt" else (t >= st)
        seg[m] = j
    return seg


def activation(t: AnyInt, act: ActivationTable, options: KpuOptions = DEFAULT_OPTIONS) -> U8:
    """16-segment activation + clamp to uint8 (spec §3.5)."""
    seg = _segments(t, act.start_x, options.segment_boundary)
    if isinstance(seg, int):
        seg = np.full(t.shape, seg, dtype=np.int64)
    start = act.start_x[seg]
    mul = act.mul[seg]
    sh = act.shift[seg]
    bias = act.add[seg]
    # int64 path only when |(t - start)*mul| < 2^60, so round_shift may clamp shifts to 62 exactly
    if t.dtype != object and (_absmax(t) + (1 << 35) + 1) * (1 << 15) < 1 << 60:
        v = (t - start) * mul
        r = round_shift(v, sh, options.tie)
    else:
        v = (_as_object(t) - _as_object(start)) * _as_object(mul)
        r = round_shift(v, _as_object(sh), options.tie)
        r = np.clip(r, -(1 << 20), 1 << 20).astype(np.int64)
    return np.clip(r + bias, 0, 255).astype(np.uint8)


def pool_output_size(pool_type: int, height: int, width: int) -> tuple[int, int]:
    """(out_height, out_width) = floor(size / stride) for a pool code."""
    if pool_type not in POOL_GEOMETRY:
        raise UnsupportedKpuFeature(f"pool_type {pool_type} is not a KPU pool code (0…9)")
    _, stride = POOL_GEOMETRY[pool_type]
    return height // stride, width // stride


def pool(y: U8, pool_type: int, options: KpuOptions = DEFAULT_OPTIONS) -> U8:
    """Pooling / down-sampling of the activated CxHxW uint8 map (spec §3.6)."""
    _, h, w = y.shape
    oh, ow = pool_output_size(pool_type, h, w)
    if pool_type == 0:
        return y.copy()
    win, stride = POOL_GEOMETRY[pool_type]
    if stride > 1:
        if pool_type in (5, 7):
            return y[:, : oh * stride : stride, : ow * stride : stride].copy()
        if pool_type == 6:
            r0 = 1 if options.pool6 == "right_bottom" else 0
            return y[:, r0 : oh * stride : stride, 1 : ow * stride : stride].copy()
        taps = [y[:, dy : oh * stride : stride, dx : ow * stride : stride] for dy in range(win) for dx in range(win)]
        if pool_type in (1, 3):
            m = taps[0].copy()
            for tp in taps[1:]:
                np.maximum(m, tp, out=m)
            return m
        acc = taps[0].astype(np.int32)
        for tp in taps[1:]:
            acc += tp
        return (acc // (win * win)).astype(np.uint8)
    # 2x2 stride 1, window (y..y+1, x..x+1) past the bottom/right edge
    if pool_type == 9:
        p = np.pad(y, ((0, 0), (0, 1), (0, 1)), mode="constant", constant_values=0)
        return np.maximum(np.maximum(p[:, :h, :w], p[:, 1:, :w]), np.maximum(p[:, :h, 1:], p[:, 1:, 1:]))
    # pool_type == 8
    yi = y.astype(np.int64)
    if options.mean_s1_border == "replicate":
        p = np.pad(yi, ((0, 0), (0, 1), (0, 1)), mode="edge")
        s = p[:, :h, :w] + p[:, 1:, :w] + p[:, :h, 1:] + p[:, 1:, 1:]
        return (s // 4).astype(np.uint8)
    p = np.pad(yi, ((0, 0), (0, 1), (0, 1)), mode="constant", constant_values=0)
    s = p[:, :h, :w] + p[:, 1:, :w] + p[:, :h, 1:] + p[:, 1:, 1:]
    ny = np.where(np.arange(h) < h - 1, 2, 1)
    nx = np.where(np.arange(w) < w - 1, 2, 1)
    cnt = ny[:, None] * nx[None, :]
    return (s // cnt[None]).astype(np.uint8)


# ---------------------------------------------------------------------------------------------- layer


def _check_argument(x_shape: tuple[int, ...], arg: LayerArgument) -> None:
    if arg.bypass_conv:
        raise UnsupportedKpuFeature("bypass_conv = 1: semantics unknown (spec §7 G)")
    if arg.first_stride:
        raise UnsupportedKpuFeature("first_stride = 1: semantics unknown (spec §7 G)")
    if arg.full_add:
        raise UnsupportedKpuFeature("full_add = 1: semantics unknown (spec §2)")
    if arg.kernel_type not in (0, 1):
        raise UnsupportedKpuFeature(f"kernel_type {arg.kernel_type} (only 0 = 1x1 and 1 = 3x3 exist)")
    want = (arg.in_channels, arg.in_height, arg.in_width)
    if tuple(x_shape) != want:
        raise ValueError(f"input shape {tuple(x_shape)} does not match the layer argument CxHxW {want}")
    if arg.depthwise and arg.in_channels != arg.out_channels:
        raise ValueError(f"depthwise layer with {arg.in_channels} in and {arg.out_channels} out channels")
    oh, ow = pool_output_size(arg.pool_type, arg.in_height, arg.in_width)
    if (oh, ow) != (arg.out_height, arg.out_width):
        raise ValueError(
            f"pool {POOL_NAMES[arg.pool_type]} of {arg.in_height}x{arg.in_width} gives {oh}x{ow}, "
            f"the layer argument says {arg.out_height}x{arg.out_width}"
        )


def kpu_layer(
    x_chw: npt.NDArray[np.generic],
    arg: LayerArgument,
    weights: npt.NDArray[np.generic],
    bn: BatchNormTable,
    act: ActivationTable,
    options: KpuOptions = DEFAULT_OPTIONS,
) -> U8:
    """Run one KPU layer on a dense uint8 CxHxW input; return the uint8 OCxOHxOW map the KPU writes back.

    ``weights``: OCxICxkxk (normal) or OCxkxk (depthwise), any integer dtype — uint8 for 8-bit mode,
    uint16 for 16-bit mode (the formula is the same, spec §3.3), or the flat file order.
    Raises ValueError (UnsupportedKpuFeature) for inconsistent or undefined arguments.
    """
    x = np.asarray(x_chw)
    _check_argument(x.shape, arg)
    if x.size and (int(x.min()) < 0 or int(x.max()) > 255):
        raise ValueError("KPU input values must be uint8")
    w = np.asarray(weights)
    if w.size != arg.weight_count:
        raise ValueError(f"layer needs {arg.weight_count} weights, got {w.size}")
    if bn.channels < arg.out_channels:
        raise ValueError(f"BN table has {bn.channels} entries, layer has {arg.out_channels} output channels")
    parts = _conv_parts(
        x,
        w,
        arg.kernel_size,
        arg.depthwise,
        arg.pad_value,
        arg.arg_x,
        arg.shr_x,
        arg.arg_w,
        arg.shr_w,
        arg.arg_add,
        arg.out_channels,
        options,
    )
    y = _fast_layer(parts, bn, act, options) if options.fast else None
    if y is None:
        prod, tx, tw, const = parts
        alu = prod.astype(np.int64) + tx + tw[:, None, None] + const
        if alu.dtype == object:
            alu = alu.astype(np.int64)  # |ALU| < 2^53 for every 12-word argument (24/40-bit args, <= 1024 channels)
        y = activation(batch_norm(alu, bn), act, options)
    return pool(y, arg.pool_type, options)


def input_layout(arg: LayerArgument) -> RowLayout:
    """The input-map layout the registers describe (coef_group, row_switch_addr, channel_switch_addr)."""
    return RowLayout(arg.coef_group, arg.row_switch_addr, arg.channel_switch_addr)


def output_layout(arg: LayerArgument) -> RowLayout:
    """The output-map layout the registers describe (wb_group, wb_row_switch_addr, wb_channel_switch_addr)."""
    return RowLayout(arg.wb_group, arg.wb_row_switch_addr, arg.wb_channel_switch_addr)


def run_layer(
    ram: U8,
    arg: LayerArgument,
    weights: npt.NDArray[np.generic],
    bn: BatchNormTable,
    act: ActivationTable,
    options: KpuOptions = DEFAULT_OPTIONS,
) -> None:
    """Execute a layer on simulated KPU RAM: read the input at ``image_src_addr`` with the input-layout
    registers, write the pooled output at ``image_dst_addr`` with the write-back registers (lines, in place).

    The whole input is read before anything is written. For the dense CHW copy the DMA would stream when
    ``send_data_out`` is set, ``download`` the output (or call :func:`kpu_layer` directly).
    """
    x = download(ram, arg.image_src_addr, arg.in_channels, arg.in_height, arg.in_width, input_layout(arg))
    y = kpu_layer(x, arg, weights, bn, act, options)
    upload(ram, arg.image_dst_addr, y, output_layout(arg))
