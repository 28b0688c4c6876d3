"""`decompose-large-kernel`: an nn.conv2d whose kernel is not 1x1 / 3x3 -> a sum of 3x3 / 1x1 convs on shifted views.

Tiling. Per dimension the K taps are cut into chunks: full chunks of 3 taps at 0, 3, 6, ...; a remainder of 1 tap is
a 1-tap chunk, a remainder of 2 taps a 3-tap chunk with one zero tap; K = 2 is one 3-tap chunk with a zero tap.
Each pair (row chunk, column chunk) is one tile; the KPU only has square kernels, so a tile is 3x3 when either chunk
has 3 taps (a 1-tap chunk is then embedded at the offset whose pads come out the most symmetric) and 1x1
otherwise. 5x5 -> 4 tiles of 3x3; 7x7 -> 4 3x3 + 4 3x3 (3x1 / 1x3 embedded) + 1 1x1; 1x5 -> 2 3x3; 2x2 / 1x3 /
3x1 -> one 3x3 tile (no sum). A tile starting at tap t reads input `o*s + t + b - p` (b = 0..2, p the begin pad):
its own begin pad is `p - t`, or an nn.slice of the input when that is negative; its end pad follows from the
output size. Tiles that read only padding are dropped. The tile convs keep stride and groups (depthwise 5x5 stays
depthwise); the first tile carries the bias, the others a zero bias; they are summed with `nn.add` and the fused
activation follows the sum as a standalone op (with one tile, bias and activation stay fused).

Cost model (decide per conv; `cost-model=false` decomposes every eligible conv). The spec files give no KPU or CPU
throughput figures, so these are stated estimates, in CPU cycles at the same 400 MHz clock:

* KPU layer: `KPU_LAYER_CYCLES` (argument push, weight / BN / activation table DMA, interrupt) plus
  `in_pixels * C_in * C_out / groups / KPU_CHANNEL_PAIRS_PER_CYCLE`: the KPU computes all taps of a 3x3 window at
  once, so a 1x1 and a 3x3 layer cost the same per pixel and channel pair;
* CPU float conv: `MACs * CPU_CYCLES_PER_MAC`; CPU data movement `CPU_CYCLES_PER_MOVE` per element: one gather
  of the tile's (padded) input when it needs an nn.slice and/or the nn.pad `kpu-legalize` adds around a tile
  whose pads are not symmetric "same" (a slice followed by a pad is one copy, counted once), and the crop of
  the output of such a tile;
  CPU nn.add / standalone activation `CPU_CYCLES_PER_ELEMENTWISE` per element.

The conv is decomposed when the sum over tiles of KPU time + CPU movement, plus the adds and the activation, is
below the CPU time of the original conv, and every tile fits the KPU's practical map sizes (4..256 x 4..512 in and
out). Dilated convs are left to `decompose-dilated-conv` (its phase convs come back here). Only float32 convs with
constant weights are rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

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
from kcc.k210.limits import MAX_HEIGHT_PRACTICAL, MAX_WIDTH_PRACTICAL, MIN_SPATIAL
from kcc.passes.kpu_decompositions import Emitter, Window, all_f32, constant_f32, has_activation, window

__all__ = [
    "CPU_CYCLES_PER_ELEMENTWISE",
    "CPU_CYCLES_PER_MAC",
    "CPU_CYCLES_PER_MOVE",
    "KPU_CHANNEL_PAIRS_PER_CYCLE",
    "KPU_LAYER_CYCLES",
    "DecomposeLargeKernel",
    "DecomposeLargeKernelPass",
    "Tile",
    "patterns",
    "plan_tiles",
]

KPU_LAYER_CYCLES = 2000
KPU_CHANNEL_PAIRS_PER_CYCLE = 64
CPU_CYCLES_PER_MAC = 4.0
CPU_CYCLES_PER_MOVE = 2.0
CPU_CYCLES_PER_ELEMENTWISE = 4.0


@dataclass(frozen=True)
class _Chunk:
    """Original taps [lo, hi) of one dimension, covered by a tile of `size` taps."""

    lo: int
    hi: int
    size: int


def _chunks(kernel: int) -> list[_Chunk]:
    if kernel <= 3:
        return [_Chunk(0, kernel, 1 if kernel == 1 else 3)]
    out = [_Chunk(a, a + 3, 3) for a in range(0, kernel - kernel % 3, 3)]
    rest = kernel % 3
    if rest:
        out.append(_Chunk(kernel - rest, kernel, 1 if rest == 1 else 3))
    return out


@dataclass(frozen=True)
class _Placement:
    start: int  # first tap of the tile, in original tap coordinates
    window: Window


def _place(chunk: _Chunk, tile: int, size_in: int, stride: int, pad: int, out: int) -> _Placement | None:
    """Where a tile of `tile` taps covering `chunk` starts, choosing the most symmetric pads; None: reads only padding."""
    best: tuple[tuple[int, int, int], _Placement | None] | None = None
    for start in range(chunk.hi - tile, chunk.lo + 1):
        w = window(size_in, start - pad, 1, (out - 1) * stride + tile)
        if w is None:
            score = (0, 0, 0)
        else:
            native = w.pad_begin == w.pad_end and w.is_identity(size_in) and stride == 1
            score = (0 if native else 1, abs(w.pad_begin - w.pad_end) + (w.end - w.start != size_in), abs(start - chunk.lo))
        placement = None if w is None else _Placement(start, w)
        if best is None or score < best[0]:
            best = (score, placement)
    assert best is not None
    return best[1]


@dataclass(frozen=True)
class Tile:
    """One tile conv: its weight, input windows (rows, columns)."""

    weight: np.ndarray
    rows: Window
    cols: Window

    @property
    def native(self) -> bool:
        """Reads the whole input with symmetric pads (no slice, no pad + crop needed around it)."""
        return self.rows.pad_begin == self.rows.pad_end and self.cols.pad_begin == self.cols.pad_end


def plan_tiles(
    weight: np.ndarray, in_hw: tuple[int, int], strides: tuple[int, int], pads: tuple[int, int], out_hw: tuple[int, int]
) -> list[Tile]:
    """The tiles of a conv with this weight (taps of all-padding tiles dropped)."""
    kh, kw = weight.shape[2:]
    tiles: list[Tile] = []
    for ch, cw in product(_chunks(kh), _chunks(kw)):
        size = max(ch.size, cw.size)
        ph = _place(ch, size, in_hw[0], strides[0], pads[0], out_hw[0])
        pw = _place(cw, size, in_hw[1], strides[1], pads[1], out_hw[1])
        if ph is None or pw is None:
            continue
        tw = np.zeros((*weight.shape[:2], size, size), np.float32)
        rows, cols = slice(ch.lo - ph.start, ch.hi - ph.start), slice(cw.lo - pw.start, cw.hi - pw.start)
        tw[:, :, rows, cols] = weight[:, :, ch.lo : ch.hi, cw.lo : cw.hi]
        tiles.append(Tile(tw, ph.window, pw.window))
    return tiles


def _kpu_fits(h: int, w: int) -> bool:
    return MIN_SPATIAL <= h <= MAX_HEIGHT_PRACTICAL and MIN_SPATIAL <= w <= MAX_WIDTH_PRACTICAL


def decomposition_is_cheaper(op: Conv2dOp, tiles: list[Tile]) -> bool:
    """The cost model of the module docstring."""
    n, c, h, w = shape_of(op.input)
    _, o, oh, ow = shape_of(op.output)
    kh, kw = shape_of(op.weight)[2:]
    g = op.group_count
    out_elems = n * o * oh * ow
    cpu = out_elems * (c // g) * kh * kw * CPU_CYCLES_PER_MAC
    cost = (len(tiles) - 1) * out_elems * CPU_CYCLES_PER_ELEMENTWISE
    if has_activation(op.act) and len(tiles) > 1:
        cost += out_elems * CPU_CYCLES_PER_ELEMENTWISE
    for t in tiles:
        th = len(range(t.rows.start, t.rows.end, t.rows.step)) + t.rows.pad_begin + t.rows.pad_end
        tw = len(range(t.cols.start, t.cols.end, t.cols.step)) + t.cols.pad_begin + t.cols.pad_end
        if not (_kpu_fits(th, tw) and _kpu_fits(oh, ow)):
            return False
        cost += n * (KPU_LAYER_CYCLES + th * tw * c * o / g / KPU_CHANNEL_PAIRS_PER_CYCLE)
        if not (t.native and t.rows.is_identity(h) and t.cols.is_identity(w)):
            cost += n * c * th * tw * CPU_CYCLES_PER_MOVE  # slice and/or pad: one gather of the tile's input
        if not t.native:
            cost += out_elems * CPU_CYCLES_PER_MOVE  # the crop after the fake conv
    return cost < cpu


@dataclass
class DecomposeLargeKernel(RewritePattern):
    """nn.conv2d with a kernel other than 1x1 / 3x3 (dilation 1) -> sum of 3x3 / 1x1 tile convs."""

    cost_model: bool = True

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: Conv2dOp, rewriter: PatternRewriter, /) -> None:
        if ints(op.dilations) != (1, 1) or not all_f32([op.input, op.bias, op.output]):
            return
        weight = constant_f32(op.weight)
        if weight is None or weight.shape[2:] in ((1, 1), (3, 3)):
            return
        _, _, h, w = shape_of(op.input)
        _, _, oh, ow = shape_of(op.output)
        sh, sw = ints(op.strides)
        pt, pl, _, _ = ints(op.pads)
        tiles = plan_tiles(weight, (h, w), (sh, sw), (pt, pl), (oh, ow))
        if not tiles or (self.cost_model and not decomposition_is_cheaper(op, tiles)):
            return
        e = Emitter()
        fused = len(tiles) == 1
        o = weight.shape[0]
        outs: list[SSAValue] = []
        for i, t in enumerate(tiles):
            outs.append(
                e.conv(
                    e.slice_hw(op.input, t.rows, t.cols),
                    t.weight,
                    op.bias if i == 0 else e.zero_bias(o),
                    strides=(sh, sw),
                    pads=(t.rows.pad_begin, t.cols.pad_begin, t.rows.pad_end, t.cols.pad_end),
                    groups=op.group_count,
                    act=op.act if fused else None,
                )
            )
        y = e.sum(outs)
        if not fused:
            y = e.activation(y, op.act)
        y.name_hint = op.output.name_hint
        rewriter.replace(op, e.ops, [y])


def patterns(cost_model: bool = True) -> list[RewritePattern]:
    return [DecomposeLargeKernel(cost_model)]


@dataclass(frozen=True)
class DecomposeLargeKernelPass(ModulePass):
    """Rewrite float nn.conv2d with kernels other than 1x1 / 3x3 as sums of 3x3 / 1x1 convs, where cheaper."""

    name = "decompose-large-kernel"
    cost_model: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns(self.cost_model))).rewrite_module(op)
