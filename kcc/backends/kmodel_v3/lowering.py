"""kmodel v3 lowering: one IR op -> v3 layers (`kcc.backends.kmodel_lowering` holds the shared part and the
driver; the table of what maps to what is in its docstring)."""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np
from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr
from xdsl.ir import Operation

from kcc.backends.kmodel_lowering import (
    BYTES,
    FLT_MAX,
    MAX_COPY_RUNS,
    Lowering,
    all_f32,
    byte_runs,
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
    shape_of,
)
from kcc.backends.kmodel_v3.dequantize import lower_dequantize
from kcc.backends.kmodel_v3.input_loader import load_input
from kcc.backends.kmodel_v3.pad import lower_pad
from kcc.backends.kmodel_v4.resize import nearest_reason
from kcc.dialects.kmodel import v3
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.dialects.kpu.ops import DownloadOp, UploadOp
from kcc.dialects.nn.const import ConstOp
from kcc.dialects.nn.conv import FullyConnectedOp
from kcc.dialects.nn.elementwise import AddOp, SigmoidOp, SoftmaxOp
from kcc.dialects.nn.movement import ConcatOp, DepthToSpaceOp, PadOp, ReshapeOp, ResizeOp, SliceOp, SplitOp, TransposeOp
from kcc.dialects.nn.pool import AvgPool2dOp, MaxPool2dOp, ReduceMeanOp
from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp, RequantizeOp
from kcc.dialects.nn.types import PerChannelQuantType
from kcc.errors import KccError


def first_input(lw: Lowering) -> None:
    """v3 takes one input: the uploaded image of the first K210_CONV, or the float vector of a first FC.

    A function that starts otherwise gets a loader layer first (`kcc.backends.kmodel_v3.input_loader`)."""
    args = list(lw.f.body.block.args)
    if len(args) != 1:
        raise KccError(f"kmodel v3 takes one input, the function has {len(args)}", op="func.func", hint="use --kmodel-version 4")
    body = [o for o in lw.ops if not isinstance(o, ConstOp)]
    first = body[0]
    if isinstance(first, UploadOp) and first.input is args[0]:
        users = [u.operation for u in first.output.uses]
        nxt = body[1] if len(body) > 1 else None
        if isinstance(nxt, KpuConv2dOp) and nxt.input is first.output and len(users) == 1 and len(list(args[0].uses)) == 1:
            lw.skip.add(first)
            return
    elif (isinstance(first, KpuConv2dOp) and first.input is args[0]) or (
        isinstance(first, FullyConnectedOp) and first.input is args[0] and lw.dtype(args[0], first) == "f32"
    ):
        return
    load_input(lw, args[0])


def _main_limit(lw: Lowering) -> int:
    """The planned main-RAM size (what the header's main_mem_usage will hold)."""
    memory = lw.f.attributes.get("kcc.memory")
    if not isinstance(memory, DictionaryAttr):
        return 0
    peak = memory.data.get("main_peak")
    return int(peak.value.data) if isinstance(peak, IntegerAttr) else 0


def _copy(lw: Lowering, op: Operation, src: RangeAttr, runs: list[tuple[int, int]], out: RangeAttr) -> None:
    if len(runs) > MAX_COPY_RUNS:
        raise lw.err(op, f"kmodel v3 copies this as {len(runs)} runs, more than {MAX_COPY_RUNS}", hint="use --kmodel-version 4")
    ins = [RangeAttr("main", src.start + s, n, "u8") for s, n in runs]
    lw.emit(v3.ConcatOp, op, flags=1, output=RangeAttr("main", out.start, out.nbytes, "u8"), inputs=ins)


