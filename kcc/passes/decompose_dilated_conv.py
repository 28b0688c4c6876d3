"""`decompose-dilated-conv`: a dilated nn.conv2d -> dilation-1 nn.conv2d ops on strided views, interleaved.

The KPU has no dilation. nncase rewrites a dilated conv as SpaceToBatch + conv + BatchToSpace, whose middle conv
runs on a batch of `d*d` maps; `kpu.fake_conv2d` takes batch 1 only (its input is `[1, C, H, W]`), so here the
batch is never formed: each output phase is its own batch-1 conv over a strided slice of the input (the slice
SpaceToBatch would have put in that batch entry), and the phases are interleaved back (DepthToSpace, the
batch-1 form of BatchToSpace). Same MACs as the dilated conv; the data movement is one strided slice per phase
plus one concat + depth_to_space.

Per spatial dimension (input size H, kernel K, stride s, dilation d, begin pad p, output size OH), with
g = gcd(s, d): the outputs split into m = d / g phases `o = m*q + j`, and output `o` reads input
`o*s - p + k*d = d*(q*(s/g) + k) + j*s - p`, so phase j is a conv with kernel K, dilation 1 and stride s/g over
the view `x[j*s - p + d*u]` (u = 0, 1, ...). Positions of the view outside the input become the phase conv's own
(possibly asymmetric) zero pads; `kpu-legalize` makes those KPU-legal. Every phase computes Q = ceil(OH / m)
outputs, so the phases have one shape; the interleaved map is cropped (nn.slice) to OH. With s = d (g = d) there is
one phase: the dilated conv is a stride-1 conv on the sub-sampled input.

Bias and fused activation stay on every phase conv: each output pixel belongs to exactly one phase, so they are
applied once per pixel, as before. Only float32 convs with constant weights are rewritten (quantized convs and
convs with computed weights are left alone). A phase whose view is entirely padding is the constant bias (then the
activation).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

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

from kcc.dialects.nn.base import ints, shape_of
from kcc.dialects.nn.conv import Conv2dOp
from kcc.passes.kpu_decompositions import Emitter, Window, all_f32, constant_f32, window

__all__ = ["DecomposeDilatedConv", "DecomposeDilatedConvPass", "patterns"]


@dataclass(frozen=True)
class _Phases:
    """One dimension of the phase split: m phases, stride of each phase conv, outputs per phase, windows."""

    stride: int
    per_phase: int
    windows: list[Window | None]  # None: the phase reads only padding


def _split(size: int, kernel: int, stride: int, dilation: int, pad: int, out: int) -> _Phases:
    g = gcd(stride, dilation)
    m, s2 = dilation // g, stride // g
    q = -(-out // m)
    count = (q - 1) * s2 + kernel
    return _Phases(s2, q, [window(size, j * stride - pad, dilation, count) for j in range(m)])


class DecomposeDilatedConv(RewritePattern):
    """nn.conv2d with dilations != [1, 1] -> per-phase dilation-1 nn.conv2d + interleave + crop."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: Conv2dOp, rewriter: PatternRewriter, /) -> None:
        dh, dw = ints(op.dilations)
        if (dh, dw) == (1, 1) or not all_f32([op.input, op.bias, op.output]):
            return
        if constant_f32(op.weight) is None:
            return
        n, _, h, w = shape_of(op.input)
        o, _, kh, kw = shape_of(op.weight)
        sh, sw = ints(op.strides)
        pt, pl, _, _ = ints(op.pads)
        _, _, oh, ow = shape_of(op.output)
        rows = _split(h, kh, sh, dh, pt, oh)
        cols = _split(w, kw, sw, dw, pl, ow)
        e = Emitter()
        constant_phase: SSAValue | None = None
        phases: list[list[SSAValue]] = []
        for wr in rows.windows:
            line: list[SSAValue] = []
            for wc in cols.windows:
                if wr is None or wc is None:
                    if constant_phase is None:
                        bias = constant_f32(op.bias)
                        if bias is None:
                            return
                        fill = np.broadcast_to(bias.reshape(1, o, 1, 1), (n, o, rows.per_phase, cols.per_phase))
                        constant_phase = e.activation(e.const(fill), op.act)
                    line.append(constant_phase)
                    continue
                conv = e.conv(
                    e.slice_hw(op.input, wr, wc),
                    op.weight,
                    op.bias,
                    strides=(rows.stride, cols.stride),
                    pads=(wr.pad_begin, wc.pad_begin, wr.pad_end, wc.pad_end),
                    groups=op.group_count,
                    act=op.act,
                )
                line.append(conv)
            phases.append(line)
        full = e.interleave(phases)
        result = e.slice(full, [0, 0, 0, 0], [n, o, oh, ow])
        result.name_hint = op.output.name_hint
        rewriter.replace(op, e.ops, [result])


def patterns() -> list[RewritePattern]:
    return [DecomposeDilatedConv()]


@dataclass(frozen=True)
class DecomposeDilatedConvPass(ModulePass):
    """Rewrite dilated float nn.conv2d (constant weights) as dilation-1 convs per output phase, interleaved."""

    name = "decompose-dilated-conv"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns())).rewrite_module(op)
