"""kmodel v4 lowering: one IR op -> v4 nodes (`kcc.backends.kmodel_lowering` holds the shared part and the
driver; the table of what maps to what is in its docstring)."""

from __future__ import annotations

import struct
from math import prod
from typing import Any, cast

import numpy as np
from xdsl.ir import Operation, OpResult, SSAValue

from kcc.backends.kmodel_lowering import (
    BYTES,
    FLT_MAX,
    Lowering,
    act_range,
    all_f32,
    concat_parts,
    elem_code,
    element_of,
    f32_round,
    fc_params,
    fixed_slice,
    ints,
    kpu_weights,
    kpu_words,
    movement_is_free,
    quant_of,
    requant_table,
    shape4,
    shape_of,
)
from kcc.backends.kmodel_v4.elementwise import lower_elementwise
from kcc.backends.kmodel_v4.uint8_mean import mean_scale
from kcc.dialects.kmodel import v4
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.dialects.kpu.ops import DownloadOp, UploadOp
from kcc.dialects.nn.base import normalize_axis
from kcc.dialects.nn.const import ConstOp, dense_to_numpy
from kcc.dialects.nn.conv import Conv2dOp, FullyConnectedOp
from kcc.dialects.nn.elementwise import SoftmaxOp
from kcc.dialects.nn.movement import ConcatOp, DepthToSpaceOp, PadOp, ReshapeOp, SliceOp, SplitOp, TransposeOp
from kcc.dialects.nn.pool import MaxPool2dOp, ReduceMaxOp, ReduceMeanOp, ReduceMinOp
from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp, RequantizeOp


def _copy(lw: Lowering, op: Operation, src: RangeAttr, out: RangeAttr) -> None:
    if src.nbytes % 4 == 0:  # memory_copy moves 4-byte units
        lw.emit(v4.MemoryCopyOp, op, input=src, output=out)
    else:
        one = RangeAttr(src.pool_name, src.start, src.nbytes, "u8")
        lw.emit(
            v4.ConcatOp,
            op,
            out=RangeAttr(out.pool_name, out.start, out.nbytes, "u8"),
            inner_size=src.nbytes,
            outer_size=1,
            inputs=[one],
            dims=[1],
        )


def inverse_scale(s: float) -> float:
    """An f32 `k` with f32(1/k) == f32(s) when one exists within 64 ulps of 1/s (v4 stores quanta per real
    unit; the runtime's dequantize multiplies by f32(1/k)), else f32(1/s)."""
    target = np.float32(s)
    k = np.float32(1.0) / target
    for direction in (np.float32(np.inf), np.float32(0.0)):
        cand = k
        for _ in range(65):
            if np.float32(1.0) / cand == target:
                return float(cand)
            cand = np.nextafter(cand, direction)
    return float(k)


def _exact_dequantize(lw: Lowering, op: DequantizeOp, zp: int, scale: float) -> None:
    """`(q - zp) * s` when no f32 k has f32(1/k) == s: dequantize with scale 1 (exact small integers), then an
    f32 multiply by the constant s (one rounding of an exact product: the interpreter's value)."""
    src, out = lw.loc(op.input, op), lw.loc(op.output, op)
    shape = shape4(shape_of(op.input))
    ints_f32 = lw.scratch(out.nbytes, "f32")
    s_off = lw.add_const(struct.pack("<f", scale))
    lw.emit(v4.DequantizeOp, op, input=src, output=ints_f32, zero_point=zp, scale=1.0)
    lw.emit(
        v4.BinaryOp,
        op,
        in_a=ints_f32,
        in_b=RangeAttr("const", s_off, 4, "f32"),
        out=out,
        binary_op=2,
        a_shape=shape,
        b_shape=[1, 1, 1, 1],
        out_shape=shape,
        fused_activation=[-FLT_MAX, FLT_MAX],
    )


