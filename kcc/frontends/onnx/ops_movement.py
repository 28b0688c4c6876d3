"""ONNX data movement: Concat, Split, Squeeze, Unsqueeze, Transpose, Pad, Slice.

Opset-dependent operands (all must be constants: kcc compiles static graphs):

* Split: sizes from attribute `split` (< 13) or input 1 (>= 13); without them, equal parts over the outputs, or
  from opset 18 `num_outputs` parts of `ceil(dim / num_outputs)` (the last one smaller).
* Squeeze / Unsqueeze: `axes` attribute (< 13) or input 1 (>= 13); Squeeze without axes drops every 1.
  Both become `nn.reshape`.
* Transpose: `perm` defaults to the reversed dimensions; the identity permutation emits nothing.
* Pad: attributes `pads` / `mode` / `value` (< 11) or inputs `pads`, `constant_value` and, from 18, `axes`.
  Modes constant, reflect, edge and (opset 19) wrap. Negative pads crop (`nn.slice` first).
* Slice: attributes `starts` / `ends` / `axes` (< 10) or inputs starts, ends, axes, steps (>= 10). Bounds are
  clamped as ONNX does (negative counts from the end, INT_MAX means the end).

Empty results (a Slice or a Split part of size 0) are constants: an empty tensor has no values to compute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from kcc.dialects.nn.movement import ConcatOp, PadOp, SliceOp, SplitOp, TransposeOp
from kcc.dialects.nn.types import is_quantized, numpy_dtype
from kcc.frontends.onnx.builder import NodeContext, tensor_type
from kcc.frontends.onnx.ops_shape import reshape_to
from kcc.frontends.onnx.registry import converter


def _ints(value: object) -> list[int]:
    return [int(v) for v in np.asarray(value).reshape(-1)]


def _axis(ctx: NodeContext, axis: int, rank: int, what: str = "axis") -> int:
    if not -rank <= axis < rank:
        raise ctx.error(f"{what} {axis} is out of range for rank {rank}")
    return axis % rank


@converter("Concat")
def _concat(ctx: NodeContext) -> None:
    idx = [i for i in range(ctx.n_inputs) if ctx.has_input(i)]
    if not idx:
        raise ctx.error("Concat needs at least one input")
    if not ctx.has_attr("axis"):
        raise ctx.error("attribute 'axis' is required")
    rank = len(ctx.input_shape(idx[0]))
    axis = _axis(ctx, ctx.attr_int("axis", 0), rank)
    # Empty inputs add nothing along the axis.
    idx = [i for i in idx if ctx.input_shape(i)[axis] != 0] or idx[:1]
    if len(idx) == 1:
        ctx.set_output(0, ctx.input(idx[0]))
        return
    op = ConcatOp([ctx.input(i) for i in idx], ctx.output_type_like(0, idx[0]), axis)
    ctx.set_output(0, ctx.emit(op).output)


def _split_sizes(ctx: NodeContext, dim: int) -> list[int]:
    n = ctx.n_outputs
    sizes = ctx.attr_or_input("split", 1, since=13, default=None)
    if sizes is not None and len(_ints(sizes)) > 0:
        sizes = _ints(sizes)
        if len(sizes) != n:
            raise ctx.error(f"split {sizes} has {len(sizes)} sizes for {n} outputs")
        if sum(sizes) != dim or any(s < 0 for s in sizes):
            raise ctx.error(f"split sizes {sizes} must be non-negative and add up to the dimension {dim}")
        return sizes
    if ctx.since_version >= 18 and ctx.has_attr("num_outputs"):
        parts = ctx.attr_int("num_outputs", n)
        if parts != n or parts <= 0:
            raise ctx.error(f"num_outputs {parts} does not match the {n} outputs")
        chunk = -(-dim // parts)
        sizes = [min(chunk, max(0, dim - k * chunk)) for k in range(parts)]
        return sizes
    if dim % n:
        raise ctx.error(f"dimension {dim} does not split into {n} equal parts", hint="give the split sizes")
    return [dim // n] * n


def _empty_output(ctx: NodeContext, i: int, shape: tuple[int, ...]) -> None:
    """Define output `i` as an empty tensor: its shape is all there is to it, so it is a constant."""
    element = ctx.input_element(0)
    if is_quantized(element):
        raise ctx.error(f"output {i} is an empty quantized tensor ({list(shape)}), which kcc cannot represent")
    ctx.set_const_output(i, np.zeros(shape, dtype=numpy_dtype(element)))


@converter("Split")
def _split(ctx: NodeContext) -> None:
    shape = ctx.input_shape(0)
    axis = _axis(ctx, ctx.attr_int("axis", 0), len(shape))
    sizes = _split_sizes(ctx, shape[axis])
    shapes = [tuple(s if d == axis else x for d, x in enumerate(shape)) for s in sizes]
    parts = [i for i, s in enumerate(sizes) if s > 0]
    for i in range(len(sizes)):
        if i not in parts:
            _empty_output(ctx, i, shapes[i])
    if not parts:
        return
    if len(parts) == 1:
        ctx.set_output(parts[0], ctx.input(0))
        return
    element = ctx.input_element(0)
    types = [tensor_type(shapes[i], element) for i in parts]
    op = ctx.emit(SplitOp(ctx.input(0), types, axis, [sizes[i] for i in parts]))
    for i, r in zip(parts, op.outputs, strict=True):
        ctx.set_output(i, r)


@converter("Squeeze")
def _squeeze(ctx: NodeContext) -> None:
    shape = ctx.input_shape(0)
    raw = ctx.attr_or_input("axes", 1, since=13, default=None)
    if raw is None or len(_ints(raw)) == 0:
        axes = {d for d, s in enumerate(shape) if s == 1}
    else:
        axes = {_axis(ctx, a, len(shape), "axes value") for a in _ints(raw)}
        bad = [a for a in sorted(axes) if shape[a] != 1]
        if bad:
            raise ctx.error(f"cannot squeeze axes {bad} of shape {list(shape)}: their size is not 1")
    reshape_to(ctx, tuple(s for d, s in enumerate(shape) if d not in axes))


@converter("Unsqueeze")
def _unsqueeze(ctx: NodeContext) -> None:
    shape = ctx.input_shape(0)
    raw = ctx.attr_or_input("axes", 1, since=13, default=None)
    if raw is None:
        raise ctx.error("axes are required")
    values = _ints(raw)
    rank = len(shape) + len(values)
    axes = sorted({_axis(ctx, a, rank, "axes value") for a in values})
    if len(axes) != len(values):
        raise ctx.error(f"axes {values} repeat an axis")
    dims = iter(shape)
    reshape_to(ctx, tuple(1 if d in axes else next(dims) for d in range(rank)))


@converter("Transpose")
def _transpose(ctx: NodeContext) -> None:
    rank = len(ctx.input_shape(0))
    perm = ctx.attr_ints("perm", list(reversed(range(rank))))
    assert perm is not None
    if sorted(perm) != list(range(rank)):
        raise ctx.error(f"perm {perm} is not a permutation of 0..{rank - 1}")
    if perm == list(range(rank)):
        ctx.set_output(0, ctx.input(0))
        return
    ctx.set_output(0, ctx.emit(TransposeOp(ctx.input(0), ctx.output_type_like(0), perm)).output)


def _slice_value(ctx: NodeContext, begins: Sequence[int], ends: Sequence[int], steps: Sequence[int]) -> None:
    """Emit nn.slice of input 0 with normalized per-dim bounds (or nothing when it keeps everything)."""
    shape = ctx.input_shape(0)
    if list(begins) == [0] * len(shape) and list(ends) == list(shape) and list(steps) == [1] * len(shape):
        ctx.set_output(0, ctx.input(0))
        return
    out = tuple(len(range(b, e, s)) for b, e, s in zip(begins, ends, steps, strict=True))
    if 0 in out:
        _empty_output(ctx, 0, out)
        return
    op = SliceOp(ctx.input(0), tensor_type(out, ctx.input_element(0)), begins, ends, steps)
    ctx.set_output(0, ctx.emit(op).output)


@converter("Slice")
def _slice(ctx: NodeContext) -> None:
    shape = ctx.input_shape(0)
    rank = len(shape)
    if ctx.since_version < 10:
        starts, ends = _ints(ctx.attr("starts", [])), _ints(ctx.attr("ends", []))
        axes_attr = ctx.attr("axes", None)
        axes = list(range(len(starts))) if axes_attr is None else _ints(axes_attr)
        steps = [1] * len(starts)
    else:
        starts, ends = _ints(ctx.const(1, "starts")), _ints(ctx.const(2, "ends"))
        axes = _ints(ctx.const(3, "axes")) if ctx.has_input(3) else list(range(len(starts)))
        steps = _ints(ctx.const(4, "steps")) if ctx.has_input(4) else [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise ctx.error(f"starts {starts}, ends {ends}, axes {axes} and steps {steps} must have the same length")
    begin, end, step = [0] * rank, list(shape), [1] * rank
    seen: set[int] = set()
    for b, e, a, s in zip(starts, ends, axes, steps, strict=True):
        d = _axis(ctx, a, rank, "axes value")
        if d in seen:
            raise ctx.error(f"axes {axes} repeat axis {d}")
        seen.add(d)
        if s == 0:
            raise ctx.error(f"step of axis {a} is 0")
        size = shape[d]
        b = b + size if b < 0 else b
        e = e + size if e < 0 else e
        if s > 0:
            b, e = min(max(b, 0), size), min(max(e, 0), size)
        else:
            b, e = min(max(b, 0), size - 1), min(max(e, -1), size - 1)
        begin[d], end[d], step[d] = b, e, s
    _slice_value(ctx, begin, end, step)


_PAD_MODES = ("constant", "reflect", "edge", "wrap")


@converter("Pad")
def _pad(ctx: NodeContext) -> None:
    shape = ctx.input_shape(0)
    rank = len(shape)
    mode = ctx.attr_str("mode", "constant")
    if mode not in _PAD_MODES:
        raise ctx.error(f"pad mode {mode!r} is not supported", hint="supported: " + ", ".join(_PAD_MODES))
    value = 0.0
    if ctx.since_version < 11:
        raw = ctx.attr_ints("pads", None)
        if raw is None:
            raise ctx.error("attribute 'pads' is required")
        value = ctx.attr_float("value", 0.0)
        axes = list(range(rank))
    else:
        raw = _ints(ctx.const(1, "pads"))
        if ctx.has_input(2):
            cv = np.asarray(ctx.const(2, "constant_value")).reshape(-1)
            if cv.size:
                value = float(cv[0])
        axes = [_axis(ctx, a, rank, "axes value") for a in _ints(ctx.const(3, "axes"))] if ctx.has_input(3) else list(range(rank))
    if len(raw) != 2 * len(axes):
        raise ctx.error(f"pads {raw} must have {2 * len(axes)} values (begins then ends of {len(axes)} axes)")
    if len(set(axes)) != len(axes):
        raise ctx.error(f"axes {axes} repeat an axis")
    begins, ends = [0] * rank, [0] * rank
    for k, d in enumerate(axes):
        begins[d], ends[d] = raw[k], raw[k + len(axes)]
    # Negative pads crop first.
    crop = any(p < 0 for p in begins + ends)
    src = ctx.input(0)
    cur = list(shape)
    if crop:
        lo = [max(0, -p) for p in begins]
        hi = [s - max(0, -p) for s, p in zip(shape, ends, strict=True)]
        if any(h <= lb for lb, h in zip(lo, hi, strict=True)):
            raise ctx.error(f"negative pads {raw} crop the whole input of shape {list(shape)}")
        cur = [h - lb for lb, h in zip(lo, hi, strict=True)]
        src = ctx.emit(SliceOp(src, tensor_type(cur, ctx.input_element(0)), lo, hi)).output
    pads = [max(0, p) for p in begins] + [max(0, p) for p in ends]
    if not any(pads):
        ctx.set_output(0, src)
        return
    if mode == "reflect" and any(max(b, e) > s - 1 for b, e, s in zip(pads[:rank], pads[rank:], cur, strict=True)):
        raise ctx.error(f"reflect pads {pads} must be smaller than the padded dimensions {cur}")
    if mode in ("edge", "wrap") and any(s == 0 for s in cur):
        raise ctx.error(f"{mode} padding of an empty dimension")
    if math.isnan(value) or math.isinf(value):
        raise ctx.error(f"constant_value {value} is not finite")
    out = tensor_type(tuple(s + b + e for s, b, e in zip(cur, pads[:rank], pads[rank:], strict=True)), ctx.input_element(0))
    op = PadOp(src, out, pads, mode, value if mode == "constant" and value != 0.0 else None)
    ctx.set_output(0, ctx.emit(op).output)
