"""Quantize a float KPU layer (``kpu.fake_conv2d``) into its bit-exact ``kpu.conv2d`` form (pure numpy).

Float layer: ``y = pool(f(conv_same(x, W) + b))`` with the KPU pool code. Quantized tensors are affine uint8:
``x = s_x (q_x - z_x)``, ``y = s_y (q_y - z_y)`` (given). The chip computes (spec k210-kpu-and-kmodel-v3.md §3):

**Weights.** One zero point ``z_w`` for the layer (the Σx coefficient ``arg_x`` is shared by every output
channel), a scale ``s_c`` per output channel (``per_channel``) or one for all: ``w ≈ s_c (q_w - z_w)``,
``q_w`` uint8 (or uint16 with ``weight_bits=16``). Each channel's range is widened to include 0; ``s_c`` is the
smallest scale that fits the channel around ``z_w``, and ``z_w`` minimises Σ_c log s_c (per channel) or the
shared scale (per layer).

**Conv ALU.** ``arg_x = -z_w``, ``arg_w = -z_x``, ``shr_x = shr_w = 0``, ``arg_add = k²·z_x·z_w`` (per input
channel), ``pad_value = z_x``: the ALU is then exactly ``Σ (q_x - z_x)(q_w - z_w)`` over the window, padding
included (a padded pixel contributes 0, as float zero padding does). The zero points are integers, so shift 0
loses nothing: this is the maximal precision the registers allow. Widths: |arg_x| ≤ 65535 < 2^23,
|arg_add| ≤ 9·255·65535 < 2^39.

**Batch norm.** BN output t is the pre-activation in units of ``s_t = s_y / 2^P`` (P "fraction bits"):
``t ≈ (s_x s_c ALU + b_c) / s_t``. ``norm_mul / 2^norm_shift ≈ s_x s_c / s_t`` with the largest shift ≤ 15
that keeps |norm_mul| < 2^23; ``norm_add = round(b_c / s_t + (1 - 2^-shift) / 2)`` (the second term centres
the floor shift). P starts at :data:`MAX_FRACTION_BITS` (higher if a multiplier needs it to stay precise to
1/64 LSB, the shift being capped at 15) and is lowered until every reachable t (worst case over all uint8
inputs) stays within ±2^34, |norm_add| < 2^31 and the multiplier fits 24 bits.

**Activation.** :func:`kcc.k210.act_fit.fit_activation` builds the 16-segment table from t to the output
code ``clamp(round(f(t s_t) / s_y + z_y), 0, 255)`` over the reachable t range (exact for the piecewise
linear activations, fitted for sigmoid / tanh / hard_swish). Pooling works on the uint8 codes; geometry and
weight-load registers come from :func:`kcc.k210.layer_argument.make_layer_argument`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kcc.k210.act_fit import ActivationFit, fit_activation
from kcc.k210.kpu_layer import POOL_NAMES
from kcc.k210.layer_argument import LayerArgument, make_layer_argument
from kcc.k210.limits import MAX_LOAD_TIMES
from kcc.k210.tables import ActivationTable, BatchNormTable
from kcc.k210.weight_loads import check_weight_loads

__all__ = [
    "MAX_FRACTION_BITS",
    "POOL_CODES",
    "QuantizedKpuLayer",
    "choose_weight_grid",
    "quantize_kpu_layer",
]

F64 = npt.NDArray[np.float64]

MAX_FRACTION_BITS = 12
"""Default P (BN output step s_t = s_y / 2^P): 1/4096 output LSB is far below every other error, and keeps
t·mul products of the activation near the sizes real generators use (≤ 2^35 over the uint8 range). P goes
higher only when a BN multiplier needs it (shift ≤ 15: few t steps per ALU unit lose multiplier precision),
lower when the reachable t, the bias or the multiplier would overflow their fields."""
MIN_FRACTION_BITS = -24
_T_BOUND = float(1 << 34)
_ADD_BOUND = float((1 << 31) - 1)
_MUL_BOUND = (1 << 23) - 1

POOL_CODES: dict[str, int] = {name: code for code, name in POOL_NAMES.items()}


@dataclass
class QuantizedKpuLayer:
    """Everything ``kpu.conv2d`` carries, plus the quantization it implies and diagnostics."""

    arg: LayerArgument
    weights: npt.NDArray[np.generic]  # uint8 / uint16, same shape as the float weights (file order)
    bn: BatchNormTable
    act: ActivationTable
    fit_error: float = 0.0  # activation table: max |out - exact code| in output LSB (0.5 = perfect rounding)
    notes: list[str] = field(default_factory=lambda: list[str]())
    weight_scales: F64 = field(default_factory=lambda: np.zeros(0))  # s_c per output channel
    weight_zero_point: int = 0  # z_w
    t_scale: float = 1.0  # s_t: float value of one BN-output step
    fraction_bits: int = 0  # P, s_t = s_y / 2^P
    t_range: tuple[int, int] = (0, 0)  # worst-case reachable BN outputs
    activation_fit: ActivationFit | None = None

    def dequantized_weights(self) -> F64:
        """The float weights the quantized layer actually uses: s_c (q_w - z_w)."""
        q = self.weights.astype(np.float64) - self.weight_zero_point
        return q * self.weight_scales.reshape((-1,) + (1,) * (q.ndim - 1))


def choose_weight_grid(lo: F64, hi: F64, qmax: int, per_channel: bool) -> tuple[int, F64]:
    """(z_w, s_c per channel) for channel ranges [lo_c, hi_c] (lo ≤ 0 ≤ hi) on the integer grid 0…qmax.

    For a zero point z the smallest scale of channel c is max(hi_c / (qmax - z), -lo_c / z). Per channel,
    z minimises Σ log s_c over the channels with a non-zero range; per layer, the shared max_c s_c.
    All-zero channels get scale 1 (their codes are all z_w)."""
    lo = np.minimum(np.asarray(lo, np.float64), 0.0)
    hi = np.maximum(np.asarray(hi, np.float64), 0.0)
    live = (hi - lo) > 0
    if not bool(live.any()):
        return 0, np.ones(lo.shape)
    # 8-bit: every zero point; 16-bit: a coarse grid, then every value around the best coarse one
    cands = np.arange(qmax + 1, dtype=np.float64) if qmax <= 255 else np.unique(np.rint(np.linspace(0, qmax, 1025)))

    def cost(z: F64) -> F64:
        zz = z[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where(hi[live][None] > 0, hi[live][None] / (qmax - zz), 0.0)
            dn = np.where(lo[live][None] < 0, -lo[live][None] / zz, 0.0)
        s = np.maximum(up, dn)
        s = np.where(np.isfinite(s), s, np.inf)
        if per_channel:
            with np.errstate(divide="ignore"):
                return np.log(s).sum(axis=1)
        return s.max(axis=1)

    c = cost(cands)
    z = int(cands[int(np.argmin(c))])
    if qmax > 255:
        fine = np.arange(max(0, z - 64), min(qmax, z + 64) + 1, dtype=np.float64)
        z = int(fine[int(np.argmin(cost(fine)))])
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(hi > 0, hi / max(qmax - z, 1e-300), 0.0)
        dn = np.where(lo < 0, -lo / max(z, 1e-300), 0.0)
    s = np.maximum(up, dn)
    if not per_channel:
        s = np.full(s.shape, float(s[live].max()))
    s = np.where(live, s, 1.0) if per_channel else s
    return z, s


def _bn_fixed(r: float) -> tuple[int, int]:
    """(mul, shift) with mul / 2^shift ≈ r, shift ≤ 15, |mul| < 2^23, as precise as the fields allow."""
    if r == 0.0:
        return 0, 0
    sh = 15
    while sh > 0 and abs(round(r * 2.0**sh)) > _MUL_BOUND:
        sh -= 1
    mul = round(r * 2.0**sh)
    if abs(mul) > _MUL_BOUND:
        raise ValueError(f"BN multiplier {r} does not fit 24 bits")
    return int(mul), sh


def _bits_for_bn_precision(ratio0: F64, bias0: F64, alu_max: F64) -> int:
    """The P at which every channel's BN multiplier is precise to 1/64 output LSB over the outputs that can
    land inside the uint8 range (|conv part| ≤ 255 + |bias| codes): with the shift capped at 15, a channel
    with few t steps per ALU unit (16-bit weights, many input channels, a coarse output) needs finer t."""
    live = (ratio0 > 0) & (alu_max > 0)
    if not bool(live.any()):
        return MIN_FRACTION_BITS
    span = np.minimum(255.0 + np.abs(bias0[live]), ratio0[live] * alu_max[live])  # codes
    # relative multiplier error 0.5 / (ratio0 · 2^P · 2^15) times span ≤ 2^-6
    need = np.log2(32.0 * span / (ratio0[live] * 2.0**15))
    return math.ceil(float(need.max()))


def _check_q(q: tuple[float, int], what: str) -> tuple[float, int]:
    s, z = float(q[0]), int(q[1])
    if not (math.isfinite(s) and s > 0):
        raise ValueError(f"{what} scale must be positive and finite, got {s}")
    if not 0 <= z <= 255:
        raise ValueError(f"{what} zero point {z} is not a uint8 code")
    return s, z


def _check_argument(arg: LayerArgument, weight_bytes: int) -> None:
    """ValueError naming the first register rule the layer breaks (a layer kpu-legalize did not split: e.g. more
    than 64 weight loads with 16-bit weights), instead of a bitfield overflow when the argument is encoded."""
    errs = check_weight_loads(arg, weight_bytes)
    loads = arg.load_time + 1
    if loads > MAX_LOAD_TIMES:
        per_oc = arg.para_size // (arg.o_ch_num_coef + 1)
        errs.insert(
            0,
            f"{arg.out_channels} output channels of {per_oc} weight bytes need {loads} weight loads of"
            f" {arg.o_ch_num_coef + 1} channels, above the KPU's {MAX_LOAD_TIMES} (load_time is 6 bits); split the"
            " output channels (kpu-legalize does for 8-bit weights) or use 8-bit weights",
        )
    if not errs:
        try:
            arg.words()
        except ValueError as e:
            errs.append(str(e))
    if errs:
        raise ValueError(errs[0])


def quantize_kpu_layer(
    weights_f32: npt.NDArray[np.floating],
    bias_f32: npt.NDArray[np.floating],
    *,
    depthwise: bool,
    act: tuple[str, tuple[float, ...]],
    pool: str | int,
    in_q: tuple[float, int],
    out_q: tuple[float, int],
    in_shape: tuple[int, int, int],
    weight_bits: int = 8,
    per_channel: bool = True,
) -> QuantizedKpuLayer:
    """The bit-exact KPU form of a float KPU layer (module docstring). Raises ValueError for bad arguments
    (shapes, scales, zero points, weight_bits, unknown pool or activation) and for a layer whose registers cannot
    hold it (more than 64 weight loads, a field out of its bits): one line naming the rule."""
    w = np.asarray(weights_f32, dtype=np.float64)
    b = np.asarray(bias_f32, dtype=np.float64).reshape(-1)
    if w.ndim != 4 or w.shape[2] != w.shape[3] or w.shape[2] not in (1, 3):
        raise ValueError(f"weights must be [O, C, k, k] with k = 1 or 3, got {w.shape}")
    o, ci, k, _ = w.shape
    c, h, wd = (int(v) for v in in_shape)
    if depthwise and (ci != 1 or o != c):
        raise ValueError(f"depthwise weights must be [{c}, 1, k, k], got {w.shape}")
    if not depthwise and ci != c:
        raise ValueError(f"weights have {ci} input channels, the input has {c}")
    if b.shape != (o,):
        raise ValueError(f"bias must have {o} values, got {b.size}")
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
        raise ValueError("weights and bias must be finite")
    if weight_bits not in (8, 16):
        raise ValueError(f"weight_bits must be 8 or 16, got {weight_bits}")
    pool_code = POOL_CODES[pool] if isinstance(pool, str) and pool in POOL_CODES else pool
    if not isinstance(pool_code, int) or pool_code not in POOL_NAMES:
        raise ValueError(f"unknown KPU pool {pool!r}; known: {', '.join(POOL_CODES)}")
    s_x, z_x = _check_q(in_q, "input")
    s_y, z_y = _check_q(out_q, "output")
    act_name, act_params = act[0], tuple(float(v) for v in act[1])
    notes: list[str] = []

    # ---- weights: shared zero point, per-channel (or per-layer) scale
    qmax = (1 << weight_bits) - 1
    wf = w.reshape(o, -1)
    z_w, s_c = choose_weight_grid(wf.min(axis=1), wf.max(axis=1), qmax, per_channel)
    q_w = np.clip(np.rint(wf / s_c[:, None]) + z_w, 0, qmax).astype(np.int64)
    dtype = np.uint8 if weight_bits == 8 else np.uint16
    weights_q = q_w.reshape(w.shape).astype(dtype)

    # ---- ALU: Σ (q_x - z_x)(q_w - z_w) exactly
    arg_x, arg_w, arg_add = -z_w, -z_x, k * k * z_x * z_w
    alu_max = np.abs(q_w - z_w).sum(axis=1).astype(np.float64) * max(z_x, 255 - z_x)  # per output channel

    # ---- BN: t in steps of s_t = s_y / 2^P
    ratio0 = s_x * s_c / s_y  # t per ALU unit at P = 0
    bias0 = b / s_y  # t of the bias at P = 0
    p = max(MAX_FRACTION_BITS, _bits_for_bn_precision(ratio0, bias0, alu_max))
    while p > MIN_FRACTION_BITS:
        sc = 2.0**p
        t_ext = ratio0 * sc * alu_max + np.abs(bias0) * sc + 1.0
        fits_t = float(t_ext.max()) <= _T_BOUND
        fits_add = float(np.abs(bias0).max()) * sc + 1.0 <= _ADD_BOUND
        if fits_t and fits_add and float(ratio0.max()) * sc <= _MUL_BOUND:
            break
        p -= 1
    if p < 4:
        notes.append(f"BN output has only {p} fraction bits below the output LSB (large bias or ALU range)")
    s_t = s_y / 2.0**p
    muls: list[int] = []
    shifts: list[int] = []
    adds: list[int] = []
    for ch in range(o):
        mul, sh = _bn_fixed(float(ratio0[ch]) * 2.0**p)
        if mul == 0 and ratio0[ch] > 0:
            notes.append(f"output channel {ch}: BN multiplier underflows to 0 (weights negligible)")
        muls.append(mul)
        shifts.append(sh)
        adds.append(round(float(b[ch]) / s_t + (1.0 - 2.0**-sh) / 2.0))
    bn = BatchNormTable(np.array(muls, np.int64), np.array(adds, np.int64), np.array(shifts, np.int64))
    bn.validate()
    eff = np.array(muls, np.float64) / 2.0 ** np.array(shifts, np.float64)
    t_lo = math.floor(float((np.array(adds) - eff * alu_max).min()) - 1)
    t_hi = math.ceil(float((np.array(adds) + eff * alu_max).max()) + 1)

    # ---- activation table
    fit = fit_activation(act_name, act_params, t_scale=s_t, out_q=(s_y, z_y), t_range=(t_lo, t_hi))
    if not fit.exact:
        notes.append(f"activation {act_name} fitted with {fit.segments} segments: max error {fit.max_error:.3f} LSB")

    arg = make_layer_argument(
        in_channels=c,
        out_channels=o,
        height=h,
        width=wd,
        kernel=k,
        pool_type=pool_code,
        depthwise=depthwise,
        pad_value=z_x,
        arg_x=arg_x,
        shr_x=0,
        arg_w=arg_w,
        shr_w=0,
        arg_add=arg_add,
        weight_bytes=weight_bits // 8,
    )
    _check_argument(arg, weight_bits // 8)
    return QuantizedKpuLayer(
        arg=arg,
        weights=weights_q,
        bn=bn,
        act=fit.table,
        fit_error=fit.max_error,
        notes=notes,
        weight_scales=s_c,
        weight_zero_point=z_w,
        t_scale=s_t,
        fraction_bits=p,
        t_range=(t_lo, t_hi),
        activation_fit=fit,
    )