def lower_op(lw: Lowering, op: Operation, downloads: dict[KpuConv2dOp, DownloadOp]) -> None:
    if isinstance(op, UploadOp):
        lw.emit(v4.KpuUploadOp, op, input=lw.loc(op.input, op), output=lw.loc(op.output, op), in_shape=shape4(shape_of(op.input)))
    elif isinstance(op, KpuConv2dOp):
        dl = downloads.get(op)
        main = lw.loc(dl.output, dl) if dl is not None else RangeAttr("main", 0, 0, "u8")
        words, bn, act = kpu_words(op, main_out=dl is not None)
        w = kpu_weights(op, lw)
        if w.dtype != np.uint8:
            raise lw.err(op, "kmodel v4 KPU layers take 8-bit weights", hint="use --kmodel-version 3 for 16-bit weights")
        lw.emit(
            v4.KpuConv2dOp,
            op,
            main_mem_output=RangeAttr("main", main.start, main.nbytes, "u8"),
            batches=1,
            reserved=0,
            layer_argument=words,
            batch_norm=bn,
            activation=act,
            weights=w,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
        )
    elif isinstance(op, QuantizeOp | DequantizeOp):
        qv = op.output if isinstance(op, QuantizeOp) else op.input
        q = quant_of(qv)
        if q is None or elem_code(q) != "u8":
            raise lw.err(op, f"kmodel v4 quantizes to per-tensor uint8 only, not {element_of(qv)}")
        k = inverse_scale(float(q.scale_value))
        if isinstance(op, DequantizeOp) and float(np.float32(1.0) / np.float32(k)) != float(np.float32(q.scale_value)):
            _exact_dequantize(lw, op, int(q.zp_value), float(np.float32(q.scale_value)))
            return
        cls = v4.QuantizeOp if isinstance(op, QuantizeOp) else v4.DequantizeOp
        lw.emit(cls, op, input=lw.loc(op.input, op), output=lw.loc(op.output, op), zero_point=int(q.zp_value), scale=k)
    elif isinstance(op, RequantizeOp):
        table = requant_table(lw, op)
        off = lw.add_const(table.tobytes())
        lw.emit(
            v4.TableLookup1dOp,
            op,
            input=lw.loc(op.input, op),
            table=RangeAttr("const", off, 256, "u8"),
            output=lw.loc(op.output, op),
        )
    elif isinstance(op, ReshapeOp | SliceOp | ConcatOp):
        _movement(lw, op)
    elif isinstance(op, PadOp):
        _pad(lw, op)
    elif isinstance(op, FullyConnectedOp):
        w, b, act = fc_params(lw, op)
        oc, ic = w.shape
        off = lw.add_const(np.ascontiguousarray(w.T).astype("<f4").tobytes())
        lw.emit(
            v4.MatmulOp,
            op,
            in_a=lw.loc(op.input, op),
            in_b=RangeAttr("const", off, 4 * ic * oc, "f32"),
            out=lw.loc(op.output, op),
            a_rows=1,
            a_cols=ic,
            b_cols=oc,
            fused_activation=[f32_round(act[0]), f32_round(act[1])],
            bias=b,
        )
    elif isinstance(op, SoftmaxOp) and all_f32(lw, op):
        shape = shape_of(op.input)
        axis = normalize_axis(op.axis.value.data, len(shape))
        if op.beta is not None and op.beta.value.data != 1.0:
            raise lw.err(op, f"softmax beta {op.beta.value.data} is not 1")
        if axis != len(shape) - 1:
            raise lw.err(op, f"kmodel v4 softmax runs over the last axis, not axis {axis}")
        lw.emit(
            v4.SoftmaxOp,
            op,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            inner_size=shape[-1],
            outer_size=prod(shape[:-1]),
            beta=1.0,
        )
    elif lower_elementwise(lw, op):
        return
    elif isinstance(op, ReduceMeanOp | ReduceMaxOp | ReduceMinOp):
        _reduce(lw, op)
    elif isinstance(op, Conv2dOp):
        _conv2d(lw, op)
    elif isinstance(op, MaxPool2dOp):
        _max_pool(lw, op)
    elif isinstance(op, TransposeOp):
        perm = ints(op.perm)
        _transpose(lw, op, lw.loc(op.input, op), lw.loc(op.output, op), shape_of(op.input), perm)
    elif isinstance(op, SplitOp):
        _split(lw, op)
    elif isinstance(op, DepthToSpaceOp):
        _depth_to_space(lw, op)
    else:
        raise lw.err(op, "not expressible in kmodel v4", hint="keep the model's ops to those docs/compile.md lists for v4")


