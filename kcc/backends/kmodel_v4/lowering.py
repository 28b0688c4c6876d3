"""kmodel v4 lowering: one IR op -> v4 nodes (`kcc.backends.kmodel_lowering` holds the shared part and the
driver; the table of what maps to what is in its docstring)."""

from __future__ import annotations

import struct
from math import prod
from typing import Any, cast

import numpy as np
from xdsl.ir import Operation

from kcc.backends.kmodel_lowering import (
    FLT_MAX,
    Lowering,
    all_f32,
    concat_parts,
    elem_code,
    element_of,
    f32_round,
    fc_params,
    fixed_slice,
    ints,
    is_global_hw,
    kpu_weights,
    kpu_words,
    movement_is_free,
    quant_of,
    requant_table,
    shape4,
    shape_of,
)
from kcc.dialects.kmodel import v4
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.dialects.kpu.ops import DownloadOp, UploadOp
from kcc.dialects.nn.base import normalize_axis
from kcc.dialects.nn.conv import FullyConnectedOp
from kcc.dialects.nn.elementwise import AddOp, SoftmaxOp
from kcc.dialects.nn.movement import ConcatOp, PadOp, ReshapeOp, SliceOp
from kcc.dialects.nn.pool import ReduceMeanOp
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
        cls = v4.QuantizeOp if isinstance(op, QuantizeOp) else v4.DequantizeOp
        lw.emit(
            cls,
            op,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            zero_point=int(q.zp_value),
            scale=inverse_scale(float(q.scale_value)),
        )
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
    elif isinstance(op, AddOp) and all_f32(lw, op):
        lw.emit(
            v4.BinaryOp,
            op,
            in_a=lw.loc(op.lhs, op),
            in_b=lw.loc(op.rhs, op),
            out=lw.loc(op.output, op),
            binary_op=0,
            a_shape=shape4(shape_of(op.lhs)),
            b_shape=shape4(shape_of(op.rhs)),
            out_shape=shape4(shape_of(op.output)),
            fused_activation=[-FLT_MAX, FLT_MAX],
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
    elif isinstance(op, ReduceMeanOp) and all_f32(lw, op) and is_global_hw(op):
        lw.emit(
            v4.ReduceOp,
            op,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            reduce_op=0,
            in_shape=shape4(shape_of(op.input)),
            out_shape=shape4(shape_of(op.output)),
            init_value=0.0,
        )
    else:
        raise lw.err(op, "not expressible in kmodel v4")


def _pad(lw: Lowering, op: PadOp) -> None:
    if op.mode.data != "constant":
        raise lw.err(op, f"kmodel pads with a constant, not mode {op.mode.data!r}")
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
    shape = shape_of(op.input)
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
