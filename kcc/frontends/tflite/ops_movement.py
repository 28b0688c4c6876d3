"""TFLite data-movement operators.

On the NHWC values with TFLite's own axes: CONCATENATION (a fused relu / relu6 / relu_n1_to_1 becomes a
clamp after it, as the schema says; litert's kernel refuses any fused activation), TRANSPOSE, PAD, PADV2,
MIRROR_PAD, STRIDED_SLICE, SLICE, SPLIT, SPLIT_V. Wrapped in NHWC <-> NCHW transposes (their nn forms are
NCHW): SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND (4-D only), DEPTH_TO_SPACE (nn mode DCR), SPACE_TO_DEPTH.

Shape operands (perm, paddings, begin / end / strides, sizes, axes, block shapes, crops) must be constants.
CONCATENATION, TRANSPOSE, PAD, PADV2, STRIDED_SLICE, SLICE, SPLIT and SPLIT_V of constants (any dtype, e.g.
int32 shape arithmetic) are computed at import.

STRIDED_SLICE follows TFLite's index rules (strided_slice_logic.h): per dimension the start and stop are
masked, made non-negative by adding the size and clamped ([0, size] going up, [-1, size - 1] going down),
which is exactly `nn.slice`'s normalized form; a shrunk dimension keeps its one index, the (masked) start.
The sparse spec is expanded as TensorFlow does: an ellipsis stands for the dimensions no other entry names,
a new axis inserts a size-1 dimension, trailing dimensions are kept whole. The result is one `nn.slice` of
the input, followed by an `nn.reshape` when dimensions are shrunk or inserted. Refused: empty results
(`nn.slice` never produces one); a shrunk dimension with a negative stride or an index out of range and a
spec naming more dimensions than the input has (litert reads out of bounds); an ellipsis standing for no
dimension (litert then departs from TensorFlow's rule); `offset` with masks, negative values or ends past
the input (litert reads out of bounds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tflite
from xdsl.dialects.builtin import TensorType

from kcc.dialects.nn.movement import (
    BatchToSpaceOp,
    ConcatOp,
    DepthToSpaceOp,
    PadOp,
    ReshapeOp,
    SliceOp,
    SpaceToBatchOp,
    SpaceToDepthOp,
    SplitOp,
    TransposeOp,
)
from kcc.dialects.nn.types import QuantType
from kcc.frontends.tflite.builder import OpContext
from kcc.frontends.tflite.ops_elementwise import apply_activation, constant_inputs, expect_real, fold_outputs
from kcc.frontends.tflite.registry import converter


def _ints(ctx: OpContext, i: int, what: str) -> list[int]:
    """The values of constant integer input `i`, flattened."""
    v = ctx.const_input(i, what)
    if v.dtype.kind not in "iu":
        raise ctx.error(f"{what} (input #{i}) must hold integers, got {v.dtype}")
    return [int(d) for d in v.reshape(-1)]


def _scalar(ctx: OpContext, i: int, what: str) -> int:
    values = _ints(ctx, i, what)
    if len(values) != 1:
        raise ctx.error(f"{what} (input #{i}) must hold one value, got {len(values)}")
    return values[0]


def _axis(ctx: OpContext, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise ctx.error(f"axis {axis} is out of range for rank {rank}", hint=f"use -{rank} .. {rank - 1}")
    return axis % rank


def _result(ctx: OpContext, shape: list[int] | tuple[int, ...], i: int = 0) -> TensorType:
    """Output `i`'s element type on `shape` (kcc computes result shapes itself)."""
    return TensorType(ctx.output_type(i).element_type, list(shape))


# ---------------------------------------------------------------------------------------------------- concat


