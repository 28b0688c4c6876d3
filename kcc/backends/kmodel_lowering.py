"""The allocated IR (after `quantize` + `plan-memory`) -> one `kmodel.program` (v3 or v4).

Where a tensor lives comes from the plan: main RAM `kcc.offset` / `kcc.arg_offsets`, the constant pool
`kcc.const_offset` (v4 only: v3 has no constants section, its layers embed their tables), KPU RAM the
`line` of `!kpu.ram` types. One runtime node per op, in the function's order:

| IR op | v3 layer | v4 node |
|---|---|---|
| `kpu.upload` | the runtime's input upload (first op, argument only) or K210_UPLOAD | kpu_upload |
| `kpu.conv2d` (+ `kpu.download` of its map) | K210_CONV (`main_out` when downloaded) | kpu_conv2d (`main_mem_output`) |
| `nn.quantize` / `nn.dequantize` | QUANTIZE / DEQUANTIZE | quantize / dequantize |
| `nn.requantize` (u8 -> u8) | REQUANTIZE (256-byte table) | table_lookup1d (table in the constants) |
| `nn.reshape`, contiguous `nn.slice`, in-place `nn.concat` | nothing (views) or a byte copy | nothing or a copy |
| `nn.slice`, `nn.concat` (byte movement) | CONCAT of the contiguous runs | strided_slice / concat |
| `nn.pad` (constant) | not expressible | pad (value = zero point / float value) |
| `nn.fully_connected` f32 | FULLY_CONNECTED | matmul (transposed weights in the constants) |
| `nn.add` f32 (same shapes) | ADD | binary add |
| `nn.softmax` f32 (last axis) | SOFTMAX (one row) | softmax |
| `nn.sigmoid` f32 | LOGISTIC | not expressible |
| `nn.reduce_mean` f32 over H, W | GLOBAL_AVERAGE_POOL2D | reduce mean |

A `kpu.download` is the DMA / copy of its layer's output: the lowering checks that no main-RAM tensor live
between the layer and the download overlaps the download's buffer (the copy happens at the layer).
v3 programs take their input as the runtime does: a uint8 CHW image uploaded to the first layer's map, or
a float vector for a first FULLY_CONNECTED layer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field, replace
from math import prod
from typing import Any, cast

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    Float32Type,
    IntAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    TensorType,
)
from xdsl.ir import Attribute, BlockArgument, Operation, OpResult, SSAValue

from kcc.dialects.kmodel import ProgramOp, v3, v4
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kmodel.fields import Field, dense_attr, int_attr, to_attr
from kcc.dialects.kmodel.program import NodeOp
from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.dialects.kpu.ops import DownloadOp, UploadOp
from kcc.dialects.kpu.types import KpuRamType
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import normalize_axis
from kcc.dialects.nn.const import ConstOp, dense_to_numpy
from kcc.dialects.nn.conv import FullyConnectedOp
from kcc.dialects.nn.elementwise import AddOp, SigmoidOp, SoftmaxOp
from kcc.dialects.nn.movement import ConcatOp, PadOp, ReshapeOp, SliceOp
from kcc.dialects.nn.pool import ReduceMeanOp
from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp, RequantizeOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType
from kcc.errors import KccError
from kcc.k210.kpu_ram import KPU_LINE_BYTES, map_lines

MAX_COPY_RUNS = 4096  # a v3 CONCAT used as a gather copies at most this many contiguous runs
FLT_MAX = float(np.finfo(np.float32).max)


def _f32(v: float) -> float:
    return float(np.float32(v))


def _elem_code(element: Attribute) -> str:
    """kmodel element name of an IR element type ('f32', 'u8', 'u16', 'i32')."""
    if isinstance(element, QuantType):
        element = element.storage
    if isinstance(element, Float32Type):
        return "f32"
    if isinstance(element, IntegerType):
        w, s = element.width.data, element.signedness.data
        if w == 8 and s == Signedness.UNSIGNED:
            return "u8"
        if w == 16 and s == Signedness.UNSIGNED:
            return "u16"
        if w == 32 and s != Signedness.UNSIGNED:
            return "i32"
    return ""


_BYTES = {"f32": 4, "u8": 1, "u16": 2, "i32": 4}


def _shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    if isinstance(t, KpuRamType):
        return tuple(d.data for d in t.shape.data)
    return tuple(cast(TensorType[Attribute], t).get_shape())


def _element(v: SSAValue) -> Attribute:
    t = v.type
    return t.element_type if isinstance(t, KpuRamType | TensorType) else t  # type: ignore[union-attr]


def _ints(attr: Attribute | None) -> list[int]:
    if attr is None:
        return []
    return [int(x) for x in cast(DenseArrayBase[Any], attr).get_values()]


def _shape4(shape: tuple[int, ...]) -> list[int]:
    if len(shape) > 4:
        raise KccError(f"rank {len(shape)} is above the 4 dims kmodel shapes hold")
    return [1] * (4 - len(shape)) + list(shape)


@dataclass
class Lowering:
    """State of one function's lowering."""

    f: func.FuncOp
    version: int
    ops: list[Operation] = field(default_factory=lambda: [])
    step: dict[Operation, int] = field(default_factory=lambda: {})
    nodes: list[NodeOp] = field(default_factory=lambda: [])
    extra_consts: list[bytes] = field(default_factory=lambda: [])
    const_layout: dict[Operation, int] = field(default_factory=lambda: {})
    const_size: int = 0
    main_out: dict[SSAValue, RangeAttr] = field(default_factory=lambda: {})
    skip: set[Operation] = field(default_factory=lambda: set[Operation]())

    # ------------------------------------------------------------------------------------------ locations

    def index(self, op: Operation) -> int:
        return self.step.get(op, -1)

    def err(self, op: Operation, msg: str, hint: str | None = None) -> KccError:
        return KccError(msg, op=op.name, index=self.index(op), hint=hint)

    def dtype(self, v: SSAValue, op: Operation) -> str:
        code = _elem_code(_element(v))
        if not code:
            raise self.err(op, f"kmodel v{self.version} holds f32 / u8 tensors, not {_element(v)}")
        return code

    def nbytes(self, v: SSAValue, op: Operation) -> int:
        return prod(_shape(v)) * _BYTES[self.dtype(v, op)]

    def loc(self, v: SSAValue, op: Operation) -> RangeAttr:
        """Where `v` lives, as a kmodel range (`op`: the user, for errors)."""
        t = v.type
        if isinstance(t, KpuRamType):
            if not isinstance(t.line, IntAttr):
                raise self.err(op, "a KPU map has no line: run plan-memory first")
            line = t.line.data
            c, h, w = _shape(v)[1:]
            return RangeAttr("kpu", line * KPU_LINE_BYTES, map_lines(c, h, w) * KPU_LINE_BYTES, "u8")
        dt = self.dtype(v, op)
        size = self.nbytes(v, op)
        if isinstance(v, BlockArgument):
            offs = _ints(self.f.attributes.get("kcc.arg_offsets"))
            if not offs:
                raise self.err(op, "the function has no kcc.arg_offsets: run plan-memory first")
            return RangeAttr("main", offs[v.index], size, dt)
        assert isinstance(v, OpResult)
        owner = v.op
        if isinstance(owner, ConstOp):
            if self.version == 3:
                raise self.err(op, "kmodel v3 has no constants section: this layer cannot read a constant tensor")
            return RangeAttr("const", self.const_offset(owner), size, dt)
        offs = _ints(owner.attributes.get("kcc.offset"))
        if not offs or offs[v.index] < 0:
            if owner.attributes.get("kcc.const_offset") is not None:
                raise self.err(op, f"a view of a constant ({owner.name}) as an operand is not supported")
            raise self.err(op, f"the operand from {owner.name} has no main-RAM offset: run plan-memory first")
        return RangeAttr("main", offs[v.index], size, dt)

    def const_offset(self, c: ConstOp) -> int:
        if c not in self.const_layout:
            data = dense_to_numpy(c.value).tobytes()
            self.const_layout[c] = self.add_const(data)
        return self.const_layout[c]

    def add_const(self, data: bytes) -> int:
        off = self.const_size
        self.extra_consts.append(data + bytes(-len(data) % 8))
        self.const_size += len(data) + (-len(data) % 8)
        return off

    def constants(self) -> bytes:
        return b"".join(self.extra_consts)

    # ------------------------------------------------------------------------------------------ nodes

    def emit(self, cls: type[NodeOp], op: Operation, **values: Any) -> None:
        props: dict[str, Attribute] = {}
        for f in cls.FIELDS:
            if f.optional and f.prop not in values:
                continue
            if f.prop not in values:
                raise AssertionError(f"{cls.name}: field {f.prop} missing")
            value = values[f.prop]
            if f.kind == "dense" and not f.elem and isinstance(value, np.ndarray):
                value = dense_attr(value, np.dtype(value.dtype).newbyteorder("<").str.lstrip("|"))
            props[f.prop] = to_attr(f, value)
        node = cls.create(properties=props)
        self.nodes.append(node)
        del op


