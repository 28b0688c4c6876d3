"""`decompose-conv-transpose`: nn.conv_transpose2d -> one stride-1 nn.conv2d per output phase, interleaved.

Two KPU-able forms exist for a transposed conv with stride s:

* zero insertion: put s-1 zeros between input pixels, then one stride-1 conv with the flipped kernel. s*s times
  the MACs of the transposed conv (all but one in s*s taps multiply an inserted zero), on an s*s times bigger map;
* sub-pixel (phase) decomposition, used here: the output pixels `o = s*q + r` of phase r only receive the kernel
  taps k with `k*d = r + p (mod s)` (p the begin pad, d the dilation), and read input `q + (r + p - k*d) / s`.
  So phase r is a stride-1 conv of the *input* with the sub-kernel of those taps, reversed (dilation d / gcd(s, d),
  usually 1). Exactly the MACs of the transposed conv, maps of the input's size; cheaper in every case, so it is
  the form chosen.

Per dimension: Q = ceil(OH / s) outputs per phase (so all phases have one shape); the positions a phase conv reads
outside the input become its zero pads (or an nn.slice of the input when it starts past 0 / ends early). The
s*s phase maps are interleaved (`nn.concat` + `nn.depth_to_space` DCR when the strides are equal, reshape + concat
otherwise) and cropped with `nn.slice` to the output size, which accounts for pads and output_padding. A phase with
no tap (kernel smaller than the stride) or reading only padding is the constant bias (then the activation).

The ONNX weight `[C_in, C_out/groups, KH, KW]` becomes the conv weight `[C_out, C_in/groups, KH, KW]` per group,
so any groups work (groups = 1 and depthwise included). Bias and fused activation go on every phase conv: each
output pixel belongs to exactly one phase, so they are applied once per pixel. Sub-kernels larger than 3x3
(kernel > 3s) are left to `decompose-large-kernel`, dilated ones to `decompose-dilated-conv` (both run in the same
greedy walk inside `kpu-legalize`). Only float32 ops with constant weights are rewritten.
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
from kcc.dialects.nn.conv import ConvTranspose2dOp
from kcc.passes.kpu_decompositions import Emitter, Window, all_f32, constant_f32, window

__all__ = ["DecomposeConvTranspose", "DecomposeConvTransposePass", "conv_weight", "patterns"]


def conv_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """ONNX ConvTranspose weight [C_in, C_out/g, KH, KW] -> conv layout [C_out, C_in/g, KH, KW] (taps not flipped)."""
    cin, og, kh, kw = weight.shape
    cg = cin // groups
    return weight.reshape(groups, cg, og, kh, kw).transpose(0, 2, 1, 3, 4).reshape(groups * og, cg, kh, kw)


@dataclass(frozen=True)
class _Phase:
    """One phase of one dimension: the taps (already reversed: conv order), their dilation, the input window."""

    taps: list[int]
    dilation: int
    window: Window | None  # None: no tap, or only padding is read


def _phases(size: int, kernel: int, stride: int, dilation: int, pad: int, per_phase: int) -> list[_Phase]:
    sub_dilation = dilation // gcd(stride, dilation)
    out: list[_Phase] = []
    for r in range(stride):
        taps = [k for k in range(kernel) if (r + pad - k * dilation) % stride == 0]
        if not taps:
            out.append(_Phase([], 1, None))
            continue
        first = (r + pad - taps[-1] * dilation) // stride
        d = sub_dilation if len(taps) > 1 else 1
        count = per_phase + (len(taps) - 1) * d
        out.append(_Phase(taps[::-1], d, window(size, first, 1, count)))
    return out


class DecomposeConvTranspose(RewritePattern):
    """nn.conv_transpose2d -> per-phase stride-1 nn.conv2d + interleave + crop."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ConvTranspose2dOp, rewriter: PatternRewriter, /) -> None:
        if not all_f32([op.input, op.bias, op.output]):
            return
        weight_t = constant_f32(op.weight)
        if weight_t is None:
            return
        bias = constant_f32(op.bias)
        n, _, h, w = shape_of(op.input)
        _, o, oh, ow = shape_of(op.output)
        sh, sw = ints(op.strides)
        dh, dw = ints(op.dilations)
        pt, pl, _, _ = ints(op.pads)
        groups = op.group_count
        weight = conv_weight(weight_t, groups)
        kh, kw = weight.shape[2:]
        qh, qw = -(-oh // sh), -(-ow // sw)
        rows = _phases(h, kh, sh, dh, pt, qh)
        cols = _phases(w, kw, sw, dw, pl, qw)
        e = Emitter()
        constant_phase: SSAValue | None = None
        grid: list[list[SSAValue]] = []
        for pr in rows:
            line: list[SSAValue] = []
            for pc in cols:
                if pr.window is None or pc.window is None:
                    if constant_phase is None:
                        if bias is None:
                            return
                        fill = np.broadcast_to(bias.reshape(1, o, 1, 1), (n, o, qh, qw))
                        constant_phase = e.activation(e.const(fill), op.act)
                    line.append(constant_phase)
                    continue
                sub = weight[:, :, pr.taps][:, :, :, pc.taps]
                line.append(
                    e.conv(
                        e.slice_hw(op.input, pr.window, pc.window),
                        sub,
                        op.bias,
                        pads=(pr.window.pad_begin, pc.window.pad_begin, pr.window.pad_end, pc.window.pad_end),
                        dilations=(pr.dilation, pc.dilation),
                        groups=groups,
                        act=op.act,
                    )
                )
            grid.append(line)
        full = e.interleave(grid)
        result = e.slice(full, [0, 0, 0, 0], [n, o, oh, ow])
        result.name_hint = op.output.name_hint
        rewriter.replace(op, e.ops, [result])


def patterns() -> list[RewritePattern]:
    return [DecomposeConvTranspose()]


@dataclass(frozen=True)
class DecomposeConvTransposePass(ModulePass):
    """Rewrite float nn.conv_transpose2d (constant weights) as stride-1 nn.conv2d per output phase, interleaved."""

    name = "decompose-conv-transpose"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns())).rewrite_module(op)