@converter("CONCATENATION")
def convert_concatenation(ctx: OpContext) -> None:
    """CONCATENATION along `axis` (negative counts from the end) of any number of inputs."""
    if ctx.num_inputs < 1:
        raise ctx.error("expects at least one input")
    shapes = [ctx.input_shape(i) for i in range(ctx.num_inputs)]
    rank = len(shapes[0])
    axis = _axis(ctx, int(ctx.option("axis", 0)), rank)
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != rank or any(a != b for d, (a, b) in enumerate(zip(s, shapes[0], strict=True)) if d != axis):
            raise ctx.error(f"input #{i} shape {list(s)} does not match input #0 shape {list(shapes[0])} outside axis {axis}")
    consts = constant_inputs(ctx)
    if consts is not None:
        fold_outputs(ctx, np.concatenate(consts, axis=axis), activation=True)
        return
    expect_real(ctx, *range(ctx.num_inputs))
    shape = list(shapes[0])
    shape[axis] = sum(s[axis] for s in shapes)
    y = ctx.emit(ConcatOp([ctx.input(i) for i in range(ctx.num_inputs)], _result(ctx, shape), axis))
    ctx.set_output(0, apply_activation(ctx, y))


# ---------------------------------------------------------------------------------------------------- transpose


@converter("TRANSPOSE")
def convert_transpose(ctx: OpContext) -> None:
    """TRANSPOSE by the constant `perm` (input 1)."""
    ctx.expect_inputs(2)
    shape = ctx.input_shape(0)
    perm = _ints(ctx, 1, "perm")
    if sorted(perm) != list(range(len(shape))):
        raise ctx.error(f"perm {perm} is not a permutation of 0..{len(shape) - 1}")
    consts = constant_inputs(ctx)
    if consts is not None:
        fold_outputs(ctx, np.transpose(consts[0], perm))
        return
    expect_real(ctx, 0)
    ctx.set_output(0, ctx.emit(TransposeOp(ctx.input(0), _result(ctx, [shape[p] for p in perm]), perm)))


# ---------------------------------------------------------------------------------------------------- pad


def _paddings(ctx: OpContext, rank: int) -> list[int]:
    """The constant [rank, 2] paddings (input 1) as nn pads: all begins, then all ends."""
    values = _ints(ctx, 1, "paddings")
    if len(values) != 2 * rank:
        raise ctx.error(f"paddings hold {len(values)} values; a rank-{rank} input needs [{rank}, 2] = {2 * rank}")
    pairs = np.asarray(values).reshape(rank, 2)
    if (pairs < 0).any():
        raise ctx.error(f"paddings {pairs.tolist()} must not be negative")
    return [int(p) for p in pairs[:, 0]] + [int(p) for p in pairs[:, 1]]


def _padded(ctx: OpContext, pads: list[int]) -> TensorType:
    shape = ctx.input_shape(0)
    r = len(shape)
    return _result(ctx, [s + pads[d] + pads[r + d] for d, s in enumerate(shape)])


def _pad_value(ctx: OpContext) -> float:
    """PADV2's constant value (input 2) as a real number (quantized: read with the output's quantization,
    as TFLite copies its stored integer into the output)."""
    v = ctx.const_input(2, "constant value")
    if v.size != 1:
        raise ctx.error(f"the constant value (input #2) must hold one value, got {v.size}")
    raw = v.reshape(-1)[0]
    et = ctx.output_type(0).element_type
    if isinstance(et, QuantType):
        return (int(raw) - et.zp_value) * et.scale_value
    return float(raw)


@converter("PAD", "PADV2")
def convert_pad(ctx: OpContext) -> None:
    """PAD (zeros: the zero point when quantized) and PADV2 (a constant fill value, input 2)."""
    ctx.expect_inputs(2) if ctx.name == "PAD" else ctx.expect_inputs(2, 3)
    pads = _paddings(ctx, len(ctx.input_shape(0)))
    consts = constant_inputs(ctx)
    if consts is not None:
        r = consts[0].ndim
        fill = consts[2].reshape(-1)[0] if len(consts) > 2 else 0
        fold_outputs(ctx, np.pad(consts[0], [(pads[d], pads[r + d]) for d in range(r)], constant_values=fill))
        return
    expect_real(ctx, 0)
    value = _pad_value(ctx) if ctx.has_input(2) else None
    ctx.set_output(0, ctx.emit(PadOp(ctx.input(0), _padded(ctx, pads), pads, "constant", value)))