def lower_op(lw: Lowering, op: Operation, downloads: dict[KpuConv2dOp, DownloadOp]) -> None:
    if isinstance(op, UploadOp):
        x, o = lw.loc(op.input, op), lw.loc(op.output, op)
        _c, h, w = shape_of(op.input)[1:]
        lw.emit(v3.K210UploadOp, op, flags=0, input=x, output=o, width=w, height=h, channels=shape_of(op.input)[1])
    elif isinstance(op, KpuConv2dOp):
        dl = downloads.get(op)
        main = lw.loc(dl.output, dl) if dl is not None else RangeAttr("main", 0, 0, "u8")
        words, bn, act = kpu_words(op, main_out=dl is not None)
        w = kpu_weights(op, lw)
        lw.emit(
            v3.K210ConvOp,
            op,
            flags=int(dl is not None),
            main_out=RangeAttr("main", main.start, main.nbytes, "u8"),
            layer_argument=words,
            weights=w,
            batch_norm=bn,
            activation=act,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
        )
    elif (
        isinstance(op, DequantizeOp) and quant_of(op.input) is not None and elem_code(quant_of(op.input) or op.input.type) == "u8"
    ):
        lower_dequantize(lw, op, _main_limit(lw))
    elif isinstance(op, QuantizeOp | DequantizeOp):
        q = quant_of(op.output if isinstance(op, QuantizeOp) else op.input)
        if q is None or elem_code(q) != "u8":
            et = element_of(op.output if isinstance(op, QuantizeOp) else op.input)
            if isinstance(et, PerChannelQuantType):
                raise lw.err(op, "per-channel quantization is not expressible in kmodel v3's QUANTIZE / DEQUANTIZE")
            raise lw.err(op, f"kmodel v3 quantizes to uint8 only, not {et}")
        s = float(q.scale_value)
        zp = int(q.zp_value)
        cls = v3.QuantizeOp if isinstance(op, QuantizeOp) else v3.DequantizeOp
        lw.emit(
            cls,
            op,
            **_cpu_io(lw, op),
            count=prod(shape_of(op.input)),
            scale=f32_round(s),
            bias=f32_round(-zp * s),
        )
    elif isinstance(op, RequantizeOp):
        lw.emit(
            v3.RequantizeOp,
            op,
            **_cpu_io(lw, op),
            count=prod(shape_of(op.input)),
            table=requant_table(lw, op),
        )
    elif isinstance(op, ReshapeOp | SliceOp | ConcatOp):
        _movement(lw, op)
    elif isinstance(op, SplitOp | TransposeOp | DepthToSpaceOp):
        _gather(lw, op)
    elif isinstance(op, MaxPool2dOp):
        _max_pool(lw, op)
    elif isinstance(op, AvgPool2dOp):
        _avg_pool(lw, op)
    elif isinstance(op, ResizeOp):
        _resize(lw, op)
    elif isinstance(op, PadOp):
        lower_pad(lw, op, _main_limit(lw))
    elif isinstance(op, FullyConnectedOp):
        _fully_connected(lw, op)
    elif isinstance(op, AddOp) and all_f32(lw, op) and shape_of(op.lhs) == shape_of(op.rhs) == shape_of(op.output):
        lw.emit(
            v3.AddOp,
            op,
            flags=1,
            in_a=lw.loc(op.lhs, op),
            in_b=lw.loc(op.rhs, op),
            out=lw.loc(op.output, op),
            count=prod(shape_of(op.output)),
        )
    elif isinstance(op, SoftmaxOp | SigmoidOp) and all_f32(lw, op):
        shape = shape_of(op.input)
        if isinstance(op, SoftmaxOp) and prod(shape) != shape[-1]:
            raise lw.err(op, f"kmodel v3's SOFTMAX takes one row, the input is {list(shape)}", hint="use --kmodel-version 4")
        cls = v3.SoftmaxOp if isinstance(op, SoftmaxOp) else v3.LogisticOp
        lw.emit(cls, op, flags=1, input=lw.loc(op.input, op), output=lw.loc(op.output, op), channels=prod(shape))
    elif isinstance(op, ReduceMeanOp) and all_f32(lw, op) and is_global_hw(op):
        n, c, h, w = shape_of(op.input)
        lw.emit(
            v3.GlobalAveragePool2dOp,
            op,
            **_cpu_io(lw, op),
            kernel_size=h * w,
            channels=n * c,
        )
    else:
        raise lw.err(op, "not expressible in kmodel v3", hint="use --kmodel-version 4 (or auto)")


