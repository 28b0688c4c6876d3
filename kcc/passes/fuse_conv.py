"""`fuse-conv`: fold the per-channel affine ops and the activation that follow a conv into the conv itself.

Producers: `nn.conv2d` (any groups, so depthwise too), `nn.conv_transpose2d` and `nn.fully_connected`, whose
output channel axis is 1 (NCHW / [N, O]). A producer absorbs, one op at a time and in any order:

* `nn.add` / `nn.sub` of a per-output-channel constant (either operand order): the bias becomes
  `bias + c`, `bias - c`, or `c - bias` with the weights negated;
* `nn.mul` by a per-output-channel constant (either order) and `nn.div` by one (constant divisor without zeros):
  weights and bias are scaled per output channel;
* `nn.batch_norm` with constant operands (the ONNX Conv -> BatchNormalization pair; TFLite graphs whose batch
  norm was not folded by the converter show up as the mul + add pair above):
  `s = scale / sqrt(var + epsilon)`, `weight *= s`, `bias = (bias - mean) * s + beta`;
* then one activation into the producer's `act` property: `nn.relu`, `nn.clamp` with both bounds (relu6 and any
  `[a, b]`; a clamp with only `min 0.0` is a relu), `nn.leaky_relu`, `nn.sigmoid`, `nn.tanh`, `nn.hard_sigmoid`,
  `nn.hard_swish`, and `nn.prelu` whose constant slope is one value (a leaky relu). Affine ops are folded only
  while the producer has no activation: after one, nothing more folds into it.

A constant is per output channel when its shape, aligned to the output's rank, is 1 everywhere except on the
channel axis, where it is 1 or C: `[C, 1, 1]`, `[1, C, 1, 1]`, `[1]` or a scalar for a conv; `[C]` or `[1, C]` for a
fully connected layer. A constant that varies over batch or space (`[1, 1, H, W]`), or that would broadcast the
output to a bigger shape, is left alone.

Conditions. Every value involved is float (a quantized producer, constant or result stops fusion: their scales
are chosen later by `quantize` on the fused graph); the producer's weight and bias are `nn.const`; the
producer's result has exactly one user (otherwise the unfused value is still needed and nothing changes).

Numerics: the new weights and bias are computed in float64 from the stored values, then rounded once to the
weight's element type (float32). The fused program equals the original within float32 rounding of the folded
parameters (checked ≤ 1e-5 relative in the tests).

What stays: an `nn.batch_norm` that does not follow a producer (a standalone one is lowered later by
`kpu-legalize` as a depthwise 1x1 conv), ops with non-constant or non-per-channel operands, anything after an
activation. Pools are not fused here: `nn.conv2d` has no pool field. `kpu-legalize` fuses a following
`nn.max_pool2d` / `nn.avg_pool2d` into `kpu.fake_conv2d` when `kcc.passes.kpu_pool_match.kpu_pool_type`
recognises it as one of the KPU pool codes.

The rewrite is local and each step removes one op, so the greedy driver reaches a fixpoint: a second run
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint

from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import shape_of
from kcc.dialects.nn.const import ConstOp, const_from_numpy
from kcc.dialects.nn.conv import BatchNormOp, Conv2dOp, ConvTranspose2dOp, FullyConnectedOp
from kcc.dialects.nn.elementwise import (
    AddOp,
    BinaryOp,
    ClampOp,
    DivOp,
    HardSigmoidOp,
    HardSwishOp,
    LeakyReluOp,
    MulOp,
    PReluOp,
    ReluOp,
    SigmoidOp,
    SubOp,
    TanhOp,
    UnaryOp,
)
from kcc.dialects.nn.types import is_float

Producer = Conv2dOp | ConvTranspose2dOp | FullyConnectedOp
F64 = np.ndarray

CHANNEL_AXIS = 1


def _const(value: SSAValue) -> ConstOp | None:
    owner = value.owner
    return owner if isinstance(owner, ConstOp) and is_float(value.type) else None


def _has_activation(op: Producer) -> bool:
    return op.act is not None and op.act.kind.data != "none"


def fusable_producer(value: SSAValue) -> Producer | None:
    """The conv / fully connected op defining `value` if something after it may fold into it."""
    op = value.owner
    if not isinstance(op, Conv2dOp | ConvTranspose2dOp | FullyConnectedOp):
        return None
    if not value.has_one_use() or _has_activation(op):
        return None
    if not all(is_float(v.type) for v in (*op.operands, op.output)):
        return None
    if _const(op.weight) is None or _const(op.bias) is None:
        return None
    return op


def per_channel_vector(array: np.ndarray, out_shape: tuple[int, ...]) -> F64 | None:
    """`array` as one float64 value per output channel, if it broadcasts along the channel axis only."""
    rank = len(out_shape)
    if array.ndim > rank:
        return None
    aligned = (1,) * (rank - array.ndim) + tuple(array.shape)
    channels = out_shape[CHANNEL_AXIS]
    for axis, d in enumerate(aligned):
        if d != 1 and not (axis == CHANNEL_AXIS and d == channels):
            return None
    v = np.asarray(array, dtype=np.float64).reshape(aligned[CHANNEL_AXIS])
    return np.broadcast_to(v, (channels,)).copy()


def scale_output_channels(op: Producer, weight: np.ndarray, scale: F64) -> F64:
    """The weight (float64) with output channel `o` multiplied by `scale[o]`."""
    w = weight.astype(np.float64)
    if isinstance(op, ConvTranspose2dOp):
        # [C_in, C_out/groups, KH, KW]: output channel g * og + j is column j of input-channel group g
        g = op.group_count
        cin, og = w.shape[0], w.shape[1]
        grouped = w.reshape(g, cin // g, og, *w.shape[2:]) * scale.reshape(g, 1, og, *(1,) * (w.ndim - 2))
        return grouped.reshape(w.shape)
    return w * scale.reshape(-1, *(1,) * (w.ndim - 1))


def _replace_const(rewriter: PatternRewriter, op: Producer, old: SSAValue, value: F64) -> SSAValue:
    """A new `nn.const` of `value` (cast to `old`'s type) inserted before `op`; `old` is erased when unused after."""
    old_const = old.owner
    assert isinstance(old_const, ConstOp)
    new = const_from_numpy(value.astype(old_const.to_numpy().dtype), old.type)
    new.output.name_hint = old.name_hint
    rewriter.insert(new, InsertPoint.before(op))
    return new.output


def _erase_if_unused(rewriter: PatternRewriter, values: list[SSAValue]) -> None:
    """Erase the `nn.const` ops among `values`' owners that lost their last user (each once)."""
    seen: list[Operation] = []
    for v in values:
        owner = v.owner
        if isinstance(owner, ConstOp) and owner not in seen and not owner.output.uses:
            seen.append(owner)
            rewriter.erase(owner)


def fold_affine(rewriter: PatternRewriter, op: Producer, consumer: Operation, scale: F64 | None, shift: F64 | None) -> None:
    """Make `op` compute `op * scale + shift` (per output channel) and let it replace `consumer`."""
    weight = _const(op.weight)
    bias = _const(op.bias)
    assert weight is not None and bias is not None
    old_operands = list(op.operands)
    b = bias.to_numpy().astype(np.float64)
    new_weight = op.weight
    if scale is not None:
        new_weight = _replace_const(rewriter, op, op.weight, scale_output_channels(op, weight.to_numpy(), scale))
        b = b * scale
    if shift is not None:
        b = b + shift
    new_bias = _replace_const(rewriter, op, op.bias, b)
    op.operands = (op.input, new_weight, new_bias)
    rewriter.notify_op_modified(op)
    dropped = [v for v in consumer.operands if v is not op.output]
    rewriter.replace_all_uses_with(consumer.results[0], op.output)
    rewriter.erase(consumer)
    _erase_if_unused(rewriter, [*old_operands[1:], *dropped])


@dataclass
class FoldBinaryConstant(RewritePattern):
    """conv +-*/ per-channel constant -> conv with new weights / bias."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, AddOp | SubOp | MulOp | DivOp):
            return
        binary: BinaryOp = op
        for conv_side, const_side in ((0, 1), (1, 0)):
            producer = fusable_producer(binary.operands[conv_side])
            const = _const(binary.operands[const_side])
            if producer is None or const is None or binary.output.type != producer.output.type:
                continue
            c = per_channel_vector(const.to_numpy(), shape_of(producer.output))
            if c is None:
                continue
            plan = _affine_of(binary, c, conv_first=conv_side == 0)
            if plan is None:
                continue
            fold_affine(rewriter, producer, binary, *plan)
            return


def _affine_of(op: BinaryOp, c: F64, conv_first: bool) -> tuple[F64 | None, F64 | None] | None:
    """(scale, shift) with `op(conv, c) = conv * scale + shift`, or None when it is not affine in the conv."""
    if isinstance(op, AddOp):
        return None, c
    if isinstance(op, SubOp):
        return (None, -c) if conv_first else (-np.ones_like(c), c)
    if isinstance(op, MulOp):
        return c, None
    if isinstance(op, DivOp) and conv_first and np.all(c != 0) and np.all(np.isfinite(1.0 / c)):
        return 1.0 / c, None
    return None


class FoldBatchNorm(RewritePattern):
    """conv -> nn.batch_norm with constant statistics -> conv with scaled weights and shifted bias."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: BatchNormOp, rewriter: PatternRewriter) -> None:
        producer = fusable_producer(op.input)
        if producer is None or op.output.type != producer.output.type:
            return
        consts = [_const(v) for v in (op.scale, op.bias, op.mean, op.var)]
        if any(c is None for c in consts):
            return
        gamma, beta, mean, var = (c.to_numpy().astype(np.float64) for c in consts if c is not None)
        s = gamma / np.sqrt(var + op.epsilon_value)
        if not np.all(np.isfinite(s)):
            return
        fold_affine(rewriter, producer, op, s, beta - mean * s)


def activation_of(op: UnaryOp | PReluOp) -> ActivationAttr | None:
    """The `#nn.act` equivalent of an activation op, or None."""
    if isinstance(op, ReluOp):
        return ActivationAttr("relu")
    if isinstance(op, ClampOp):
        lo, hi = op.bounds
        if lo is not None and hi is not None:
            return ActivationAttr("clamp", (lo, hi))
        if lo == 0.0 and hi is None:
            return ActivationAttr("relu")
        return None
    if isinstance(op, LeakyReluOp):
        return ActivationAttr("leaky_relu", (op.alpha_value,))
    if isinstance(op, SigmoidOp):
        return ActivationAttr("sigmoid")
    if isinstance(op, TanhOp):
        return ActivationAttr("tanh")
    if isinstance(op, HardSigmoidOp):
        return ActivationAttr("hard_sigmoid", (op.alpha_value, op.beta_value))
    if isinstance(op, HardSwishOp):
        return ActivationAttr("hard_swish")
    if isinstance(op, PReluOp):
        slope = _const(op.slope)
        if slope is None:
            return None
        values = np.unique(slope.to_numpy().astype(np.float64))
        if values.size != 1:
            return None
        return ActivationAttr("leaky_relu", (float(values[0]),))
    return None


class FuseActivation(RewritePattern):
    """activation(conv) -> conv with `act`."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, UnaryOp | PReluOp):
            return
        producer = op.operands[0].owner
        if not isinstance(producer, Conv2dOp | ConvTranspose2dOp | FullyConnectedOp):
            return
        if not producer.output.has_one_use() or _has_activation(producer):
            return
        result = op.results[0]
        if result.type != producer.output.type or not is_float(result.type):
            return
        if not all(is_float(v.type) for v in producer.operands):
            return
        act = activation_of(op)
        if act is None:
            return
        producer.act = act
        rewriter.notify_op_modified(producer)
        dropped = list(op.operands[1:])
        rewriter.replace_all_uses_with(result, producer.output)
        rewriter.erase(op)
        _erase_if_unused(rewriter, dropped)


def fusion_pending(op: Operation) -> bool:
    """True when the one user of `op`'s result is an op the patterns below fold into `op` (so a pass that
    rewrites `op` itself, like kpu-legalize, should let the fusion happen first)."""
    if not isinstance(op, Conv2dOp | ConvTranspose2dOp | FullyConnectedOp) or fusable_producer(op.output) is None:
        return False
    user = next(iter(op.output.uses)).operation
    if isinstance(user, UnaryOp | PReluOp):
        return user.results[0].type == op.output.type and activation_of(user) is not None
    if isinstance(user, BatchNormOp):
        return (
            user.input == op.output
            and user.output.type == op.output.type
            and all(_const(v) is not None for v in (user.scale, user.bias, user.mean, user.var))
        )
    if isinstance(user, AddOp | SubOp | MulOp | DivOp):
        for conv_side, const_side in ((0, 1), (1, 0)):
            const = _const(user.operands[const_side])
            if user.operands[conv_side] != op.output or const is None or user.output.type != op.output.type:
                continue
            c = per_channel_vector(const.to_numpy(), shape_of(op.output))
            if c is not None and _affine_of(user, c, conv_first=conv_side == 0) is not None:
                return True
    return False


FUSE_CONV_PATTERNS: tuple[RewritePattern, ...] = (FoldBinaryConstant(), FoldBatchNorm(), FuseActivation())


@dataclass(frozen=True)
class FuseConvPass(ModulePass):
    """Fold per-channel add/sub/mul/div, batch norm and one activation into the conv / fully connected op before them."""

    name = "fuse-conv"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(list(FUSE_CONV_PATTERNS))).rewrite_module(op)


__all__ = [
    "FUSE_CONV_PATTERNS",
    "FuseConvPass",
    "activation_of",
    "fusable_producer",
    "per_channel_vector",
    "scale_output_channels",
]