_MIRROR_MODES = {
    tflite.MirrorPadMode.REFLECT: ("REFLECT", "reflect", 1),
    tflite.MirrorPadMode.SYMMETRIC: ("SYMMETRIC", "symmetric", 0),
}


@converter("MIRROR_PAD")
def convert_mirror_pad(ctx: OpContext) -> None:
    """MIRROR_PAD: REFLECT (without the edge, pads <= size - 1) or SYMMETRIC (with it, pads <= size)."""
    ctx.expect_inputs(2)
    expect_real(ctx, 0)
    code = int(ctx.option("mode", 0))
    if code not in _MIRROR_MODES:
        raise ctx.error(f"unknown mirror pad mode {code}", hint="REFLECT (0) or SYMMETRIC (1)")
    name, mode, edge = _MIRROR_MODES[code]
    shape = ctx.input_shape(0)
    pads = _paddings(ctx, len(shape))
    for d, size in enumerate(shape):
        b, e = pads[d], pads[len(shape) + d]
        if max(b, e) > size - edge:
            raise ctx.error(
                f"{name} padding of dimension {d} (size {size}) allows at most {size - edge} per side, got {b} and {e}"
            )
    ctx.set_output(0, ctx.emit(PadOp(ctx.input(0), _padded(ctx, pads), pads, mode)))


# ---------------------------------------------------------------------------------------------------- slices


@dataclass
class _Dim:
    """One dimension of the dense strided-slice spec: an input dimension (`axis`) or a new axis (None)."""

    axis: int | None
    begin: int = 0
    end: int = 0
    stride: int = 1
    begin_masked: bool = True
    end_masked: bool = True
    shrink: bool = False


def _dense_spec(ctx: OpContext, rank: int, begin: list[int], end: list[int], strides: list[int]) -> list[_Dim]:
    """TensorFlow's sparse -> dense expansion of a strided-slice spec over a rank-`rank` input."""
    opt = ctx.options
    begin_mask, end_mask = int(opt.get("begin_mask", 0)), int(opt.get("end_mask", 0))
    ellipsis_mask, new_axis_mask = int(opt.get("ellipsis_mask", 0)), int(opt.get("new_axis_mask", 0))
    shrink_mask = int(opt.get("shrink_axis_mask", 0))
    n = len(begin)
    ellipses = [i for i in range(n) if ellipsis_mask >> i & 1]
    if len(ellipses) > 1:
        raise ctx.error(f"ellipsis_mask {ellipsis_mask:#b} marks {len(ellipses)} ellipses; at most one is allowed")
    named = sum(1 for i in range(n) if not (ellipsis_mask >> i & 1) and not (new_axis_mask >> i & 1))
    if named > rank:
        raise ctx.error(f"the slice spec names {named} dimensions of a rank-{rank} input")
    if ellipses and named == rank:
        raise ctx.error(
            f"the ellipsis stands for no dimension (the other entries name all {rank}); TFLite's kernel then"
            " does not follow TensorFlow's rule",
            hint="drop the ellipsis from the slice",
        )
    dims: list[_Dim] = []
    axis = 0
    for i in range(n):
        if ellipsis_mask >> i & 1:
            for _ in range(rank - named):
                dims.append(_Dim(axis))
                axis += 1
        elif new_axis_mask >> i & 1:
            dims.append(_Dim(None))
        else:
            masked = (bool(begin_mask >> i & 1), bool(end_mask >> i & 1), bool(shrink_mask >> i & 1))
            dims.append(_Dim(axis, begin[i], end[i], strides[i], *masked))
            axis += 1
    while axis < rank:  # dimensions after the spec are kept whole
        dims.append(_Dim(axis))
        axis += 1
    return dims