def _max_pool(lw: Lowering, op: MaxPool2dOp) -> None:
    """QUANTIZED_MAX_POOL2D: u8, window clipped to the input (padding never wins), initial value 0 (below
    every u8): exact when input and output share one per-tensor type."""
    if lw.dtype(op.input, op) != "u8" or (op.input.type != op.output.type and element_of(op.input) != element_of(op.output)):
        raise lw.err(
            op,
            "kmodel v3 max-pools uint8 maps of one quantized type only (no runtime has float MAX_POOL2D)",
            hint="use --kmodel-version 4",
        )
    n = shape_of(op.input)[0]
    if n != 1 or op.dilation_values() != (1, 1):
        raise lw.err(
            op,
            f"kmodel v3 max-pools one image without dilation, got batch {n}, dilation {op.dilation_values()}",
            hint="use --kmodel-version 4",
        )
    lw.emit(v3.QuantizedMaxPool2dOp, op, flags=1, **_pool_fields(lw, op))


def _pool_fields(lw: Lowering, op: MaxPool2dOp | AvgPool2dOp) -> dict[str, Any]:
    """The input/output/geometry fields v3's pool layers share (padding: top/left; bottom/right follow)."""
    _, c, h, w = shape_of(op.input)
    _, oc, oh, ow = shape_of(op.output)
    kh, kw = ints(op.kernel)
    sh, sw = ints(op.strides)
    pt, pl, _, _ = ints(op.pads)
    return {
        "input": lw.loc(op.input, op),
        "output": lw.loc(op.output, op),
        "in_w": w,
        "in_h": h,
        "in_c": c,
        "out_w": ow,
        "out_h": oh,
        "out_c": oc,
        "kernel_w": kw,
        "kernel_h": kh,
        "stride_w": sw,
        "stride_h": sh,
        "pad_w": pl,
        "pad_h": pt,
    }


def _fully_connected(lw: Lowering, op: FullyConnectedOp) -> None:
    w, b, (lo, hi) = fc_params(lw, op)
    acts = {(-FLT_MAX, FLT_MAX): 0, (0.0, FLT_MAX): 1, (0.0, 6.0): 2}
    if (lo, hi) not in acts:
        raise lw.err(op, f"kmodel v3's FULLY_CONNECTED applies none, relu or relu6, not clamp({lo}, {hi})")
    oc, ic = w.shape
    lw.emit(
        v3.FullyConnectedOp,
        op,
        flags=0,
        input=lw.loc(op.input, op),
        output=lw.loc(op.output, op),
        in_channels=ic,
        out_channels=oc,
        act=acts[(lo, hi)],
        weights=w,
        bias=b,
    )


def _movement(lw: Lowering, op: ReshapeOp | SliceOp | ConcatOp) -> None:
    """Reshape / slice / concat as byte runs gathered by one CONCAT layer (v3 has no strided slice)."""
    if movement_is_free(lw, op):
        return
    if isinstance(op, ConcatOp):
        p = concat_parts(lw, op)
        runs = [
            RangeAttr("main", s.start + o * p.inner * d, p.inner * d, "u8")
            for o in range(p.outer)
            for s, d in zip(p.srcs, p.dims, strict=True)
        ]
        if len(runs) > MAX_COPY_RUNS:
            raise lw.err(op, f"kmodel v3 copies this as {len(runs)} runs, over {MAX_COPY_RUNS}", hint="use --kmodel-version 4")
        lw.emit(v3.ConcatOp, op, flags=1, output=RangeAttr("main", p.out.start, p.out.nbytes, "u8"), inputs=runs)
        return
    src, out = lw.loc(op.input, op), lw.loc(op.output, op)
    if isinstance(op, ReshapeOp):
        runs = [(0, src.nbytes)]
    else:
        starts, ends, steps = fixed_slice(op)
        runs = byte_runs(shape_of(op.input), starts, ends, steps, BYTES[lw.dtype(op.input, op)])
    _copy(lw, op, src, runs, out)