# ================================================================================================ shared helpers


def _runs(in_shape: tuple[int, ...], starts: list[int], ends: list[int], steps: list[int], elem: int) -> list[tuple[int, int]]:
    """Byte runs (offset in the input, size) that, copied back to back, give the slice (row-major)."""
    rank = len(in_shape)
    strides = [prod(in_shape[i + 1 :]) * elem for i in range(rank)]
    axes = [list(range(s, e, st)) for s, e, st in zip(starts, ends, steps, strict=True)]
    # merge trailing whole dims with unit step into one run
    inner = rank
    run = elem
    while inner > 0 and steps[inner - 1] == 1:
        d = inner - 1
        n = len(axes[d])
        run *= n
        inner -= 1
        if n != in_shape[d]:
            break
    out: list[tuple[int, int]] = []
    idx = np.zeros(1, dtype=np.int64)
    for d in range(inner):
        idx = (idx[:, None] + np.asarray(axes[d], dtype=np.int64)[None, :] * strides[d]).reshape(-1)
    base = starts[inner] * strides[inner] if inner < rank else 0
    for o in idx.tolist():
        s = int(o) + base
        if out and out[-1][0] + out[-1][1] == s:
            out[-1] = (out[-1][0], out[-1][1] + run)
        else:
            out.append((s, run))
    return out