def _bounds(ctx: OpContext, d: _Dim, size: int) -> tuple[int, int, int]:
    """(start, stop, step) of one input dimension, normalized as nn.slice wants them."""
    assert d.axis is not None
    s = d.stride
    if s == 0:
        raise ctx.error(f"stride of dimension {d.axis} is 0")
    start = d.begin + size if d.begin < 0 else d.begin
    if d.begin_masked:
        start = 0 if s > 0 else size - 1
    if d.shrink:  # one index: TFLite takes the (masked) start, and reads out of bounds for a negative stride
        if s < 0:
            raise ctx.error(f"shrunk dimension {d.axis} has a negative stride {s}", hint="TFLite's kernel gives garbage here")
        if not 0 <= start < size:
            raise ctx.error(f"shrunk dimension {d.axis} (size {size}) has index {d.begin}, out of range")
        return start, start + 1, 1
    start = min(max(start, 0), size) if s > 0 else min(max(start, -1), size - 1)
    if d.end_masked:
        stop = size if s > 0 else -1
    else:
        stop = d.end + size if d.end < 0 else d.end
        stop = min(max(stop, 0), size) if s > 0 else min(max(stop, -1), size - 1)
    return start, stop, s


def _slice_and_reshape(ctx: OpContext, starts: list[int], stops: list[int], steps: list[int], final: list[int]) -> None:
    sliced = [len(range(b, e, s)) for b, e, s in zip(starts, stops, steps, strict=True)]
    if 0 in sliced:
        raise ctx.error(
            f"the slice of input shape {list(ctx.input_shape(0))} is empty (starts {starts}, stops {stops}, strides {steps})",
            hint="kcc does not support empty tensors",
        )
    consts = constant_inputs(ctx)
    if consts is not None:
        index = tuple(slice(b, None if e < 0 else e, s) for b, e, s in zip(starts, stops, steps, strict=True))
        fold_outputs(ctx, consts[0][index].reshape(final))
        return
    expect_real(ctx, 0)
    y = ctx.emit(SliceOp(ctx.input(0), _result(ctx, sliced), starts, stops, steps))
    if final != sliced:
        y = ctx.emit(ReshapeOp(y, _result(ctx, final)))
    ctx.set_output(0, y)