def _pad(lw: Lowering, op: PadOp) -> None:
    if op.mode.data == "edge":
        _edge_pad(lw, op)
        return
    if op.mode.data != "constant":
        raise lw.err(op, f"kmodel pads with a constant or the edge value, not mode {op.mode.data!r}")
    shape = shape_of(op.input)
    pads = ints(op.pads)
    rank = len(shape)
    before, after = pads[:rank], pads[rank:]
    lead = 4 - rank
    paddings = [0] * (2 * lead)
    for b, a in zip(before, after, strict=True):
        paddings += [b, a]
    value = float(cast(Any, op.value).value.data) if op.value is not None else 0.0
    dt = lw.dtype(op.input, op)
    q = quant_of(op.input)
    if dt == "u8":
        stored = int(q.zp_value) if q is not None else 0
        if q is not None and value != 0.0:
            from kcc.interp.quant import quantize

            stored = int(quantize(np.asarray([value], dtype=np.float32), op.input.type)[0])
        pad_value, pad_type = bytes([stored & 0xFF, 0, 0, 0]), 1
    elif dt == "f32":
        pad_value, pad_type = struct.pack("<f", value), 0
    else:
        raise lw.err(op, f"kmodel v4 pads f32 or u8 tensors, not {dt}")
    lw.emit(
        v4.PadOp,
        op,
        input=lw.loc(op.input, op),
        output=lw.loc(op.output, op),
        in_shape=shape4(shape),
        paddings=paddings,
        pad_type=pad_type,
        pad_value=np.frombuffer(pad_value, dtype=np.uint8),
    )


def _movement(lw: Lowering, op: ReshapeOp | SliceOp | ConcatOp) -> None:
    if movement_is_free(lw, op):
        return
    if isinstance(op, ConcatOp):
        p = concat_parts(lw, op)
        lw.emit(v4.ConcatOp, op, out=p.out, inner_size=p.inner, outer_size=p.outer, inputs=p.srcs, dims=p.dims)
        return
    src, out = lw.loc(op.input, op), lw.loc(op.output, op)
    if isinstance(op, ReshapeOp):
        _copy(lw, op, src, out)
        return
    starts, ends, steps = fixed_slice(op)
    _strided_copy(lw, op, src, out, shape_of(op.input), starts, ends, steps)


# ================================================================================================ more CPU ops


def _const_array(lw: Lowering, op: Operation, v: SSAValue, what: str) -> np.ndarray:
    if not isinstance(v, OpResult) or not isinstance(v.op, ConstOp):
        raise lw.err(op, f"the {what} must be a constant")
    return dense_to_numpy(v.op.value)


def _conv2d(lw: Lowering, op: Conv2dOp) -> None:
    """f32 `nn.conv2d` -> conv2d (bias + sum of x·w over (ic, ky, kx), taps outside skipped, then the clamp)."""
    if not all_f32(lw, op):
        raise lw.err(op, "a quantized CPU conv2d has no exact kmodel v4 node", hint="quantize keeps CPU convs in float")
    act = act_range(op)
    if act is None:
        raise lw.err(op, "the fused activation is not a clamp (kmodel v4 conv2d fuses min/max only)")
    shape = shape_of(op.input)
    w = _const_array(lw, op, op.weight, "weight").astype(np.float32)
    b = _const_array(lw, op, op.bias, "bias").astype(np.float32)
    kh, kw = int(w.shape[2]), int(w.shape[3])
    (sh, sw), (dh, dw) = ints(op.strides), ints(op.dilations)
    top, left, bottom, right = ints(op.pads)
    lw.emit(
        v4.Conv2dOp,
        op,
        input=lw.loc(op.input, op),
        output=lw.loc(op.output, op),
        in_shape=shape4(shape),
        groups=int(op.groups.value.data),
        out_channels=int(w.shape[0]),
        padding_h=[top, bottom],
        padding_w=[left, right],
        window=[kh, kw, sh, sw, dh, dw],
        fused_activation=[f32_round(act[0]), f32_round(act[1])],
        weights=w.reshape(-1),
        bias=b.reshape(-1),
    )


def _max_pool(lw: Lowering, op: MaxPool2dOp) -> None:
    """`nn.max_pool2d` (f32 or any 8-bit storage: the max of stored values is the stored max) -> reduce_window2d max
    over the in-bounds taps (padding never wins, as in nn)."""
    if op.dilation_values() != (1, 1):
        raise lw.err(op, f"dilations {list(op.dilation_values())}: kmodel v4 pools are not dilated")
    if op.input.type != op.output.type and element_of(op.input) != element_of(op.output):
        raise lw.err(op, "a max pool that rescales has no kmodel v4 node", hint="requantize after the pool")
    lw.dtype(op.input, op)
    if lw.dtype(op.input, op) not in ("f32", "u8"):
        raise lw.err(op, "kmodel v4 pools f32 or u8 tensors")
    (kh, kw), (sh, sw) = ints(op.kernel), ints(op.strides)
    top, left, bottom, right = ints(op.pads)
    lw.emit(
        v4.ReduceWindow2dOp,
        op,
        input=lw.loc(op.input, op),
        output=lw.loc(op.output, op),
        reduce_op=2,
        in_shape=shape4(shape_of(op.input)),
        padding_h=[top, bottom],
        padding_w=[left, right],
        window=[kh, kw, sh, sw, 1, 1],
        init_value=float("-inf"),
        fused_activation=[-FLT_MAX, FLT_MAX],
    )