def _fixed_slice(op: SliceOp) -> tuple[list[int], list[int], list[int]]:
    """starts, ends (just past the last element taken, in the step's direction) and steps of a slice."""
    starts, steps = _ints(op.starts), _ints(op.steps)
    out = _shape(op.output)
    ends = [s + (n - 1) * st + (1 if st > 0 else -1) if n else s for s, n, st in zip(starts, out, steps, strict=True)]
    return starts, ends, steps


def _quant(v: SSAValue) -> QuantType | None:
    et = _element(v)
    return et if isinstance(et, QuantType) else None


def _act_range(op: Operation) -> tuple[float, float] | None:
    """(min, max) of a fused clamp-like activation (None: not expressible as a clamp)."""
    act = op.properties.get("act")
    if act is None:
        return (-FLT_MAX, FLT_MAX)
    assert isinstance(act, ActivationAttr)
    kind = act.kind.data
    params = [float(p.value.data) for p in act.params.data]
    if kind == "relu":
        return (0.0, FLT_MAX)
    if kind == "clamp" and len(params) == 2:
        return (params[0], params[1])
    return None


def _kpu_words(op: KpuConv2dOp, *, main_out: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arg = op.arg.value
    arg = replace(arg, send_data_out=int(main_out), int_en=0)
    words = np.frombuffer(arg.encode(), dtype="<u8").copy()
    bn = np.frombuffer(op.bn.table.encode(), dtype="<u8").copy()
    act = np.frombuffer(op.act.table.encode(), dtype="<u8").copy()
    return words, bn, act


def _weights(op: KpuConv2dOp, lw: Lowering) -> np.ndarray:
    w = op.weight
    if not isinstance(w, OpResult) or not isinstance(w.op, ConstOp):
        raise lw.err(op, "the weights of a KPU layer must be a constant")
    return dense_to_numpy(w.op.value).reshape(-1)


def _live_ranges(lw: Lowering) -> list[tuple[int, int, RangeAttr]]:
    """(first step, last step, main range) of every main-RAM tensor."""
    out: list[tuple[int, int, RangeAttr]] = []
    ret = lw.ops[-1]
    values: list[tuple[int, SSAValue]] = [(0, a) for a in lw.f.body.block.args]
    values += [(lw.step[o], r) for o in lw.ops for r in o.results]
    for s, v in values:
        if isinstance(v.type, KpuRamType) or (isinstance(v, OpResult) and isinstance(v.op, ConstOp)):
            continue
        if isinstance(v, OpResult) and not _ints(v.op.attributes.get("kcc.offset")):
            continue
        if isinstance(v, OpResult) and _ints(v.op.attributes.get("kcc.offset"))[v.index] < 0:
            continue
        last = max([lw.step.get(u.operation, s) for u in v.uses] + [s])
        if any(u.operation is ret for u in v.uses):
            last = len(lw.ops)
        try:
            r = lw.loc(v, ret)
        except KccError:
            continue
        out.append((s, last, r))
    return out


def _check_downloads(lw: Lowering) -> dict[KpuConv2dOp, DownloadOp]:
    """Each download belongs to the layer computing its map; the copy moves to the layer's step, so no
    main tensor live in between may overlap its buffer."""
    pairs: dict[KpuConv2dOp, DownloadOp] = {}
    live = _live_ranges(lw)
    for op in lw.ops:
        if not isinstance(op, DownloadOp):
            continue
        src = op.input
        if not isinstance(src, OpResult) or not isinstance(src.op, KpuConv2dOp):
            raise lw.err(op, "kmodel files download only a KPU layer's output (the map comes from elsewhere)")
        conv = src.op
        if conv in pairs:
            raise lw.err(op, "a second download of the same KPU map", hint="the quantize pass should emit one")
        r = lw.loc(op.output, op)
        s_conv, s_dl = lw.step[conv], lw.step[op]
        for first, last, other in live:
            if other == r and first == s_dl:
                continue
            if first < s_dl and last >= s_conv and other.start < r.start + r.nbytes and r.start < other.start + other.nbytes:
                raise lw.err(
                    op,
                    f"the download's buffer [{r.start}, {r.start + r.nbytes}) is in use between its layer (#{s_conv}) "
                    f"and the download (#{s_dl}); the runtime writes it at the layer",
                    hint="place downloads right after their layer before plan-memory",
                )
        pairs[conv] = op
    return pairs


# ================================================================================================ v3


def _v3_first_input(lw: Lowering) -> None:
    """v3 takes one input: the uploaded image of the first K210_CONV, or the float vector of a first FC."""
    args = list(lw.f.body.block.args)
    if len(args) != 1:
        raise KccError(f"kmodel v3 takes one input, the function has {len(args)}", op="func.func", hint="use --kmodel-version 4")
    body = [o for o in lw.ops if not isinstance(o, ConstOp)]
    first = body[0]
    if isinstance(first, UploadOp) and first.input is args[0]:
        users = [u.operation for u in first.output.uses]
        nxt = body[1] if len(body) > 1 else None
        if nxt is None or not isinstance(nxt, KpuConv2dOp) or nxt.input is not first.output or len(users) != 1:
            raise lw.err(first, "kmodel v3: the uploaded input must feed the first KPU layer and nothing else")
        lw.skip.add(first)
        return
    if isinstance(first, KpuConv2dOp) and first.input is args[0]:
        return
    if isinstance(first, FullyConnectedOp) and first.input is args[0] and lw.dtype(args[0], first) == "f32":
        return
    raise lw.err(
        first,
        "kmodel v3's runtime starts only with a KPU layer on the uint8 input image or a float FULLY_CONNECTED",
        hint="compile with --input-type uint8, or use --kmodel-version 4",
    )


def _v3_copy(lw: Lowering, op: Operation, src: RangeAttr, runs: list[tuple[int, int]], out: RangeAttr) -> None:
    if len(runs) > MAX_COPY_RUNS:
        raise lw.err(op, f"kmodel v3 copies this as {len(runs)} runs, more than {MAX_COPY_RUNS}", hint="use --kmodel-version 4")
    ins = [RangeAttr("main", src.start + s, n, "u8") for s, n in runs]
    lw.emit(v3.ConcatOp, op, flags=1, output=RangeAttr("main", out.start, out.nbytes, "u8"), inputs=ins)


def _lower_v3_op(lw: Lowering, op: Operation, downloads: dict[KpuConv2dOp, DownloadOp]) -> None:
    if isinstance(op, UploadOp):
        x, o = lw.loc(op.input, op), lw.loc(op.output, op)
        _c, h, w = _shape(op.input)[1:]
        lw.emit(v3.K210UploadOp, op, flags=0, input=x, output=o, width=w, height=h, channels=_shape(op.input)[1])
    elif isinstance(op, KpuConv2dOp):
        dl = downloads.get(op)
        main = lw.loc(dl.output, dl) if dl is not None else RangeAttr("main", 0, 0, "u8")
        words, bn, act = _kpu_words(op, main_out=dl is not None)
        w = _weights(op, lw)
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
    elif isinstance(op, QuantizeOp | DequantizeOp):
        q = _quant(op.output if isinstance(op, QuantizeOp) else op.input)
        if q is None or _elem_code(q) != "u8":
            et = _element(op.output if isinstance(op, QuantizeOp) else op.input)
            if isinstance(et, PerChannelQuantType):
                raise lw.err(op, "per-channel quantization is not expressible in kmodel v3's QUANTIZE / DEQUANTIZE")
            raise lw.err(op, f"kmodel v3 quantizes to uint8 only, not {et}")
        s = float(q.scale_value)
        zp = int(q.zp_value)
        cls = v3.QuantizeOp if isinstance(op, QuantizeOp) else v3.DequantizeOp
        lw.emit(
            cls,
            op,
            flags=1,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            count=prod(_shape(op.input)),
            scale=_f32(s),
            bias=_f32(-zp * s),
        )
    elif isinstance(op, RequantizeOp):
        lw.emit(
            v3.RequantizeOp,
            op,
            flags=1,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            count=prod(_shape(op.input)),
            table=_requant_table(lw, op),
        )
    elif isinstance(op, ReshapeOp | SliceOp | ConcatOp):
        _lower_movement(lw, op)
    elif isinstance(op, FullyConnectedOp):
        _v3_fc(lw, op)
    elif isinstance(op, AddOp) and _all_f32(lw, op) and _shape(op.lhs) == _shape(op.rhs) == _shape(op.output):
        lw.emit(
            v3.AddOp,
            op,
            flags=1,
            in_a=lw.loc(op.lhs, op),
            in_b=lw.loc(op.rhs, op),
            out=lw.loc(op.output, op),
            count=prod(_shape(op.output)),
        )
    elif isinstance(op, SoftmaxOp | SigmoidOp) and _all_f32(lw, op):
        shape = _shape(op.input)
        if isinstance(op, SoftmaxOp) and prod(shape) != shape[-1]:
            raise lw.err(op, f"kmodel v3's SOFTMAX takes one row, the input is {list(shape)}", hint="use --kmodel-version 4")
        cls = v3.SoftmaxOp if isinstance(op, SoftmaxOp) else v3.LogisticOp
        lw.emit(cls, op, flags=1, input=lw.loc(op.input, op), output=lw.loc(op.output, op), channels=prod(shape))
    elif isinstance(op, ReduceMeanOp) and _all_f32(lw, op) and _is_global_hw(op):
        n, c, h, w = _shape(op.input)
        lw.emit(
            v3.GlobalAveragePool2dOp,
            op,
            flags=1,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            kernel_size=h * w,
            channels=n * c,
        )
    else:
        raise lw.err(op, "not expressible in kmodel v3", hint="use --kmodel-version 4 (or auto)")


def _all_f32(lw: Lowering, op: Operation) -> bool:
    return all(lw.dtype(v, op) == "f32" for v in (*op.operands, *op.results))


def _is_global_hw(op: ReduceMeanOp) -> bool:
    shape = _shape(op.input)
    axes = sorted(normalize_axis(a, len(shape)) for a in _ints(op.properties.get("axes")))
    return len(shape) == 4 and axes == [2, 3]


def _requant_table(lw: Lowering, op: RequantizeOp) -> np.ndarray:
    from kcc.interp.quant import requantize

    if lw.dtype(op.input, op) != "u8" or lw.dtype(op.output, op) != "u8":
        raise lw.err(op, "only uint8 -> uint8 requantization is a 256-entry table")
    return requantize(np.arange(256, dtype=np.uint8), op.input.type, op.output.type).astype(np.uint8)


def _fc_params(lw: Lowering, op: FullyConnectedOp) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    if not _all_f32(lw, op):
        raise lw.err(op, "a quantized fully_connected has no kmodel layer (KPU layers take it)", hint="keep it float")
    consts: list[np.ndarray] = []
    for v in (op.weight, op.bias):
        if not isinstance(v, OpResult) or not isinstance(v.op, ConstOp):
            raise lw.err(op, "fully_connected weights and bias must be constants")
        consts.append(dense_to_numpy(v.op.value).astype(np.float32))
    act = _act_range(op)
    if act is None:
        raise lw.err(op, "the fused activation is not a clamp")
    if _shape(op.input)[0] != 1:
        raise lw.err(op, f"batch {_shape(op.input)[0]}: kmodel fully-connected layers take one row")
    return consts[0], consts[1], act


def _v3_fc(lw: Lowering, op: FullyConnectedOp) -> None:
    w, b, (lo, hi) = _fc_params(lw, op)
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


def _is_view(lw: Lowering, op: Operation, src: RangeAttr, out: RangeAttr) -> bool:
    """The result already sits where the op would copy it (a view planned by plan-memory)."""
    if isinstance(op, ReshapeOp):
        return src.start == out.start
    if isinstance(op, SliceOp):
        starts, ends, steps = _fixed_slice(op)
        runs = _runs(_shape(op.input), starts, ends, steps, _BYTES[lw.dtype(op.input, op)])
        return len(runs) == 1 and src.start + runs[0][0] == out.start
    return False


def _lower_movement(lw: Lowering, op: ReshapeOp | SliceOp | ConcatOp) -> None:
    if isinstance(op, ConcatOp):
        if op.attributes.get("kcc.in_place") is not None:
            return
        _lower_concat(lw, op)
        return
    src, out = lw.loc(op.input, op), lw.loc(op.output, op)
    if _is_view(lw, op, src, out):
        return
    elem = _BYTES[lw.dtype(op.input, op)]
    if isinstance(op, ReshapeOp):
        runs = [(0, src.nbytes)]
    else:
        starts, ends, steps = _fixed_slice(op)
        if lw.version == 4:
            shape = _shape(op.input)
            pad = 4 - len(shape)
            lw.emit(
                v4.StridedSliceOp,
                op,
                input=src,
                output=out,
                in_shape=_shape4(shape),
                begin=[0] * pad + starts,
                end=[1] * pad + ends,
                strides=[1] * pad + steps,
                begin_mask=0,
                end_mask=0,
                ellipsis_mask=0,
                new_axis_mask=0,
                shrink_axis_mask=0,
            )
            return
        runs = _runs(_shape(op.input), starts, ends, steps, elem)
    if lw.version == 3:
        _v3_copy(lw, op, src, runs, out)
    else:
        _v4_copy(lw, op, src, out)


def _lower_concat(lw: Lowering, op: ConcatOp) -> None:
    out = lw.loc(op.output, op)
    dts = {lw.dtype(v, op) for v in (*op.inputs, op.output)}
    if len(dts) != 1 or any(v.type != op.output.type and _element(v) != _element(op.output) for v in op.inputs):
        raise lw.err(op, "a concat that rescales its inputs has no kmodel node", hint="requantize the inputs first")
    shape = _shape(op.output)
    axis = normalize_axis(int(op.axis.value.data), len(shape))
    elem = _BYTES[dts.pop()]
    inner = prod(shape[axis + 1 :]) * elem
    outer = prod(shape[:axis])
    srcs = [lw.loc(v, op) for v in op.inputs]
    dims = [_shape(v)[axis] for v in op.inputs]
    if lw.version == 4:
        lw.emit(v4.ConcatOp, op, out=out, inner_size=inner, outer_size=outer, inputs=srcs, dims=dims)
        return
    runs = [
        RangeAttr("main", s.start + o * inner * d, inner * d, "u8") for o in range(outer) for s, d in zip(srcs, dims, strict=True)
    ]
    if len(runs) > MAX_COPY_RUNS:
        raise lw.err(op, f"kmodel v3 copies this as {len(runs)} runs, more than {MAX_COPY_RUNS}", hint="use --kmodel-version 4")
    lw.emit(v3.ConcatOp, op, flags=1, output=RangeAttr("main", out.start, out.nbytes, "u8"), inputs=runs)


# ================================================================================================ v4


def _v4_copy(lw: Lowering, op: Operation, src: RangeAttr, out: RangeAttr) -> None:
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


def _inverse_scale(s: float) -> float:
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


def _lower_v4_op(lw: Lowering, op: Operation, downloads: dict[KpuConv2dOp, DownloadOp]) -> None:
    if isinstance(op, UploadOp):
        lw.emit(v4.KpuUploadOp, op, input=lw.loc(op.input, op), output=lw.loc(op.output, op), in_shape=_shape4(_shape(op.input)))
    elif isinstance(op, KpuConv2dOp):
        dl = downloads.get(op)
        main = lw.loc(dl.output, dl) if dl is not None else RangeAttr("main", 0, 0, "u8")
        words, bn, act = _kpu_words(op, main_out=dl is not None)
        w = _weights(op, lw)
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
        q = _quant(qv)
        if q is None or _elem_code(q) != "u8":
            raise lw.err(op, f"kmodel v4 quantizes to per-tensor uint8 only, not {_element(qv)}")
        cls = v4.QuantizeOp if isinstance(op, QuantizeOp) else v4.DequantizeOp
        lw.emit(
            cls,
            op,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            zero_point=int(q.zp_value),
            scale=_inverse_scale(float(q.scale_value)),
        )
    elif isinstance(op, RequantizeOp):
        table = _requant_table(lw, op)
        off = lw.add_const(table.tobytes())
        lw.emit(
            v4.TableLookup1dOp,
            op,
            input=lw.loc(op.input, op),
            table=RangeAttr("const", off, 256, "u8"),
            output=lw.loc(op.output, op),
        )
    elif isinstance(op, ReshapeOp | SliceOp | ConcatOp):
        _lower_movement(lw, op)
    elif isinstance(op, PadOp):
        _v4_pad(lw, op)
    elif isinstance(op, FullyConnectedOp):
        w, b, act = _fc_params(lw, op)
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
            fused_activation=[_f32(act[0]), _f32(act[1])],
            bias=b,
        )
    elif isinstance(op, AddOp) and _all_f32(lw, op):
        lw.emit(
            v4.BinaryOp,
            op,
            in_a=lw.loc(op.lhs, op),
            in_b=lw.loc(op.rhs, op),
            out=lw.loc(op.output, op),
            binary_op=0,
            a_shape=_shape4(_shape(op.lhs)),
            b_shape=_shape4(_shape(op.rhs)),
            out_shape=_shape4(_shape(op.output)),
            fused_activation=[-FLT_MAX, FLT_MAX],
        )
    elif isinstance(op, SoftmaxOp) and _all_f32(lw, op):
        shape = _shape(op.input)
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
    elif isinstance(op, ReduceMeanOp) and _all_f32(lw, op) and _is_global_hw(op):
        lw.emit(
            v4.ReduceOp,
            op,
            input=lw.loc(op.input, op),
            output=lw.loc(op.output, op),
            reduce_op=0,
            in_shape=_shape4(_shape(op.input)),
            out_shape=_shape4(_shape(op.output)),
            init_value=0.0,
        )
    else:
        raise lw.err(op, "not expressible in kmodel v4")


