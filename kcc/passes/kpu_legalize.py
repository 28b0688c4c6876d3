"""`kpu-legalize`: put every KPU-capable op of a float nn program on the KPU as `kpu.fake_conv2d`, leave the rest
as nn ops on the CPU, and say for each op where it went and why (`placement_report`, option `report=true`).

One greedy rewrite runs, in this order: the decompositions of `kcc.passes.kpu_decompositions` (transposed,
dilated, fully connected and large-kernel convs into nn ops the KPU can run), the `fuse-conv` patterns (an
activation or per-channel affine op still after a conv), then the legalization patterns below (a conv whose
result still feeds an op those patterns fold into it waits for the fold: `fuse_conv.fusion_pending`). A
`kpu.fake_conv2d` computes a stride-1 conv with symmetric "same" padding (1x1: none, 3x3: one zero on every
side), bias, one activation (`KPU_ACTIVATIONS`) and one KPU pool code (docs/dialects/kpu.md); everything else is
glue around it: `nn.pad` before (zeros), `nn.slice` after (crop, or steps), `nn.concat` of channel groups.

**Convolutions** (`nn.conv2d`, float, batch 1, constant weight and bias, dilation 1, kernel at most 3x3):

* kernel: a 1x1 or 3x3 kernel runs as is; smaller or non-square ones (2x2, 1x3, 3x1, 2x3...) are embedded,
  centred, in a 3x3 kernel of zeros. Larger kernels are left to the decompositions (else CPU).
* groups: 1 (dense) or depthwise (groups = channels = outputs); other groups become one dense conv with a
  block-diagonal weight.
* geometry, per axis (the same for H and W): the nn conv computes `y[i] = sum_u w[u] x[s*i + u - pad_begin]`
  (zero outside x); the fake conv on `x' = pad(x, a before, b after)` computes
  `z[j] = sum_u w[u] x[j + u - p + c - a]` (p = 1 for 3x3; c = the centring offset of an embedded kernel), so
  `y[i] = z[d + s*i]` with `d = p - c - pad_begin + a`. `a >= max(0, pad_begin - p + c)` is the smallest that
  makes `d` a multiple of the down-sampling stride `q`; `b` adds rows at the end until every needed row exists
  and the map is at least the KPU minimum (4x4 in and out). Extra zero rows never change the kept outputs:
  zeros beyond x are exactly the nn conv's padding.
    - stride 1: `q = 1`, crop `z[d : d + out]` (nothing to crop for symmetric same padding);
    - stride 2 or 4 (both axes, dense conv): the pool codes `left_top_2_s2` / `left_top_4_s4` keep
      `z[q*J]`, `J = d/q + i`. TF SAME stride 2 (pad 0 before, 1 after) gives `d = 1`, so `a = 1` extra zero
      row/column before and the crop starts at `J = 1`: exact, no one-pixel shift. `right_top_2_s2` is not
      used (its row is an open question of the spec, §3.6);
    - any other stride (3, unequal strides, and any stride of a depthwise conv, which cannot pool): stride-1
      fake conv + `nn.slice` with steps from `d` (CPU data movement). A 1x1 dense conv that reads such a
      strided slice (the MobileNet pattern: stride-2 depthwise -> pointwise) takes the sampling into its own
      pool code instead (a 1x1 conv commutes with sub-sampling), so the stride runs on the KPU.
* a following pool that is exactly a KPU pool code (`kcc.passes.kpu_pool_match.kpu_pool_type`: 2x2/s2, 4x4/s4
  max or mean, 2x2/s1 TF-SAME max), or a global mean/max over a 2x2 or 4x4 map, is fused into a dense stride-1
  conv when the conv result has no other user (`d` is then made a multiple of the pool stride; the s1 pools
  need the map to end exactly where the conv output ends).
* activations: those of `kpu.KPU_ACTIVATIONS` are fused (the 16-segment table: exact for relu, clamp, leaky
  relu, hard sigmoid; fitted to about 1 output LSB for sigmoid, tanh, hard swish once the dialect lists them);
  any other runs after the fake conv as an nn op on the CPU.
* channels above 1024 (kcc.k210.limits.MAX_CHANNELS): outputs are split into groups of at most 1024 and
  concatenated; inputs are split into partial convs summed with `nn.add` (the activation follows as its own op).
* weight loads: a dense layer loads its weights in at most 64 loads (load_time is 6 bits) of whole output
  channels, at most 30 KiB each; a conv whose outputs need more (3x3 over 512 inputs: more than 384 outputs) is
  split into balanced output-channel groups on the same input, concatenated (`max_out_channels`).
* a conv over the height limit or the 2 MiB KPU RAM runs in row bands (`plan_row_bands`): the fewest equal
  bands of output rows (2..MAX_GROUPS) whose convs each fit, each an `nn.slice` of the input rows it reads
  (halo included; the conv's own pads only at the map's edges) + an `nn.conv2d` (legalized in turn),
  concatenated along H.
* what still breaks a rule of `kcc.k210.limits.check_conv_limits` (width above 512, ...) stays an
  `nn.conv2d` on the CPU, with that rule as the reason.

**Other ops** with a `[1, C, H, W]` float input (all of these are "separable": output channel k reads only
channel k of each input, so over 1024 channels or over the KPU RAM they run in 2, 3, ... equal channel groups
+ `nn.concat`, `plan_chain`):

* activations relu / clamp / leaky relu / hard sigmoid (and a single-slope PReLU): a depthwise 1x1 identity
  fake conv carrying the activation. PReLU with per-channel slopes stays on the CPU (the KPU has one
  activation table per layer).
* `nn.batch_norm` with constant statistics and `nn.add` / `nn.sub` / `nn.mul` of a per-channel constant: a
  depthwise 1x1 fake conv with the scale as weight and the shift as bias.
* `nn.max_pool2d` / `nn.avg_pool2d` that is a KPU pool code, and global means/maxima of 2x2/4x4 maps: a dense
  1x1 identity fake conv carrying the pool code. A 2x2/s2 or 4x4/s4 max pool with pads smaller than the window:
  `nn.pad` mode edge first (a replicated edge value is in the window of the value it copies: maxima exact); an
  avg pool that counts its pads: zero pad first.
* global means/maxima over any other HxW (`global_pool_windows`): a chain of identity fake convs with 4x4/s4
  pools while more than 2 rows/columns are left, then 2x2/s2, down to 1x1, when the chain's dense identity
  weights (C*C bytes per stage) stay within `MAX_GLOBAL_POOL_IDENTITY_BYTES` (64 KiB; else the CPU, with the
  reason: 1024 channels would carry 1 MiB per stage). Mean: zero rows added by the plans
  add nothing to the sums; the chain divides by `P^2` (P = product of the windows), so the first stage's weight
  is `P^2 / (H*W)`. Max: `nn.pad` mode edge to PxP first (zeros could win a maximum).
* `nn.add` of two maps of one shape (residual add): `nn.concat` along channels (a placement in KPU RAM) + a
  dense 1x1 fake conv with weight `[I I]` (option `kpu-add`, default on); `y + nn.pad(x)` with zeros only on
  channels (BlazeFace): `nn.concat(y, x)` + weight `[I E]`, E placing x's channels where the pad put them.
* `nn.concat`, pads, slices, reshapes and other data movement stay nn ops (no MACs); softmax, resize,
  reductions, ... stay on the CPU with the reason "no KPU form".

Quantized ops are never touched (legalization happens in float, before `quantize`). The rewritten program
computes what the input program computes, up to float rounding (checked <= 1e-5 relative).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import Float32Type, IntegerAttr, ModuleOp, TensorType, f32, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriterListener,
    PatternRewriteWalker,
    RewritePattern,
)

from kcc.dialects.kpu.ops import KPU_ACTIVATIONS, FakeConv2dOp
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import ints, shape_of
from kcc.dialects.nn.const import ConstOp, const_from_numpy
from kcc.dialects.nn.conv import BatchNormOp, Conv2dOp
from kcc.dialects.nn.elementwise import (
    AddOp,
    HardSwishOp,
    MulOp,
    PReluOp,
    SigmoidOp,
    SubOp,
    TanhOp,
    UnaryOp,
)
from kcc.dialects.nn.movement import ConcatOp, PadOp, ReshapeOp, SliceOp
from kcc.dialects.nn.pool import AvgPool2dOp, MaxPool2dOp, ReduceMaxOp, ReduceMeanOp
from kcc.k210.kpu_layer import pool_output_size
from kcc.k210.limits import MAX_CHANNELS, MIN_SPATIAL, check_conv_limits, max_out_channels_per_layer
from kcc.k210.pool_float import POOL_GEOMETRY
from kcc.passes.fuse_conv import FUSE_CONV_PATTERNS, activation_of, fusion_pending, per_channel_vector
from kcc.passes.kpu_placement import ORIGIN_ATTR, PlacementRow, Report, is_data_movement, macs

__all__ = ["KpuLegalizePass", "explain", "legalize", "placement_report"]

LEFT_TOP = {2: 5, 4: 7}  # stride -> left_top pool code
_GLOBAL_POOL = {("mean", 2): 2, ("max", 2): 1, ("mean", 4): 4, ("max", 4): 3}
# A global pool chain carries one dense C x C identity weight matrix per stage (a depthwise KPU layer cannot pool,
# spec k210-kpu-and-kmodel-v3.md §4.2). Above this many identity weight bytes the chain costs more model memory
# than the pool is worth: 1024 channels would carry 1 MiB per stage, while the CPU averages 1024x7x7 values in
# ~50k adds. Such pools stay on the CPU with the reason.
MAX_GLOBAL_POOL_IDENTITY_BYTES = 64 * 1024


def _decomposition_patterns() -> list[RewritePattern]:
    try:
        from kcc.passes.kpu_decompositions import decomposition_patterns
    except ImportError:  # pragma: no cover - the module is created by the decomposition work
        return []
    return decomposition_patterns()


def _kpu_pool_code(pool: MaxPool2dOp | AvgPool2dOp) -> int | None:
    from kcc.passes.kpu_pool_match import KPU_POOL_CODES, kpu_pool_type

    name = kpu_pool_type(pool)
    return None if name is None else KPU_POOL_CODES[name]


# ---------------------------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class AxisPlan:
    """One spatial axis: zeros added before/after the input, and which fake-conv outputs are kept."""

    before: int
    after: int
    start: int
    step: int
    count: int


def plan_axis(
    size: int, kernel: int, taps: int, pad_begin: int, stride: int, out: int, q: int, exact_end: bool
) -> AxisPlan | None:
    """See the module docstring. `kernel` is the fake conv's (1 or 3), `taps` the nn kernel's extent on this
    axis, `q` the down-sampling stride of the fake conv's pool, `out` the number of outputs to keep (after the
    pool when one is fused). None when `exact_end` (a stride-1 2x2 pool) cannot be met."""
    p = (kernel - 1) // 2
    c = (kernel - taps) // 2
    d_base = p - c - pad_begin
    a = max(0, -d_base)
    while (d_base + a) % q:
        a += 1
    d = d_base + a
    if q == 1:
        step = stride
        start = d
        need = start + step * (out - 1) + 1
    else:
        step = 1
        start = d // q
        need = q * (start + out)
    if exact_end:
        b = need - size - a
        if b < 0 or size + a + b < MIN_SPATIAL:
            return None
    else:
        b = max(0, need - size - a, MIN_SPATIAL * q - size - a)
    return AxisPlan(a, b, start, step, out)


@dataclass
class ConvSpec:
    """A conv to put on the KPU: `y = act(conv(x, weight, bias))`, then the pool `pool` (0: none)."""

    inputs: list[SSAValue]  # concatenated along channels (one map, or the two maps of a residual add)
    weight: np.ndarray  # [O, C, kh, kw] (depthwise [C, 1, kh, kw]), float32
    bias: np.ndarray  # [O]
    depthwise: bool
    strides: tuple[int, int]
    pads: tuple[int, int]  # begin pads (top, left); a negative one reads real rows before (1x1 only)
    out_hw: tuple[int, int]  # conv output size
    act: ActivationAttr | None = None
    pool: int = 0
    pool_hw: tuple[int, int] | None = None  # size after the fused pool
    params: tuple[SSAValue, SSAValue] | None = None  # the nn op's weight and bias values, reused when unchanged
    shape: tuple[int, int, int, int] | None = None  # the (concatenated) input shape when `inputs` are not built yet

    @property
    def in_shape(self) -> tuple[int, int, int, int]:
        if self.shape is not None:
            return self.shape
        n, _, h, w = shape_of(self.inputs[0])
        return n, sum(shape_of(v)[1] for v in self.inputs), h, w


@dataclass(frozen=True)
class ConvPlan:
    h: AxisPlan
    w: AxisPlan
    kernel: int
    pool: int


def _kernel_of(weight: np.ndarray) -> int:
    return 3 if max(weight.shape[2], weight.shape[3]) > 1 else 1


def plan_conv(spec: ConvSpec) -> ConvPlan | list[str]:
    """The padding, pool code and crop that make `spec` a fake conv, or the KPU rules every candidate breaks."""
    k = _kernel_of(spec.weight)
    kh, kw = spec.weight.shape[2], spec.weight.shape[3]
    _, c, h, w = spec.in_shape
    o = spec.weight.shape[0]
    sh, sw = spec.strides
    candidates: list[tuple[int, int, tuple[int, int], tuple[int, int], bool]] = []  # pool, q, strides, out, exact
    if spec.pool:
        if spec.depthwise or (sh, sw) != (1, 1) or spec.pool_hw is None:
            return ["a depthwise or strided conv cannot take a pool"]
        win, q = POOL_GEOMETRY[spec.pool]
        candidates.append((spec.pool, q, (1, 1), spec.pool_hw, q == 1 and win == 2))
    else:
        if sh == sw and sh in LEFT_TOP and not spec.depthwise:
            candidates.append((LEFT_TOP[sh], sh, (1, 1), spec.out_hw, False))
        candidates.append((0, 1, (sh, sw), spec.out_hw, False))
    first_errors: list[str] | None = None
    for pool, q, strides, out, exact in candidates:
        ah = plan_axis(h, k, kh, spec.pads[0], strides[0], out[0], q, exact)
        aw = plan_axis(w, k, kw, spec.pads[1], strides[1], out[1], q, exact)
        if ah is None or aw is None:
            errs = [
                f"a stride-1 2x2 pool needs the map ({h}x{w}) to end where the conv output ends and to be at least"
                f" {MIN_SPATIAL}x{MIN_SPATIAL}"
            ]
        else:
            hp, wp = h + ah.before + ah.after, w + aw.before + aw.after
            errs = check_conv_limits(c, o, hp, wp, k, pool, spec.depthwise)
            if not errs:
                assert ah is not None and aw is not None
                return ConvPlan(ah, aw, k, pool)
        if first_errors is None:
            first_errors = errs
    return first_errors or ["no plan"]


def _embed(weight: np.ndarray, k: int) -> np.ndarray:
    kh, kw = weight.shape[2], weight.shape[3]
    if (kh, kw) == (k, k):
        return np.ascontiguousarray(weight, dtype=np.float32)
    out = np.zeros((*weight.shape[:2], k, k), np.float32)
    ch, cw = (k - kh) // 2, (k - kw) // 2
    out[:, :, ch : ch + kh, cw : cw + kw] = weight
    return out


def _f32(shape: Sequence[int]) -> TensorType[Float32Type]:
    return TensorType(f32, list(shape))


_CPU_ACTIVATIONS: dict[str, Callable[[SSAValue], UnaryOp]] = {
    "sigmoid": lambda v: SigmoidOp(v),
    "tanh": lambda v: TanhOp(v),
    "hard_swish": lambda v: HardSwishOp(v),
}


def emit_conv(rewriter: PatternRewriter, anchor: Operation, spec: ConvSpec, plan: ConvPlan) -> SSAValue:
    """Insert before `anchor` the pad, fake conv, crop (and CPU activation) computing `spec`; its result."""
    new: list[Operation] = []
    n, c, h, w = spec.in_shape
    if len(spec.inputs) == 1:
        x = spec.inputs[0]
    else:
        concat = ConcatOp(spec.inputs, _f32((n, c, h, w)), 1)
        new.append(concat)
        x = concat.output
    ph, pw = plan.h, plan.w
    if ph.before or ph.after or pw.before or pw.after:
        hp, wp = h + ph.before + ph.after, w + pw.before + pw.after
        pad = PadOp(x, _f32((n, c, hp, wp)), [0, 0, ph.before, pw.before, 0, 0, ph.after, pw.after])
        new.append(pad)
        x = pad.output
        h, w = hp, wp
    if spec.params is not None and spec.weight.shape[2:] == (plan.kernel, plan.kernel):
        wv, bv = spec.params
    else:
        wconst = const_from_numpy(_embed(spec.weight, plan.kernel))
        bconst = const_from_numpy(np.ascontiguousarray(spec.bias, dtype=np.float32))
        new += [wconst, bconst]
        wv, bv = wconst.output, bconst.output
    act = spec.act
    cpu_act = None
    if act is not None and act.kind.data not in KPU_ACTIVATIONS:
        cpu_act, act = act.kind.data, None
    if act is not None and act.kind.data == "none":
        act = None
    o = spec.weight.shape[0]
    oh, ow = pool_output_size(plan.pool, h, w)
    conv = FakeConv2dOp(x, wv, bv, _f32((1, o, oh, ow)), plan.pool, spec.depthwise, act)
    new.append(conv)
    y: SSAValue = conv.output
    keep = (ph.start, pw.start, ph.step, pw.step, ph.count, pw.count)
    if keep != (0, 0, 1, 1, oh, ow):
        ends = [1, o, ph.start + ph.step * (ph.count - 1) + 1, pw.start + pw.step * (pw.count - 1) + 1]
        crop = SliceOp(y, _f32((1, o, ph.count, pw.count)), [0, 0, ph.start, pw.start], ends, [1, 1, ph.step, pw.step])
        new.append(crop)
        y = crop.output
    if cpu_act is not None:
        op = _CPU_ACTIVATIONS[cpu_act](y)
        new.append(op)
        y = op.results[0]
    for op in new:
        rewriter.insert(op, _before(anchor))
    return y


def _before(op: Operation):
    from xdsl.rewriter import InsertPoint

    return InsertPoint.before(op)


# ---------------------------------------------------------------------------------------------- channel groups

MAX_GROUPS = 64  # most channel groups / row bands tried before an op is left on the CPU


def _balanced(n: int, parts: int) -> list[tuple[int, int]]:
    size = -(-n // parts)
    return [(i, min(n, i + size)) for i in range(0, n, size)]


def _separable(spec: ConvSpec) -> bool:
    """Output channel k reads only channel k of each input (depthwise, identity, [I I]): channel groups are exact."""
    if spec.depthwise:
        return True
    o = spec.weight.shape[0]
    _, c, _, _ = spec.in_shape
    k = c // o
    if k * o != c or spec.weight.shape[2:] != (1, 1) or (spec.inputs and any(shape_of(v)[1] != o for v in spec.inputs)):
        return False
    w = spec.weight.reshape(o, k, o)
    off = ~np.eye(o, dtype=bool)[:, None, :]
    return not bool(np.any(np.where(off, w, 0.0)))


def _group_spec(spec: ConvSpec, lo: int, hi: int, inputs: list[SSAValue] | None = None) -> ConvSpec:
    """Channels [lo, hi) of a separable spec (of each of its inputs)."""
    n, c, h, w = spec.in_shape
    if spec.depthwise:
        weight, cin = spec.weight[lo:hi], hi - lo
    else:
        o = spec.weight.shape[0]
        k = c // o
        cols = np.concatenate([np.arange(lo, hi) + i * o for i in range(k)])
        weight, cin = spec.weight[lo:hi][:, cols], k * (hi - lo)
    return ConvSpec(
        inputs or [], np.ascontiguousarray(weight), spec.bias[lo:hi], spec.depthwise, spec.strides, spec.pads,
        spec.out_hw, spec.act, spec.pool, spec.pool_hw, shape=None if inputs else (n, cin, h, w),
    )  # fmt: skip


def _fixable_by_groups(errors: list[str]) -> bool:
    return any("channels" in e or "KPU RAM" in e for e in errors)


@dataclass
class ChainPlan:
    """A chain of separable fake convs (each stage reads the previous one's output), run in channel groups
    `bounds`; `plans[stage][group]`."""

    specs: list[ConvSpec]
    bounds: list[tuple[int, int]]
    plans: list[list[ConvPlan]]


def plan_chain(specs: list[ConvSpec]) -> ChainPlan | list[str]:
    """Plan `specs` whole, else in 2, 3, ... channel groups (when every stage is separable and the rules broken
    are channel counts or KPU RAM); the rules the ungrouped chain breaks when nothing fits."""
    o = specs[0].weight.shape[0]
    first: list[str] | None = None
    separable = all(_separable(s) for s in specs)
    for parts in range(1, min(o, MAX_GROUPS) + 1):
        bounds = _balanced(o, parts)
        if parts > 1 and len(bounds) != parts:
            continue
        plans: list[list[ConvPlan]] = []
        errors: list[str] = []
        for spec in specs:
            row: list[ConvPlan] = []
            for lo, hi in bounds:
                p = plan_conv(spec if parts == 1 else _group_spec(spec, lo, hi))
                if not isinstance(p, ConvPlan):
                    errors = p
                    break
                row.append(p)
            if errors:
                break
            plans.append(row)
        if not errors:
            return ChainPlan(specs, bounds, plans)
        if first is None:
            first = errors
            if not (separable and _fixable_by_groups(errors)):
                break
    assert first is not None
    return first


def _slice_channels(rewriter: PatternRewriter, anchor: Operation, x: SSAValue, lo: int, hi: int) -> SSAValue:
    n, c, h, w = shape_of(x)
    if (lo, hi) == (0, c):
        return x
    s = SliceOp(x, _f32((n, hi - lo, h, w)), [0, lo, 0, 0], [n, hi, h, w])
    rewriter.insert(s, _before(anchor))
    return s.output


def emit_chain(rewriter: PatternRewriter, anchor: Operation, chain: ChainPlan, inputs: list[SSAValue]) -> SSAValue:
    """Insert before `anchor` the fake convs of `chain` on `inputs` (per channel group, then concatenated)."""
    parts: list[SSAValue] = []
    for g, (lo, hi) in enumerate(chain.bounds):
        xs = inputs if len(chain.bounds) == 1 else [_slice_channels(rewriter, anchor, v, lo, hi) for v in inputs]
        for spec, plans in zip(chain.specs, chain.plans, strict=True):
            sub = _group_spec(spec, lo, hi, xs) if len(chain.bounds) > 1 else _with_inputs(spec, xs)
            xs = [emit_conv(rewriter, anchor, sub, plans[g])]
        parts.append(xs[0])
    if len(parts) == 1:
        return parts[0]
    n, _, h, w = shape_of(parts[0])
    concat = ConcatOp(parts, _f32((n, sum(shape_of(p)[1] for p in parts), h, w)), 1)
    rewriter.insert(concat, _before(anchor))
    return concat.output


def _with_inputs(spec: ConvSpec, inputs: list[SSAValue]) -> ConvSpec:
    if spec.inputs == inputs and spec.shape is None:
        return spec
    return ConvSpec(inputs, spec.weight, spec.bias, spec.depthwise, spec.strides, spec.pads, spec.out_hw, spec.act,
                    spec.pool, spec.pool_hw, spec.params)  # fmt: skip


# ---------------------------------------------------------------------------------------------- conv specs


def _is_f32(v: SSAValue) -> bool:
    t = v.type
    return isinstance(t, TensorType) and isinstance(t.element_type, Float32Type)


def _const_array(v: SSAValue) -> np.ndarray | None:
    owner = v.owner
    return owner.to_numpy() if isinstance(owner, ConstOp) and _is_f32(v) else None


def _map_rule(v: SSAValue) -> str | None:
    """Why `v` is not a float [1, C, H, W] map the KPU could read, or None."""
    if not _is_f32(v):
        return "not float32 (kpu-legalize works before quantization; quantized ops stay as they are)"
    s = shape_of(v)
    if len(s) != 4:
        return f"rank-{len(s)} tensor is not an NCHW map"
    if s[0] != 1:
        return f"batch {s[0]}: the KPU runs one image"
    return None


def conv_spec(op: Conv2dOp) -> ConvSpec | str:
    """The KPU form of an nn.conv2d before planning the geometry, or the rule it breaks."""
    for v in (op.input, op.output):
        rule = _map_rule(v)
        if rule is not None:
            return rule
    w, b = _const_array(op.weight), _const_array(op.bias)
    if w is None or b is None:
        return "weight and bias must be float constants (the KPU loads them from the model)"
    dil = ints(op.dilations)
    if dil != (1, 1):
        return f"dilation {dil[0]}x{dil[1]}: KPU convs have dilation 1"
    o, cpg, kh, kw = w.shape
    if kh > 3 or kw > 3:
        return f"kernel {kh}x{kw}: KPU supports 1x1 and 3x3"
    _, c, _, _ = shape_of(op.input)
    g = op.group_count
    depthwise = g > 1 and g == c and o == c
    if g > 1 and not depthwise:
        dense = np.zeros((o, c, kh, kw), np.float32)
        og = o // g
        for gi in range(g):
            dense[gi * og : (gi + 1) * og, gi * cpg : (gi + 1) * cpg] = w[gi * og : (gi + 1) * og]
        w = dense
    pt, pl, _, _ = ints(op.pads)
    _, _, oh, ow = shape_of(op.output)
    expanded = g > 1 and not depthwise
    spec = ConvSpec([op.input], w, b, depthwise, (ints(op.strides)[0], ints(op.strides)[1]), (pt, pl), (oh, ow), op.act)
    if not expanded:
        spec.params = (op.weight, op.bias)
    _fold_zero_pad(spec)
    _fold_strided_slice(spec)
    return spec


def _fold_zero_pad(spec: ConvSpec) -> None:
    """A conv reading an `nn.pad` with zeros on H and W only: read the pad's input and add its begin pads to
    the conv's (the end pads are the zeros the plan adds anyway), when that plan is legal."""
    pad = spec.inputs[0].owner
    if not isinstance(pad, PadOp) or pad.mode.data != "constant" or pad.pad_value != 0.0 or not _is_f32(pad.input):
        return
    p = ints(pad.pads)
    if len(p) != 8 or p[0] or p[1] or p[4] or p[5]:
        return
    alt = ConvSpec([pad.input], spec.weight, spec.bias, spec.depthwise, spec.strides,
                   (spec.pads[0] + p[2], spec.pads[1] + p[3]), spec.out_hw, spec.act)  # fmt: skip
    if isinstance(plan_conv(alt), ConvPlan):
        spec.inputs, spec.pads = alt.inputs, alt.pads


def _fold_strided_slice(spec: ConvSpec) -> None:
    """A dense 1x1 stride-1 unpadded conv reading `nn.slice` with steps s in {2, 4} on H and W only: read the
    slice's input instead, with stride s and the slice start as a negative begin pad (planned by pool code)."""
    sl = spec.inputs[0].owner
    if spec.depthwise or spec.weight.shape[2:] != (1, 1) or spec.strides != (1, 1) or spec.pads != (0, 0):
        return
    if not isinstance(sl, SliceOp) or not _is_f32(sl.input):
        return
    ins = shape_of(sl.input)
    starts, ends, steps = ints(sl.starts), ints(sl.ends), ints(sl.steps)
    if len(ins) != 4 or starts[:2] != (0, 0) or ends[:2] != ins[:2] or steps[:2] != (1, 1):
        return
    if steps[2] != steps[3] or steps[2] not in LEFT_TOP:
        return
    alt = ConvSpec(
        [sl.input], spec.weight, spec.bias, False, (steps[2], steps[3]), (-starts[2], -starts[3]), spec.out_hw, spec.act
    )
    plan = plan_conv(alt)
    if isinstance(plan, ConvPlan) and plan.pool == LEFT_TOP[steps[2]]:
        spec.inputs, spec.strides, spec.pads = alt.inputs, alt.strides, alt.pads


def _split_channels(n: int, cap: int = MAX_CHANNELS) -> list[tuple[int, int]]:
    parts = -(-n // cap)
    size = -(-n // parts)
    return [(i, min(n, i + size)) for i in range(0, n, size)]


def max_out_channels(spec: ConvSpec, weight_bits: int = 8) -> int:
    """The most output channels one KPU layer of `spec` can have: 1024, or fewer for a dense conv whose weights
    would need more than 64 loads (`kcc.k210.limits.max_out_channels_per_layer`)."""
    _, c, _, _ = spec.in_shape
    if spec.depthwise or c > MAX_CHANNELS:
        return MAX_CHANNELS
    return max_out_channels_per_layer(c, _kernel_of(spec.weight), weight_bits // 8)


def _channel_split(rewriter: PatternRewriter, op: Conv2dOp, spec: ConvSpec, weight_bits: int = 8) -> bool:
    """Rewrite a conv with more than 1024 channels, or more output channels than its weights can load (64 loads
    of 30 KiB), into nn convs that fit (then legalized one by one)."""
    _, c, h, w = shape_of(op.input)
    o = spec.weight.shape[0]
    o_cap = max_out_channels(spec, weight_bits)
    if c <= MAX_CHANNELS and o <= o_cap:
        return False
    _, _, oh, ow = shape_of(op.output)
    strides, pads = ints(op.strides), ints(op.pads)
    new: list[Operation] = []

    def conv(x: SSAValue, wa: np.ndarray, ba: np.ndarray, groups: int, act: ActivationAttr | None) -> SSAValue:
        wc, bc = const_from_numpy(np.ascontiguousarray(wa)), const_from_numpy(np.ascontiguousarray(ba))
        cv = Conv2dOp(x, wc.output, bc.output, _f32((1, wa.shape[0], oh, ow)), strides, pads, (1, 1), groups, act)
        new.extend([wc, bc, cv])
        return cv.output

    def channels(x: SSAValue, lo: int, hi: int) -> SSAValue:
        _, _cc, hh, ww = shape_of(x)
        s = SliceOp(x, _f32((1, hi - lo, hh, ww)), [0, lo, 0, 0], [1, hi, hh, ww])
        new.append(s)
        return s.output

    if spec.depthwise:
        parts = [
            conv(channels(op.input, lo, hi), spec.weight[lo:hi], spec.bias[lo:hi], hi - lo, op.act)
            for lo, hi in _split_channels(c)
        ]
        result = ConcatOp(parts, op.output.type, 1)
        new.append(result)
        y = result.output
    elif o > o_cap:
        parts = [conv(op.input, spec.weight[lo:hi], spec.bias[lo:hi], 1, op.act) for lo, hi in _split_channels(o, o_cap)]
        result = ConcatOp(parts, op.output.type, 1)
        new.append(result)
        y = result.output
    else:
        y = None
        for i, (lo, hi) in enumerate(_split_channels(c)):
            bias = spec.bias if i == 0 else np.zeros_like(spec.bias)
            part = conv(channels(op.input, lo, hi), spec.weight[:, lo:hi], bias, 1, None)
            if y is None:
                y = part
            else:
                add = AddOp(y, part)
                new.append(add)
                y = add.output
        assert y is not None
        act = op.act
        if act is not None and act.kind.data != "none":
            a = _activation_op(y, act)
            new.append(a)
            y = a.results[0]
    for n_op in new:
        rewriter.insert(n_op, _before(op))
    rewriter.replace_all_uses_with(op.output, y)
    rewriter.erase(op)
    del h, w
    return True


def _activation_op(x: SSAValue, act: ActivationAttr) -> Operation:
    from kcc.dialects.nn.elementwise import ClampOp, HardSigmoidOp, LeakyReluOp, ReluOp

    kind, p = act.kind.data, act.values
    if kind == "relu":
        return ReluOp(x)
    if kind == "clamp":
        return ClampOp(x, None, p[0], p[1])
    if kind == "leaky_relu":
        return LeakyReluOp(x, None, p[0])
    if kind == "hard_sigmoid":
        return HardSigmoidOp(x, None, p[0], p[1])
    return _CPU_ACTIVATIONS[kind](x)


# ---------------------------------------------------------------------------------------------- state


@dataclass
class _State:
    """Origin tracking shared by the patterns and the walker's listener."""

    current: IntegerAttr | None = None
    inserted: int = 0
    fused_into: dict[int, int] = field(default_factory=lambda: dict[int, int]())

    def tag(self, op: Operation) -> None:
        self.inserted += 1
        if self.current is not None and ORIGIN_ATTR not in op.attributes:
            op.attributes[ORIGIN_ATTR] = self.current

    def fuse(self, victim: Operation, into: Operation) -> None:
        a, b = _origin(victim), _origin(into)
        if a is not None and b is not None and a != b:
            self.fused_into[a] = b


def _origin(op: Operation | None) -> int | None:
    if op is None:
        return None
    attr = op.attributes.get(ORIGIN_ATTR)
    return int(attr.value.data) if isinstance(attr, IntegerAttr) else None


@dataclass
class _Tracked(RewritePattern):
    """Runs `inner` with the matched op's origin as the one new ops inherit; records folded-away ops."""

    inner: RewritePattern
    state: _State

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        attr = op.attributes.get(ORIGIN_ATTR)
        self.state.current = attr if isinstance(attr, IntegerAttr) else None
        self.state.inserted = 0
        producers = [v.owner for v in op.operands if isinstance(v.owner, Operation) and not isinstance(v.owner, ConstOp)]
        self.inner.match_and_rewrite(op, rewriter)
        if rewriter.has_done_action and op.parent is None and not self.state.inserted:
            for p in producers:
                if p.parent is not None and _origin(p) is not None:
                    self.state.fuse(op, p)
                    break
        self.state.current = None


# ---------------------------------------------------------------------------------------------- patterns


@dataclass
class LegalizeConv(RewritePattern):
    """nn.conv2d (+ a following KPU-code pool) -> pad + kpu.fake_conv2d + crop."""

    state: _State

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, Conv2dOp) or fusion_pending(op):
            return  # an activation / affine op after the conv folds into it first (FUSE_CONV_PATTERNS)
        spec = conv_spec(op)
        if isinstance(spec, str):
            return
        if _channel_split(rewriter, op, spec):
            return
        fused = _fusable_pool(op, spec)
        if fused is not None:
            pool_op, code, pool_hw = fused
            spec.pool, spec.pool_hw = code, pool_hw
            plan = plan_conv(spec)
            if isinstance(plan, ConvPlan):
                y = emit_conv(rewriter, op, spec, plan)
                result = pool_op.results[0]
                if shape_of(result) != shape_of(y):
                    reshape = ReshapeOp(y, result.type)
                    rewriter.insert(reshape, _before(op))
                    y = reshape.output
                self.state.fuse(pool_op, op)
                rewriter.replace_all_uses_with(result, y)
                rewriter.erase(pool_op)
                rewriter.erase(op)
                return
            spec.pool, spec.pool_hw = 0, None
        plan = plan_conv(spec)
        if isinstance(plan, ConvPlan):
            y = emit_conv(rewriter, op, spec, plan)
            rewriter.replace_all_uses_with(op.output, y)
            rewriter.erase(op)
            return
        bands = plan_row_bands(op, spec, plan)
        if bands is not None:
            _emit_row_bands(rewriter, op, bands)


@dataclass(frozen=True)
class RowBand:
    """Output rows [out_begin, out_end) of a conv, computed from input rows [in_begin, in_end) with `pad_top` /
    `pad_bottom` zero rows (the conv's own pads at the map's edges, none inside: the halo rows are real)."""

    out_begin: int
    out_end: int
    in_begin: int
    in_end: int
    pad_top: int
    pad_bottom: int


def _fixable_by_bands(errors: list[str]) -> bool:
    return any("height" in e or "KPU RAM" in e for e in errors)


def plan_row_bands(op: Conv2dOp, spec: ConvSpec, errors: list[str]) -> list[RowBand] | None:
    """The fewest (2, 3, ... up to MAX_GROUPS) equal bands of output rows whose convs are each KPU-legal, when
    the conv breaks a height or KPU RAM rule; None when no such split exists."""
    if not _fixable_by_bands(errors):
        return None
    _, c, h, w = shape_of(op.input)
    _, _, oh, ow = shape_of(op.output)
    kh = shape_of(op.weight)[2]
    s = ints(op.strides)[0]
    pt, pl, _, _ = ints(op.pads)
    for parts in range(2, min(oh, MAX_GROUPS) + 1):
        ranges = _balanced(oh, parts)
        if len(ranges) != parts:
            continue
        bands: list[RowBand] = []
        for i0, i1 in ranges:
            first, end = s * i0 - pt, s * (i1 - 1) - pt + kh
            r0, r1 = max(0, first), min(h, end)
            if r1 <= r0:
                break
            band = ConvSpec([], spec.weight, spec.bias, spec.depthwise, spec.strides, (r0 - first, pl), (i1 - i0, ow),
                            spec.act, shape=(1, c, r1 - r0, w))  # fmt: skip
            if not isinstance(plan_conv(band), ConvPlan):
                break
            bands.append(RowBand(i0, i1, r0, r1, r0 - first, end - r1))
        else:
            return bands
    return None


def _emit_row_bands(rewriter: PatternRewriter, op: Conv2dOp, bands: list[RowBand]) -> None:
    """One nn.conv2d per band on an nn.slice of its input rows (then legalized one by one), concatenated on H."""
    n, c, _, w = shape_of(op.input)
    _, o, _, ow = shape_of(op.output)
    _, pl, _, pr = ints(op.pads)
    parts: list[SSAValue] = []
    for b in bands:
        rows = SliceOp(op.input, _f32((n, c, b.in_end - b.in_begin, w)), [0, 0, b.in_begin, 0], [n, c, b.in_end, w])
        conv = Conv2dOp(rows.output, op.weight, op.bias, _f32((n, o, b.out_end - b.out_begin, ow)), ints(op.strides),
                        (b.pad_top, pl, b.pad_bottom, pr), (1, 1), op.group_count, op.act)  # fmt: skip
        rewriter.insert(rows, _before(op))
        rewriter.insert(conv, _before(op))
        parts.append(conv.output)
    concat = ConcatOp(parts, op.output.type, 2)
    rewriter.insert(concat, _before(op))
    rewriter.replace_all_uses_with(op.output, concat.output)
    rewriter.erase(op)


def global_pool_code(op: Operation) -> int | None:
    """KPU pool code of a global mean/max over H and W of a 2x2 or 4x4 float map (nn.reduce_mean / reduce_max
    over axes 2, 3, or an unpadded pool whose window is the whole map), or None."""
    if isinstance(op, ReduceMeanOp | ReduceMaxOp):
        if op.axis_values() != (2, 3):
            return None
        kind = "mean" if isinstance(op, ReduceMeanOp) else "max"
    elif isinstance(op, MaxPool2dOp | AvgPool2dOp):
        s = shape_of(op.input)
        if len(s) != 4 or ints(op.kernel) != s[2:] or ints(op.pads) != (0, 0, 0, 0):
            return None
        if isinstance(op, MaxPool2dOp) and ints(op.dilations) != (1, 1):
            return None
        kind = "max" if isinstance(op, MaxPool2dOp) else "mean"
    else:
        return None
    if not _is_f32(op.operands[0]):
        return None
    s = shape_of(op.operands[0])
    if len(s) != 4 or s[2] != s[3]:
        return None
    return _GLOBAL_POOL.get((kind, s[2]))


def pool_code_of(op: Operation) -> int | None:
    """The KPU pool code an nn pool / global reduction computes exactly, or None."""
    if isinstance(op, MaxPool2dOp | AvgPool2dOp):
        code = _kpu_pool_code(op)
        if code is not None:
            return code
    return global_pool_code(op)


def _fusable_pool(op: Conv2dOp, spec: ConvSpec) -> tuple[Operation, int, tuple[int, int]] | None:
    if spec.depthwise or spec.strides != (1, 1) or not op.output.has_one_use():
        return None
    user = next(iter(op.output.uses)).operation
    code = pool_code_of(user)
    if code is None or code == 0:
        return None
    _, _, h, w = shape_of(op.output)
    return user, code, pool_output_size(code, h, w)


def _identity_spec(x: SSAValue, act: ActivationAttr | None = None, pool: int = 0) -> ConvSpec:
    _, c, h, w = shape_of(x)
    if pool:
        weight = np.eye(c, dtype=np.float32).reshape(c, c, 1, 1)
        return ConvSpec(
            [x], weight, np.zeros(c, np.float32), False, (1, 1), (0, 0), (h, w), act, pool, pool_output_size(pool, h, w)
        )
    return ConvSpec([x], np.ones((c, 1, 1, 1), np.float32), np.zeros(c, np.float32), True, (1, 1), (0, 0), (h, w), act)


def kpu_activation(op: Operation) -> ActivationAttr | str:
    """The fused-activation form of a standalone activation op the KPU can apply, or why not."""
    if isinstance(op, PReluOp):
        act = activation_of(op)
        if act is None:
            return "PReLU with per-channel slopes: the KPU has one activation table per layer, not per channel"
        return act
    if not isinstance(op, UnaryOp):
        return f"{op.name} has no KPU form"
    act = activation_of(op)
    if act is None:
        return f"{op.name} has no KPU form"
    if act.kind.data not in KPU_ACTIVATIONS:
        return f"{act.kind.data} is not piecewise linear (KPU activations: {', '.join(KPU_ACTIVATIONS[1:])})"
    return act


def _affine_spec(op: Operation) -> ConvSpec | str | None:
    """Depthwise 1x1 form of batch norm / per-channel add, sub, mul (None: not such an op)."""
    if isinstance(op, BatchNormOp):
        arrays = [_const_array(v) for v in (op.scale, op.bias, op.mean, op.var)]
        if any(a is None for a in arrays):
            return "batch norm statistics must be constants"
        gamma, beta, mean, var = (np.asarray(a, np.float64) for a in arrays)
        s = gamma / np.sqrt(var + op.epsilon_value)
        rule = _map_rule(op.input)
        if rule is not None:
            return rule
        x, scale, shift = op.input, s, beta - mean * s
    elif isinstance(op, AddOp | SubOp | MulOp):
        for xi, ci in ((0, 1), (1, 0)):
            x, cv = op.operands[xi], _const_array(op.operands[ci])
            if cv is None or _map_rule(x) is not None or op.output.type != x.type:
                continue
            vec = per_channel_vector(cv, shape_of(x))
            if vec is None:
                continue
            c = vec.shape[0]
            if isinstance(op, MulOp):
                scale, shift = vec, np.zeros(c)
            elif isinstance(op, AddOp):
                scale, shift = np.ones(c), vec
            elif xi == 0:
                scale, shift = np.ones(c), -vec
            else:
                scale, shift = -np.ones(c), vec
            break
        else:
            return None
    else:
        return None
    _, c, h, w = shape_of(x)
    weight = np.asarray(scale, np.float32).reshape(c, 1, 1, 1)
    return ConvSpec([x], weight, np.asarray(shift, np.float32), True, (1, 1), (0, 0), (h, w))


def _residual_add_spec(op: Operation) -> tuple[SSAValue, SSAValue] | None:
    if not isinstance(op, AddOp):
        return None
    a, b = op.lhs, op.rhs
    if a.type != b.type or a.type != op.output.type or _map_rule(a) is not None:
        return None
    if _const_array(a) is not None or _const_array(b) is not None:
        return None
    return a, b


@dataclass
class LegalizeStandalone(RewritePattern):
    """Activations, per-channel affine ops, KPU-code pools and residual adds -> 1x1 fake convs."""

    kpu_add: bool

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        plan = plan_standalone(op, self.kpu_add)
        if plan is None or isinstance(plan, str):
            return
        inputs: list[SSAValue] = list(plan.inputs)
        if plan.pre_pad is not None:
            mode, pads = plan.pre_pad
            n, c, h, w = shape_of(inputs[0])
            out = _f32((n, c, h + pads[2] + pads[6], w + pads[3] + pads[7]))
            pad = PadOp(inputs[0], out, pads, mode, 0.0 if mode == "constant" else None)
            rewriter.insert(pad, _before(op))
            inputs = [pad.output]
        y = emit_chain(rewriter, op, plan.chain, inputs)
        result = op.results[0]
        if shape_of(result) != shape_of(y):
            reshape = ReshapeOp(y, result.type)
            rewriter.insert(reshape, _before(op))
            y = reshape.output
        rewriter.replace_all_uses_with(result, y)
        rewriter.erase(op)


def standalone_spec(op: Operation, kpu_add: bool = True) -> ConvSpec | str | None:
    """The 1x1 fake conv computing a non-conv op, the rule it breaks, or None when it is not such an op."""
    if isinstance(op, FakeConv2dOp | Conv2dOp | ConstOp) or not op.operands or is_data_movement(op):
        return None
    if not op.name.startswith("nn."):
        return None
    affine = _affine_spec(op)
    if affine is not None:
        return affine
    pair = _residual_add_spec(op) if kpu_add else None
    if pair is not None:
        _, c, h, w = shape_of(pair[0])
        eye = np.eye(c, dtype=np.float32)
        weight = np.concatenate([eye, eye], axis=1).reshape(c, 2 * c, 1, 1)
        return ConvSpec(list(pair), weight, np.zeros(c, np.float32), False, (1, 1), (0, 0), (h, w))
    x = op.operands[0]
    rule = _map_rule(x)
    code = pool_code_of(op)
    if code is not None:
        if rule is not None:
            return rule
        return _identity_spec(x, pool=code) if code else _identity_spec(x)
    if isinstance(op, MaxPool2dOp | AvgPool2dOp):
        k, s, p = ints(op.kernel), ints(op.strides), ints(op.pads)
        return (
            f"{'max' if isinstance(op, MaxPool2dOp) else 'avg'} pool {k[0]}x{k[1]} stride {s[0]}x{s[1]} pads {list(p)}"
            " is not a KPU pool (2x2/s2, 4x4/s4 max or mean, 2x2/s1 same max, on the map as is)"
        )
    if isinstance(op, ReduceMeanOp | ReduceMaxOp):
        dims = "x".join(map(str, shape_of(x)))
        return f"{op.name} over axes {list(op.axis_values())} of {dims}: KPU pools reduce H and W of one NCHW map only"
    act = kpu_activation(op)
    if isinstance(act, str):
        return act
    if rule is not None:
        return rule
    return _identity_spec(x, act)


# ---------------------------------------------------------------------------------------------- standalone plans


@dataclass
class StandalonePlan:
    """How a non-conv op runs on the KPU: an optional `nn.pad` (mode, pads) of its first input, then `chain`."""

    inputs: list[SSAValue]
    pre_pad: tuple[str, list[int]] | None
    chain: ChainPlan


def _global_pool(op: Operation) -> tuple[str, SSAValue] | None:
    """("mean" | "max", input) of a global mean/max over H and W of a float [1, C, H, W] map, else None."""
    if isinstance(op, ReduceMeanOp | ReduceMaxOp):
        if op.axis_values() != (2, 3):
            return None
        kind = "mean" if isinstance(op, ReduceMeanOp) else "max"
    elif isinstance(op, MaxPool2dOp | AvgPool2dOp):
        s = shape_of(op.input)
        if len(s) != 4 or ints(op.kernel) != s[2:] or ints(op.pads) != (0, 0, 0, 0):
            return None
        if isinstance(op, MaxPool2dOp) and ints(op.dilations) != (1, 1):
            return None
        kind = "max" if isinstance(op, MaxPool2dOp) else "mean"
    else:
        return None
    x = op.operands[0]
    return None if _map_rule(x) is not None else (kind, x)


def global_pool_windows(h: int, w: int) -> list[int]:
    """The KPU pool windows (4 while more than 2 rows/columns are left, then 2) that take an HxW map to 1x1."""
    n, wins = max(h, w), list[int]()
    while n > 1:
        win = 4 if n > 2 else 2
        wins.append(win)
        n = -(-n // win)
    return wins


def _identity_pool_spec(c: int, hw: tuple[int, int], code: int, scale: float = 1.0) -> ConvSpec:
    win, q = POOL_GEOMETRY[code]
    del win
    weight = (np.eye(c, dtype=np.float64) * scale).astype(np.float32).reshape(c, c, 1, 1)
    out = (-(-hw[0] // q), -(-hw[1] // q))
    return ConvSpec([], weight, np.zeros(c, np.float32), False, (1, 1), (0, 0), hw, None, code, out, shape=(1, c, *hw))


def _global_pool_plan(op: Operation) -> StandalonePlan | str | None:
    """A global mean/max over a map other than 2x2 / 4x4 as a chain of KPU pools (see the module docstring)."""
    g = _global_pool(op)
    if g is None or global_pool_code(op) is not None:
        return None
    kind, x = g
    _, c, h, w = shape_of(x)
    if h * w == 1:
        return None
    wins = global_pool_windows(h, w)
    identity_bytes = c * c * len(wins)
    if identity_bytes > MAX_GLOBAL_POOL_IDENTITY_BYTES:
        return (
            f"global {kind} over {h}x{w} would take {len(wins)} KPU identity layers carrying {identity_bytes} weight "
            f"bytes (> {MAX_GLOBAL_POOL_IDENTITY_BYTES}): cheaper on the CPU ({c * h * w} values)"
        )
    total = int(np.prod(wins))
    pre_pad: tuple[str, list[int]] | None = None
    if kind == "max":  # replicated edge rows/columns never change a maximum; zeros could
        hw = (total, total)
        if hw != (h, w):
            pre_pad = ("edge", [0, 0, 0, 0, 0, 0, total - h, total - w])
    else:  # zeros add nothing to a sum: the chain sums over total x total and the first stage rescales
        hw = (h, w)
    specs: list[ConvSpec] = []
    for i, win in enumerate(wins):
        scale = total * total / (h * w) if kind == "mean" and i == 0 else 1.0
        spec = _identity_pool_spec(c, hw, _GLOBAL_POOL[(kind, win)], scale)
        specs.append(spec)
        assert spec.pool_hw is not None
        hw = spec.pool_hw
    chain = plan_chain(specs)
    if isinstance(chain, list):
        return f"global {kind} over {h}x{w} as {len(wins)} chained KPU pools: " + "; ".join(chain)
    return StandalonePlan([x], pre_pad, chain)


def _padded_pool_plan(op: Operation) -> StandalonePlan | str | None:
    """A 2x2/s2 or 4x4/s4 max pool with pads (< the window) -> nn.pad with edge values + the KPU pool code (a
    replicated edge value shares a window with the value it copies, so maxima are unchanged); an average pool
    counting its pads the same with zeros."""
    if not isinstance(op, MaxPool2dOp | AvgPool2dOp):
        return None
    k, s, p = ints(op.kernel), ints(op.strides), ints(op.pads)
    if not any(p) or k != s or k[0] != k[1] or k[0] not in (2, 4) or max(p) >= k[0]:
        return None
    if isinstance(op, MaxPool2dOp):
        if ints(op.dilations) != (1, 1):
            return None
        kind, mode = "max", "edge"
    else:
        if not op.include_pad or op.ceil_pad_values != (0, 0):
            return None
        kind, mode = "mean", "constant"
    x = op.input
    if _map_rule(x) is not None or not _is_f32(op.output):
        return None
    _, c, h, w = shape_of(x)
    hp, wp = h + p[0] + p[2], w + p[1] + p[3]
    code = _GLOBAL_POOL[(kind, k[0])]
    if pool_output_size(code, hp, wp) != shape_of(op.output)[2:]:
        return None
    chain = plan_chain([_identity_pool_spec(c, (hp, wp), code)])
    if isinstance(chain, list):
        return "; ".join(chain)
    return StandalonePlan([x], (mode, [0, 0, p[0], p[1], 0, 0, p[2], p[3]]), chain)


def _channel_pad_add_spec(op: Operation) -> ConvSpec | None:
    """`y + pad_channels(x)` (zeros before/after the channels of x, nothing else) -> a dense 1x1 fake conv on
    concat(y, x) with weight [I E], E putting channel j of x on output channel j + pad_before (BlazeFace)."""
    if not isinstance(op, AddOp) or op.lhs.type != op.rhs.type or op.output.type != op.lhs.type:
        return None
    for y, padded in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
        pad = padded.owner
        if not isinstance(pad, PadOp) or pad.mode.data != "constant" or pad.pad_value != 0.0:
            continue
        p = ints(pad.pads)
        if len(p) != 8 or any(p[i] for i in (0, 2, 3, 4, 6, 7)) or _map_rule(pad.input) is not None:
            continue
        if _map_rule(y) is not None or _const_array(y) is not None or _const_array(pad.input) is not None:
            continue
        _, o, h, w = shape_of(y)
        ci = shape_of(pad.input)[1]
        weight = np.zeros((o, o + ci, 1, 1), np.float32)
        weight[np.arange(o), np.arange(o)] = 1.0
        weight[p[1] + np.arange(ci), o + np.arange(ci)] = 1.0
        return ConvSpec([y, pad.input], weight, np.zeros(o, np.float32), False, (1, 1), (0, 0), (h, w))
    return None


def plan_standalone(op: Operation, kpu_add: bool = True) -> StandalonePlan | str | None:
    """How a non-conv op runs on the KPU, the rule it breaks, or None when it is not such an op."""
    if isinstance(op, FakeConv2dOp | Conv2dOp | ConstOp) or not op.operands or is_data_movement(op):
        return None
    if not op.name.startswith("nn."):
        return None
    for special in (_global_pool_plan, _padded_pool_plan):
        plan = special(op)
        if plan is not None:
            return plan
    if kpu_add:
        padded = _channel_pad_add_spec(op)
        if padded is not None:
            chain = plan_chain([padded])
            if isinstance(chain, ChainPlan):
                return StandalonePlan(padded.inputs, None, chain)
    spec = standalone_spec(op, kpu_add)
    if spec is None or isinstance(spec, str):
        return spec
    chain = plan_chain([spec])
    if isinstance(chain, list):
        return "; ".join(chain)
    return StandalonePlan(spec.inputs, None, chain)


# ---------------------------------------------------------------------------------------------- report


def explain(op: Operation, kpu_add: bool = True) -> str:
    """Why `op` (an nn op left after legalization) runs on the CPU: the first KPU rule it breaks."""
    if isinstance(op, Conv2dOp):
        spec = conv_spec(op)
        if isinstance(spec, str):
            return spec
        plan = plan_conv(spec)
        if isinstance(plan, ConvPlan):
            return "not rewritten"
        tried = f" (also in 2..{MAX_GROUPS} row bands)" if _fixable_by_bands(plan) else ""
        return "; ".join(plan) + tried
    plan = plan_standalone(op, kpu_add)
    if isinstance(plan, str):
        return plan
    if plan is None:
        if is_data_movement(op):
            return "data movement"
        if isinstance(op, AddOp):
            return "add of a broadcast or constant operand (not a per-channel constant)"
        return f"{op.name} has no KPU form"
    return "not rewritten"


def _functions(module: ModuleOp) -> list[func.FuncOp]:
    return [op for op in module.ops if isinstance(op, func.FuncOp)]


def _source_ops(module: ModuleOp) -> list[Operation]:
    """The ops the report lists: every op of every function but constants and terminators, in program order."""
    out: list[Operation] = []
    for f in _functions(module):
        for block in f.body.blocks:
            for op in block.ops:
                if not isinstance(op, ConstOp | func.ReturnOp):
                    out.append(op)
    return out


def _display_name(op: Operation) -> str:
    for r in op.results:
        if r.name_hint:
            return f"%{r.name_hint}"
    return "-"


def _describe_kpu(ops: list[FakeConv2dOp]) -> str:
    counts: dict[str, int] = {}
    for op in ops:
        k = op.kernel_size
        text = f"{k}x{k}{' depthwise' if op.is_depthwise else ''}"
        if op.pool_code:
            text += f" pool {op.pool.data.value}"
        if op.activation != "none":
            text += f" act {op.activation}"
        counts[text] = counts.get(text, 0) + 1
    return "fake_conv2d " + ", ".join(text if n == 1 else f"{n}x {text}" for text, n in counts.items())


def legalize(module: ModuleOp, kpu_add: bool = True) -> Report:
    """Run kpu-legalize on `module` in place; the placement of every op of the input."""
    sources = _source_ops(module)
    rows: list[PlacementRow] = []
    for i, op in enumerate(sources):
        op.attributes[ORIGIN_ATTR] = IntegerAttr(i, i64)
        rows.append(PlacementRow(i, _display_name(op), op.name, macs(op)))
    state = _State()
    patterns: list[RewritePattern] = [
        *_decomposition_patterns(),
        *FUSE_CONV_PATTERNS,
        LegalizeConv(state),
        LegalizeStandalone(kpu_add),
    ]
    tracked: list[RewritePattern] = [_Tracked(p, state) for p in patterns]
    listener = PatternRewriterListener(operation_insertion_handler=[state.tag])
    PatternRewriteWalker(GreedyRewritePatternApplier(tracked), listener=listener).rewrite_module(module)

    kpu_parts: dict[int, list[FakeConv2dOp]] = {}
    cpu_parts: dict[int, list[Operation]] = {}
    for op in list(module.walk()):
        origin = _origin(op)
        if origin is None:
            continue
        del op.attributes[ORIGIN_ATTR]
        if isinstance(op, FakeConv2dOp):
            kpu_parts.setdefault(origin, []).append(op)
        elif not isinstance(op, ConstOp | func.ReturnOp):
            cpu_parts.setdefault(origin, []).append(op)
    for row in rows:
        kpu, cpu = kpu_parts.get(row.index, []), cpu_parts.get(row.index, [])
        # data movement next to KPU parts is glue, not a CPU placement; compute ops explain a CPU placement
        compute = [op for op in cpu if not is_data_movement(op)]
        cpu = compute if kpu else compute or cpu
        if kpu and cpu:
            cpu_macs = min(row.macs, sum(macs(op) for op in cpu))
            row.placement, row.kpu_macs = "KPU+CPU", row.macs - cpu_macs
            row.detail = f"{_describe_kpu(kpu)}; CPU {cpu[0].name}: {explain(cpu[0], kpu_add)}"
        elif kpu:
            row.placement, row.kpu_macs, row.detail = "KPU", row.macs, _describe_kpu(kpu)
        elif cpu:
            row.placement, row.detail = "CPU", explain(cpu[0], kpu_add)
        elif row.index in state.fused_into:
            row.placement, row.fused_into = "fused", state.fused_into[row.index]
        else:
            row.placement, row.detail = "removed", "unused"
    by_index = {r.index: r for r in rows}
    for row in rows:  # fused ops count where the op they went into runs
        target = row.fused_into
        seen: set[int] = set()
        while target is not None and by_index[target].fused_into is not None and target not in seen:
            seen.add(target)
            target = by_index[target].fused_into
        if target is not None:
            host = by_index[target]
            row.placement = "KPU" if host.placement in ("KPU", "KPU+CPU") else "CPU"
            row.kpu_macs = row.macs if row.placement == "KPU" else 0
    return Report(rows)


def placement_report(module: ModuleOp, kpu_add: bool = True) -> Report:
    """The placement kpu-legalize would choose for `module` (which is not modified)."""
    return legalize(module.clone(), kpu_add)


@dataclass(frozen=True)
class KpuLegalizePass(ModulePass):
    """Put every KPU-capable op on the KPU as kpu.fake_conv2d (+ pad/crop glue); the rest stays on the CPU."""

    name = "kpu-legalize"
    report: bool = False  # print the placement report to stderr
    kpu_add: bool = True  # residual adds as concat + [I I] 1x1 fake conv

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        result = legalize(op, self.kpu_add)
        if self.report:
            sys.stderr.write(result.text())