def _reduce(lw: Lowering, op: ReduceMeanOp | ReduceMaxOp | ReduceMinOp) -> None:
    shape = shape_of(op.input)
    if len(shape) > 4:
        raise lw.err(op, f"rank {len(shape)}: kmodel v4 reduces 4-d tensors")
    axes = op.axis_values()
    in4 = shape4(shape)
    lead = 4 - len(shape)
    out4 = [1 if i - lead in axes else d for i, d in enumerate(in4)]
    src, out = lw.loc(op.input, op), lw.loc(op.output, op)
    code = {ReduceMeanOp: 0, ReduceMinOp: 1, ReduceMaxOp: 2}[type(op)]
    if all_f32(lw, op):
        init = {0: 0.0, 1: float("inf"), 2: float("-inf")}[code]
        lw.emit(v4.ReduceOp, op, input=src, output=out, reduce_op=code, in_shape=in4, out_shape=out4, init_value=init)
        return
    if isinstance(op, ReduceMeanOp):
        _quantized_mean(lw, op, in4, out4)
        return
    raise lw.err(op, f"a {lw.dtype(op.input, op)} {op.name} has no exact kmodel v4 node", hint="keep it in float")


def _quantized_mean(lw: Lowering, op: ReduceMeanOp, in4: list[int], out4: list[int]) -> None:
    """uint8 MEAN (TFLite reference: integer sum of `q - zp_x`, fixed-point rescale) as three exact f32 nodes:
    dequantize with scale 1 (`q - zp_x` as f32 integers), reduce sum (exact below 2^24), quantize with a scale
    `k` chosen so that `roundf(f32(T·k) + zp_y)` equals the interpreter's fixed-point result for EVERY possible
    sum `T` (checked exhaustively, `kcc.backends.kmodel_v4.uint8_mean`); no such `k` -> KccError (the quantize
    pass with `target=kmodel` keeps such means in float, so `kcc compile` never meets it)."""
    qx, qy = quant_of(op.input), quant_of(op.output)
    if qx is None or qy is None or elem_code(qx) != "u8" or elem_code(qy) != "u8":
        raise lw.err(op, "kmodel v4 takes uint8 per-tensor quantized means only")
    count = prod(in4) // prod(out4)
    zx, zy = int(qx.zp_value), int(qy.zp_value)
    sx, sy = float(np.float32(qx.scale_value)), float(np.float32(qy.scale_value))
    k, why = mean_scale(count, zx, zy, sx, sy)
    if k is None:
        raise lw.err(op, why, hint="keep this mean in float (quantize{target=kmodel} does)")
    deq = lw.scratch(4 * prod(in4), "f32")
    summed = lw.scratch(4 * prod(out4), "f32")
    lw.emit(v4.DequantizeOp, op, input=lw.loc(op.input, op), output=deq, zero_point=zx, scale=1.0)
    lw.emit(v4.ReduceOp, op, input=deq, output=summed, reduce_op=3, in_shape=in4, out_shape=out4, init_value=0.0)
    lw.emit(v4.QuantizeOp, op, input=summed, output=lw.loc(op.output, op), zero_point=zy, scale=k)


def _strided_copy(lw: Lowering, op: Operation, src: RangeAttr, out: RangeAttr, shape: tuple[int, ...],
                  starts: list[int], ends: list[int], steps: list[int]) -> None:  # fmt: skip
    pad = 4 - len(shape)
    lw.emit(
        v4.StridedSliceOp,
        op,
        input=src,
        output=out,
        in_shape=shape4(shape),
        begin=[0] * pad + starts,
        end=[1] * pad + ends,
        strides=[1] * pad + steps,
        begin_mask=0,
        end_mask=0,
        ellipsis_mask=0,
        new_axis_mask=0,
        shrink_axis_mask=0,
    )