def _v4_pad(lw: Lowering, op: PadOp) -> None:
    if op.mode.data != "constant":
        raise lw.err(op, f"kmodel pads with a constant, not mode {op.mode.data!r}")
    shape = _shape(op.input)
    pads = _ints(op.pads)
    rank = len(shape)
    before, after = pads[:rank], pads[rank:]
    lead = 4 - rank
    paddings = [0] * (2 * lead)
    for b, a in zip(before, after, strict=True):
        paddings += [b, a]
    value = float(cast(Any, op.value).value.data) if op.value is not None else 0.0
    dt = lw.dtype(op.input, op)
    q = _quant(op.input)
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
        in_shape=_shape4(shape),
        paddings=paddings,
        pad_type=pad_type,
        pad_value=np.frombuffer(pad_value, dtype=np.uint8),
    )


# ================================================================================================ driver


def _entry(module: ModuleOp) -> func.FuncOp:
    fs = [o for o in module.ops if isinstance(o, func.FuncOp) and o.body.blocks]
    if len(fs) != 1:
        raise KccError(f"lower-to-kmodel takes a module with one function, got {len(fs)}", op="builtin.module")
    return fs[0]


def _prepare(module: ModuleOp, version: int) -> tuple[Lowering, dict[KpuConv2dOp, DownloadOp]]:
    f = _entry(module)
    lw = Lowering(f, version)
    lw.ops = list(f.body.block.ops)
    lw.step = {o: i for i, o in enumerate(lw.ops)}
    if f.attributes.get("kcc.memory") is None:
        raise KccError("the function has no kcc.memory: run plan-memory first", op="func.func")
    return lw, _check_downloads(lw)