@converter("STRIDED_SLICE")
def convert_strided_slice(ctx: OpContext) -> None:
    """STRIDED_SLICE with constant begin / end / strides, all masks, `offset` (end relative to begin)."""
    ctx.expect_inputs(3, 4)
    shape = ctx.input_shape(0)
    begin, end = _ints(ctx, 1, "begin"), _ints(ctx, 2, "end")
    strides = _ints(ctx, 3, "strides") if ctx.has_input(3) else [1] * len(begin)
    if not len(begin) == len(end) == len(strides):
        raise ctx.error(f"begin, end and strides have {len(begin)}, {len(end)} and {len(strides)} values; they must match")
    if ctx.option("offset", False):  # end holds sizes; litert goes out of bounds unless all is plainly in range
        masks = [int(ctx.option(m, 0)) for m in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask")]
        if any(masks) or len(begin) > len(shape) or min(begin) < 0 or min(end) < 0 or min(strides) <= 0:
            raise ctx.error(
                "offset=true is supported with non-negative begin and sizes, positive strides and no begin, end,"
                " ellipsis or new-axis masks",
                hint="slice without offset",
            )
        end = [b + e for b, e in zip(begin, end, strict=True)]
        if any(e > size for e, size in zip(end, shape, strict=False)):
            raise ctx.error(f"offset slice ends {end} go past the input shape {list(shape)}")
    dims = _dense_spec(ctx, len(shape), begin, end, strides)
    starts, stops, steps, final = [], [], [], []
    for d in dims:
        if d.axis is None:
            final.append(1)
            continue
        start, stop, step = _bounds(ctx, d, shape[d.axis])
        starts.append(start)
        stops.append(stop)
        steps.append(step)
        if not d.shrink:
            final.append(len(range(start, stop, step)))
    _slice_and_reshape(ctx, starts, stops, steps, final)


@converter("SLICE")
def convert_slice(ctx: OpContext) -> None:
    """SLICE with constant begin and size (-1: to the end of the dimension)."""
    ctx.expect_inputs(3)
    shape = ctx.input_shape(0)
    begin, size = _ints(ctx, 1, "begin"), _ints(ctx, 2, "size")
    if not len(begin) == len(size) == len(shape):
        raise ctx.error(
            f"begin ({len(begin)} values) and size ({len(size)}) must have one value per input dimension ({len(shape)})"
        )
    stops = []
    for d, (b, n, dim) in enumerate(zip(begin, size, shape, strict=True)):
        stop = dim if n == -1 else b + n
        if not 0 <= b < stop <= dim:
            raise ctx.error(f"dimension {d} (size {dim}): begin {b} with size {n} is out of range or empty")
        stops.append(stop)
    _slice_and_reshape(ctx, begin, stops, [1] * len(shape), [e - b for b, e in zip(begin, stops, strict=True)])


def _split(ctx: OpContext, data: int, axis: int, sizes: list[int]) -> None:
    consts = constant_inputs(ctx)
    if consts is not None:
        fold_outputs(ctx, *np.split(consts[data], np.cumsum(sizes)[:-1], axis=axis))
        return
    expect_real(ctx, data)
    shape = ctx.input_shape(data)
    out_types = []
    for i, n in enumerate(sizes):
        s = list(shape)
        s[axis] = n
        out_types.append(_result(ctx, s, i))
    op = ctx.emit_op(SplitOp(ctx.input(data), out_types, axis, sizes))
    for i, v in enumerate(op.outputs):
        ctx.set_output(i, v)


@converter("SPLIT")
def convert_split(ctx: OpContext) -> None:
    """SPLIT(axis, input) into `num_splits` equal parts (note: the axis is input 0)."""
    ctx.expect_inputs(2)
    shape = ctx.input_shape(1)
    axis = _axis(ctx, _scalar(ctx, 0, "axis"), len(shape))
    num = int(ctx.option("num_splits", ctx.num_outputs))
    if num != ctx.num_outputs or num <= 0:
        raise ctx.error(f"num_splits {num} does not match the operator's {ctx.num_outputs} outputs")
    if shape[axis] % num:
        raise ctx.error(f"dimension {axis} of size {shape[axis]} does not split into {num} equal parts")
    _split(ctx, 1, axis, [shape[axis] // num] * num)


@converter("SPLIT_V")
def convert_split_v(ctx: OpContext) -> None:
    """SPLIT_V(input, size_splits, axis): parts of the given sizes (one may be -1: the rest)."""
    ctx.expect_inputs(3)
    shape = ctx.input_shape(0)
    axis = _axis(ctx, _scalar(ctx, 2, "axis"), len(shape))
    sizes = _ints(ctx, 1, "size_splits")
    if len(sizes) != ctx.num_outputs:
        raise ctx.error(f"size_splits has {len(sizes)} values for {ctx.num_outputs} outputs")
    unknown = [i for i, n in enumerate(sizes) if n == -1]
    if len(unknown) > 1 or any(n < -1 for n in sizes):
        raise ctx.error(f"size_splits {sizes} may hold at most one -1 and no other negative value")
    if unknown:
        sizes[unknown[0]] = shape[axis] - sum(n for n in sizes if n != -1)
    if sum(sizes) != shape[axis] or min(sizes) <= 0:
        raise ctx.error(
            f"size_splits {sizes} must be positive and add up to dimension {axis} of size {shape[axis]}",
            hint="kcc does not support empty tensors",
        )
    _split(ctx, 0, axis, sizes)


# ---------------------------------------------------------------------------------------------------- NCHW-only


def _expect_4d(ctx: OpContext) -> tuple[int, ...]:
    shape = ctx.input_shape(0)
    if len(shape) != 4:
        raise ctx.error(f"kcc converts {ctx.name} on 4-D NHWC inputs only, got shape {list(shape)}")
    return shape


def _block_and_pairs(ctx: OpContext, what: str) -> tuple[list[int], list[int]]:
    """(block [bh, bw], [top, left, bottom, right]) from the constant block_shape and [2, 2] pads / crops."""
    block = _ints(ctx, 1, "block_shape")
    pairs = _ints(ctx, 2, what)
    if len(block) != 2 or len(pairs) != 4:
        raise ctx.error(f"block_shape must hold 2 values and {what} [2, 2], got {len(block)} and {len(pairs)}")
    if min(block) <= 0 or min(pairs) < 0:
        raise ctx.error(f"block_shape {block} must be positive and {what} {pairs} non-negative")
    (t, b), (left, r) = pairs[0:2], pairs[2:4]
    return block, [t, left, b, r]


@converter("SPACE_TO_BATCH_ND")
def convert_space_to_batch(ctx: OpContext) -> None:
    """SPACE_TO_BATCH_ND of a 4-D input: zero padding of H and W, then block offsets into the batch."""
    ctx.expect_inputs(3)
    expect_real(ctx, 0)
    n, h, w, c = _expect_4d(ctx)
    (bh, bw), pads = _block_and_pairs(ctx, "paddings")
    ph, pw = h + pads[0] + pads[2], w + pads[1] + pads[3]
    if ph % bh or pw % bw:
        raise ctx.error(f"padded size {ph}x{pw} is not a multiple of block {bh}x{bw}")
    out = _result(ctx, [n * bh * bw, ph // bh, pw // bw, c])
    ctx.set_output(0, ctx.nchw_op(ctx.input(0), lambda x, t: SpaceToBatchOp(x, t, [bh, bw], pads), out))


@converter("BATCH_TO_SPACE_ND")
def convert_batch_to_space(ctx: OpContext) -> None:
    """BATCH_TO_SPACE_ND of a 4-D input: batch blocks back into H and W, then the crops."""
    ctx.expect_inputs(3)
    expect_real(ctx, 0)
    n, h, w, c = _expect_4d(ctx)
    (bh, bw), crops = _block_and_pairs(ctx, "crops")
    if n % (bh * bw):
        raise ctx.error(f"batch {n} is not a multiple of block {bh}x{bw} = {bh * bw}")
    oh, ow = h * bh - crops[0] - crops[2], w * bw - crops[1] - crops[3]
    if oh <= 0 or ow <= 0:
        raise ctx.error(f"crops {crops} leave nothing of the {h * bh}x{w * bw} rearranged input")
    out = _result(ctx, [n // (bh * bw), oh, ow, c])
    ctx.set_output(0, ctx.nchw_op(ctx.input(0), lambda x, t: BatchToSpaceOp(x, t, [bh, bw], crops), out))


def _block_size(ctx: OpContext) -> int:
    block = int(ctx.option("block_size", 0))
    if block <= 0:
        raise ctx.error(f"block_size must be positive, got {block}")
    return block


@converter("DEPTH_TO_SPACE")
def convert_depth_to_space(ctx: OpContext) -> None:
    """DEPTH_TO_SPACE: channel (i * b + j) * C' + c goes to pixel (h * b + i, w * b + j) (ONNX mode DCR)."""
    ctx.expect_inputs(1)
    expect_real(ctx, 0)
    n, h, w, c = _expect_4d(ctx)
    b = _block_size(ctx)
    if c % (b * b):
        raise ctx.error(f"channels {c} are not a multiple of block_size {b} squared = {b * b}")
    out = _result(ctx, [n, h * b, w * b, c // (b * b)])
    ctx.set_output(0, ctx.nchw_op(ctx.input(0), lambda x, t: DepthToSpaceOp(x, t, b, "DCR"), out))


@converter("SPACE_TO_DEPTH")
def convert_space_to_depth(ctx: OpContext) -> None:
    """SPACE_TO_DEPTH: pixel (h * b + i, w * b + j) goes to channel (i * b + j) * C + c."""
    ctx.expect_inputs(1)
    expect_real(ctx, 0)
    n, h, w, c = _expect_4d(ctx)
    b = _block_size(ctx)
    if h % b or w % b:
        raise ctx.error(f"input size {h}x{w} is not a multiple of block_size {b}")
    out = _result(ctx, [n, h // b, w // b, c * b * b])
    ctx.set_output(0, ctx.nchw_op(ctx.input(0), lambda x, t: SpaceToDepthOp(x, t, b), out))