def _split(lw: Lowering, op: SplitOp) -> None:
    """`nn.split` -> one strided_slice per piece."""
    shape = shape_of(op.input)
    axis = normalize_axis(int(op.axis.value.data), len(shape))
    if len(shape) > 4:
        raise lw.err(op, f"rank {len(shape)}: kmodel v4 slices 4-d tensors")
    src = lw.loc(op.input, op)
    pos = 0
    for r in op.outputs:
        n = shape_of(r)[axis]
        starts = [0] * len(shape)
        ends = list(shape)
        starts[axis], ends[axis] = pos, pos + n
        _strided_copy(lw, op, src, lw.loc(r, op), shape, starts, ends, [1] * len(shape))
        pos += n


def _transpose(lw: Lowering, op: Operation, src: RangeAttr, out: RangeAttr, shape: tuple[int, ...], perm: list[int]) -> None:
    if len(shape) > 4:
        raise lw.err(op, f"rank {len(shape)}: kmodel v4 transposes 4-d tensors")
    lead = 4 - len(shape)
    lw.emit(
        v4.TransposeOp,
        op,
        input=src,
        output=out,
        in_shape=shape4(shape),
        perm=list(range(lead)) + [p + lead for p in perm],
    )


def _depth_to_space(lw: Lowering, op: DepthToSpaceOp) -> None:
    """`nn.depth_to_space` (batch 1) -> two transposes through a scratch buffer.

    DCR: x[by, bx, c, h, w] -> [by, (c h), w, bx] -> out[(c h), by, (w bx)];
    CRD: x[c, by, bx, h, w] -> [(c by), h, w, bx] -> out[c, h, by, (w bx)]."""
    n, cin, h, w = shape_of(op.input)
    b = int(op.block.value.data)
    if n != 1:
        raise lw.err(op, f"batch {n}: kmodel v4 depth_to_space takes batch 1")
    c = cin // (b * b)
    src, out = lw.loc(op.input, op), lw.loc(op.output, op)
    mid = lw.scratch(src.nbytes, src.dtype.data)
    if op.mode.data == "DCR":
        _transpose(lw, op, src, mid, (b, b, c * h, w), [0, 2, 3, 1])
        _transpose(lw, op, mid, out, (b, c * h, w * b, 1), [1, 0, 2, 3])
    else:
        _transpose(lw, op, src, mid, (c * b, b, h, w), [0, 2, 3, 1])
        _transpose(lw, op, mid, out, (c, b, h, w * b), [0, 2, 1, 3])


def _edge_pad(lw: Lowering, op: PadOp) -> None:
    """Edge (replicate) padding, axis by axis: a strided_slice of the first and of the last slab, then one concat
    of [first slab x before, the tensor, last slab x after] along the axis (pure data movement: exact)."""
    shape = list(shape_of(op.input))
    rank = len(shape)
    pads = ints(op.pads)
    if rank > 4 or any(p < 0 for p in pads):
        raise lw.err(op, f"edge pads {pads} on rank {rank}: kmodel v4 takes non-negative pads on 4-d tensors")
    elem = BYTES[lw.dtype(op.input, op)]
    axes = [a for a in range(rank) if pads[a] or pads[rank + a]]
    cur = lw.loc(op.input, op)
    final = lw.loc(op.output, op)
    if not axes:
        _copy(lw, op, cur, final)
        return
    for i, a in enumerate(axes):
        before, after = pads[a], pads[rank + a]
        n = shape[a]
        slab = shape.copy()
        slab[a] = 1
        slab_bytes = prod(slab) * elem
        parts: list[RangeAttr] = []
        dims: list[int] = []
        for count, at in ((before, 0), (after, n - 1)):
            if not count:
                continue
            r = lw.scratch(slab_bytes, cur.dtype.data)
            starts, ends = [0] * rank, list(shape)
            starts[a], ends[a] = at, at + 1
            _strided_copy(lw, op, cur, r, tuple(shape), starts, ends, [1] * rank)
            parts.append(r)
        first = [parts[0]] * before if before else []
        last = [parts[-1]] * after if after else []
        srcs = [*first, cur, *last]
        dims = [1] * before + [n] + [1] * after
        shape[a] = n + before + after
        nxt = final if i == len(axes) - 1 else lw.scratch(prod(shape) * elem, cur.dtype.data)
        lw.emit(
            v4.ConcatOp,
            op,
            out=nxt,
            inner_size=prod(shape[a + 1 :]) * elem,
            outer_size=prod(shape[:a]),
            inputs=srcs,
            dims=dims,
        )
        cur = nxt