def lower_function(module: ModuleOp, version: int) -> ProgramOp:
    """The `kmodel.program` of `module`'s one function in kmodel `version` (3 or 4)."""
    if version not in (3, 4):
        raise KccError(f"kmodel version {version} is not 3 or 4", op="lower-to-kmodel", hint="version=3 or version=4")
    lw, downloads = _prepare(module, version)
    if version == 3:
        _v3_first_input(lw)
    ret = lw.ops[-1]
    for op in lw.ops:
        if op in lw.skip or isinstance(op, ConstOp | DownloadOp) or op is ret:
            continue
        if version == 3:
            _lower_v3_op(lw, op, downloads)
        else:
            _lower_v4_op(lw, op, downloads)
    if not lw.nodes:
        raise KccError("the program has no runtime node", op="lower-to-kmodel")
    memory = cast(DictionaryAttr, lw.f.attributes["kcc.memory"]).data
    main_mem = int(cast(IntegerAttr, memory["main_peak"]).value.data)
    outputs = [lw.loc(v, ret) for v in ret.operands]
    if any(o.pool_name != "main" for o in outputs):
        raise lw.err(ret, "kmodel outputs live in main RAM", hint="download KPU maps before returning them")
    props: dict[str, Attribute] = {
        "version": int_attr(version),
        "flags": int_attr(0),
        "main_mem": int_attr(max(main_mem, 8)),
        "outputs": _ranges(outputs),
    }
    if version == 3:
        weights16 = any(isinstance(n, v3.K210ConvOp) and _elem_of(n) == "u16" for n in lw.nodes)
        props["flags"] = int_attr(0 if weights16 else 1)
        props["arch"] = int_attr(0)
        lines = [
            cast(RangeAttr, n.properties[p]).start // KPU_LINE_BYTES
            for n in lw.nodes
            if isinstance(n, v3.K210ConvOp)
            for p in ("input", "output")
        ]
        props["max_start_address"] = int_attr(min(lines) if lines else 0)
    else:
        args = list(lw.f.body.block.args)
        props["target"] = int_attr(1)
        props["reserved0"] = int_attr(0)
        props["inputs"] = _ranges([lw.loc(a, ret) for a in args])
        props["input_shapes"] = to_attr(Field("input_shapes", "shapes"), [_shape4(_shape(a)) for a in args])
        consts = lw.constants()
        if consts:
            props["constants"] = dense_attr(consts, "u1")
    program = ProgramOp(props, lw.nodes)
    program.verify()
    return program


def _ranges(rs: list[RangeAttr]) -> Attribute:
    from xdsl.dialects.builtin import ArrayAttr

    return ArrayAttr(rs)


def _elem_of(node: NodeOp) -> str:
    t = cast(DenseIntOrFPElementsAttr, node.properties["weights"]).get_element_type()
    return "u16" if isinstance(t, IntegerType) and t.width.data == 16 else "u8"


def version_reason(module: ModuleOp) -> tuple[int, str]:
    """(3, why) when the whole program is expressible in v3 (MaixPy's native format), else (4, why not)."""
    try:
        lower_function(module, 3)
    except KccError as e:
        return 4, f"kmodel v4: not expressible in v3: {e}"
    return 3, "kmodel v3: every op is expressible in v3 (MaixPy's native format)"


__all__ = ["Lowering", "lower_function", "version_reason"]
