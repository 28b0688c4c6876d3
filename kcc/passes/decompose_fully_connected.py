"""`decompose-fully-connected`: nn.fully_connected / nn.matmul with constant weights -> 1x1 nn.conv2d on a 4x4 map.

The KPU only convolves maps of at least 4x4 (`kcc.k210.limits.MIN_SPATIAL`), with at most 1024 input and output
channels (`MAX_CHANNELS`). The nncase trick, generalized to N rows:

    x [N, K] -> (transpose to [K, N] when N > 1) -> reshape [1, K, N, 1] -> nn.pad with zeros to [1, K, max(N, 4), 4]
      -> 1x1 nn.conv2d with weight [O, K, 1, 1] -> nn.slice [1, O, N, 1] -> reshape (+ transpose) -> [N, O]

Row n of x sits at pixel (n, 0); the padding pixels compute bias-only garbage that the crop drops.
More than 1024 input features: the padded map is split (`nn.split`, balanced groups of at most 1024 channels),
one partial 1x1 conv per group, summed with `nn.add`; the bias goes on the last partial only and the fused
activation moves after the sum (a standalone activation op). More than 1024 output features: balanced output
groups, each its own conv (or sum), joined with `nn.concat` on the channel axis. With one input group the bias and
the activation stay fused in the conv.

`nn.matmul` whose right operand is a constant 1-D or 2-D `[K, O]` matrix becomes `nn.fully_connected` with weight
`B^T` and a zero bias on the left operand flattened to `[M, K]` (reshapes around it), which the rule above then
rewrites. Only float32 ops with constant weight (and bias) are rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from kcc.dialects.nn.base import shape_of
from kcc.dialects.nn.conv import FullyConnectedOp, MatMulOp
from kcc.k210.limits import MAX_CHANNELS, MIN_SPATIAL
from kcc.passes.kpu_decompositions import Emitter, all_f32, constant_f32, f32_tensor, has_activation

__all__ = [
    "DecomposeFullyConnected",
    "DecomposeFullyConnectedPass",
    "MatMulToFullyConnected",
    "balanced_groups",
    "patterns",
]


def balanced_groups(total: int, limit: int = MAX_CHANNELS) -> list[tuple[int, int]]:
    """[start, end) ranges splitting `total` into the fewest groups of at most `limit`, sizes differing by <= 1."""
    count = -(-total // limit)
    base, extra = divmod(total, count)
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(count):
        end = start + base + (1 if i < extra else 0)
        out.append((start, end))
        start = end
    return out


class DecomposeFullyConnected(RewritePattern):
    """nn.fully_connected -> reshape + pad to 4x4 + 1x1 nn.conv2d (split > 1024 channels) + crop + reshape."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: FullyConnectedOp, rewriter: PatternRewriter, /) -> None:
        if not all_f32([op.input, op.output]):
            return
        weight, bias = constant_f32(op.weight), constant_f32(op.bias)
        if weight is None or bias is None:
            return
        n, k = shape_of(op.input)
        o = weight.shape[0]
        e = Emitter()
        x = op.input if n == 1 else e.transpose(op.input, [1, 0])
        x = e.reshape(x, [1, k, n, 1])
        rows = max(n, MIN_SPATIAL)
        x = e.pad(x, [0, 0, 0, 0, 0, 0, rows - n, MIN_SPATIAL - 1])
        in_groups = balanced_groups(k)
        parts = e.split(x, 1, [b - a for a, b in in_groups])
        fused = len(in_groups) == 1
        outs: list[SSAValue] = []
        for o0, o1 in balanced_groups(o):
            bias_value = e.const(bias[o0:o1]) if (o0, o1) != (0, o) else op.bias
            partials = [
                e.conv(
                    part,
                    weight[o0:o1, k0:k1, None, None],
                    bias_value if i == len(in_groups) - 1 else e.zero_bias(o1 - o0),
                    act=op.act if fused else None,
                )
                for i, (part, (k0, k1)) in enumerate(zip(parts, in_groups, strict=True))
            ]
            outs.append(e.sum(partials))
        y = e.slice(e.concat(outs, axis=1), [0, 0, 0, 0], [1, o, n, 1])
        if not fused and has_activation(op.act):
            y = e.activation(y, op.act)
        y = e.reshape(y, [1, o]) if n == 1 else e.transpose(e.reshape(y, [o, n]), [1, 0])
        y.name_hint = op.output.name_hint
        rewriter.replace(op, e.ops, [y])


class MatMulToFullyConnected(RewritePattern):
    """nn.matmul(A, constant B [K, O] or [K]) -> reshape A to [M, K] + nn.fully_connected(B^T, 0) + reshape."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MatMulOp, rewriter: PatternRewriter, /) -> None:
        if not all_f32([op.lhs, op.output]):
            return
        b = constant_f32(op.rhs)
        if b is None or b.ndim not in (1, 2):
            return
        matrix = b.reshape(b.shape[0], -1)
        k, o = matrix.shape
        lhs_shape = shape_of(op.lhs)
        m = prod(lhs_shape[:-1])
        e = Emitter()
        x = e.reshape(op.lhs, [m, k])
        wv = e.const(np.ascontiguousarray(matrix.T))
        fc = FullyConnectedOp(x, wv, e.zero_bias(o), f32_tensor([m, o]))
        e.ops.append(fc)
        y = e.reshape(fc.output, list(shape_of(op.output)))
        y.name_hint = op.output.name_hint
        rewriter.replace(op, e.ops, [y])


def patterns() -> list[RewritePattern]:
    return [MatMulToFullyConnected(), DecomposeFullyConnected()]


@dataclass(frozen=True)
class DecomposeFullyConnectedPass(ModulePass):
    """Rewrite float nn.fully_connected / nn.matmul with constant weights as 1x1 nn.conv2d on a zero-padded 4x4 map."""

    name = "decompose-fully-connected"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns())).rewrite_module(op)