def _avg_pool(lw: Lowering, op: AvgPool2dOp) -> None:
    """AVERAGE_POOL2D (f32): the in-bounds taps summed in float32 in (ky, kx) order, divided by their count
    (QUANTIZED_AVERAGE_POOL2D exists in the format but no runtime implements it)."""
    if not all_f32(lw, op):
        raise lw.err(
            op,
            "no kmodel v3 runtime implements QUANTIZED_AVERAGE_POOL2D",
            hint="quantize with target=kmodel-v3 keeps it in float",
        )
    n = shape_of(op.input)[0]
    if n != 1:
        raise lw.err(op, f"kmodel v3 pools one image, got batch {n}", hint="use --kmodel-version 4")
    if op.count_include_pad.value.data and any(ints(op.pads)):
        raise lw.err(op, "kmodel v3 averages over the taps inside the input, not over explicit pads (count_include_pad)")
    lw.emit(v3.AveragePool2dOp, op, flags=1, act=0, **_pool_fields(lw, op))


def _cpu_io(lw: Lowering, op: Operation) -> dict[str, Any]:
    """The fields every one-input CPU layer starts with: flags 1, its input and its output range."""
    return {"flags": 1, "input": lw.loc(op.operands[0], op), "output": lw.loc(op.results[0], op)}


def _resize(lw: Lowering, op: ResizeOp) -> None:
    """RESIZE_NEAREST_NEIGHBOR (f32) / QUANTIZED_RESIZE_NEAREST_NEIGHBOR (u8, one quantized type): a gather, exact
    when the runtime's index maps equal nn's (`kcc.backends.kmodel_v4.resize`)."""
    why = nearest_reason(op)
    if why:
        raise lw.err(op, why, hint="use a nearest resize with asymmetric coordinates and floor rounding")
    n, c, h, w = shape_of(op.input)
    _, _, oh, ow = shape_of(op.output)
    dt = lw.dtype(op.input, op)
    if n != 1 or (dt == "u8" and element_of(op.input) != element_of(op.output)):
        raise lw.err(op, f"kmodel v3 resizes one image of one type (batch {n})", hint="use --kmodel-version 4")
    cls = v3.ResizeNearestNeighborOp if dt == "f32" else v3.QuantizedResizeNearestNeighborOp
    lw.emit(
        cls,
        op,
        **_cpu_io(lw, op),
        in_w=w,
        in_h=h,
        channels=c,
        out_w=ow,
        out_h=oh,
        align_corners=0,
    )


def _source_indices(op: SplitOp | TransposeOp | DepthToSpaceOp) -> list[np.ndarray]:
    """For each result, the flat input element index of each of its elements (row-major)."""
    shape = shape_of(op.input)
    idx = np.arange(prod(shape), dtype=np.int64).reshape(shape)
    if isinstance(op, TransposeOp):
        return [idx.transpose(ints(op.perm)).reshape(-1)]
    if isinstance(op, DepthToSpaceOp):
        n, cin, h, w = shape
        b = int(op.block.value.data)
        c = cin // (b * b)
        if op.mode.data == "DCR":
            t = idx.reshape(n, b, b, c, h, w).transpose(0, 3, 4, 1, 5, 2)
        else:
            t = idx.reshape(n, c, b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
        return [t.reshape(-1)]
    axis = int(op.axis.value.data) % len(shape)
    out: list[np.ndarray] = []
    pos = 0
    for r in op.outputs:
        k = shape_of(r)[axis]
        out.append(np.take(idx, np.arange(pos, pos + k), axis=axis).reshape(-1))
        pos += k
    return out


def _gather(lw: Lowering, op: SplitOp | TransposeOp | DepthToSpaceOp) -> None:
    """Split / transpose / depth_to_space as pure data movement: one CONCAT per result gathering the input's
    contiguous byte runs in output order (exact; refused when it takes more than MAX_COPY_RUNS runs)."""
    src = lw.loc(op.input, op)
    elem = BYTES[lw.dtype(op.input, op)]
    for r, index in zip(op.results, _source_indices(op), strict=True):
        runs: list[tuple[int, int]] = []
        if index.size:
            breaks = np.flatnonzero(np.diff(index) != 1) + 1
            starts = np.concatenate([[0], breaks])
            ends = np.concatenate([breaks, [index.size]])
            runs = [(int(index[a]) * elem, int(b - a) * elem) for a, b in zip(starts, ends, strict=True)]
        _copy(lw, op, src, runs, lw.loc(r, op))
