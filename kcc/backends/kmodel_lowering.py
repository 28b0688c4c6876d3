"""The allocated IR (after `quantize` + `plan-memory`) -> one `kmodel.program` (v3 or v4).

This module holds what both versions share (locations, constants, the download check, the driver); the
per-op lowering is `kcc/backends/kmodel_v3/lowering.py` and `kcc/backends/kmodel_v4/lowering.py`.

Where a tensor lives comes from the plan: main RAM `kcc.offset` / `kcc.arg_offsets`, the constant pool
`kcc.const_offset` (v4 only: v3 has no constants section, its layers embed their tables), KPU RAM the
`line` of `!kpu.ram` types. One op becomes one runtime node, or a short exact node sequence (a dequantize
by 1 then a multiply, a fill plus CONCAT gathers for a v3 pad, ...); scratch main RAM for a sequence comes from
`Lowering.scratch` above the plan's peak. The op-by-op table (v3 layer, v4 node, exactness, what cannot be
lowered) is `docs/compile.md`; `uint8_reason` tells the `quantize` pass which uint8 CPU ops a version runs
exactly.

A `kpu.download` is the DMA / copy of its layer's output: the lowering checks that no main-RAM tensor live
between the layer and the download overlaps the download's buffer (the copy happens at the layer).
v3 programs take their input as the runtime does: a uint8 CHW image uploaded to the first layer's map, or
a float vector for a first FULLY_CONNECTED layer (`kmodel_v3/input_loader.py` adds such a first layer when the
program starts on the CPU).
"""

from __future__ import annotations

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

from kcc.dialects.kmodel import ProgramOp, v3
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kmodel.fields import Field, dense_attr, int_attr, to_attr
from kcc.dialects.kmodel.program import NodeOp
from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.dialects.kpu.ops import DownloadOp
from kcc.dialects.kpu.types import KpuRamType
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import normalize_axis
from kcc.dialects.nn.const import ConstOp, dense_to_numpy
from kcc.dialects.nn.conv import FullyConnectedOp
from kcc.dialects.nn.movement import ConcatOp, ReshapeOp, SliceOp
from kcc.dialects.nn.pool import ReduceMeanOp
from kcc.dialects.nn.quant import RequantizeOp
from kcc.dialects.nn.types import QuantType
from kcc.errors import KccError
from kcc.k210.kpu_ram import KPU_LINE_BYTES, map_lines

MAX_COPY_RUNS = 4096  # a v3 CONCAT used as a gather copies at most this many contiguous runs
FLT_MAX = float(np.finfo(np.float32).max)


def f32_round(v: float) -> float:
    return float(np.float32(v))


def elem_code(element: Attribute) -> str:
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


BYTES = {"f32": 4, "u8": 1, "u16": 2, "i32": 4}


def shape_of(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    if isinstance(t, KpuRamType):
        return tuple(d.data for d in t.shape.data)
    return tuple(cast(TensorType[Attribute], t).get_shape())


def element_of(v: SSAValue) -> Attribute:
    t = v.type
    return t.element_type if isinstance(t, KpuRamType | TensorType) else t  # type: ignore[union-attr]


def ints(attr: Attribute | None) -> list[int]:
    if attr is None:
        return []
    return [int(x) for x in cast(DenseArrayBase[Any], attr).get_values()]


def shape4(shape: tuple[int, ...]) -> list[int]:
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
    scratch_used: int = 0  # bytes of main-RAM scratch taken by the op being lowered (reset per op)
    scratch_peak: int = 0  # most scratch any op took: the program's main memory is the plan's peak plus this

    # ------------------------------------------------------------------------------------------ locations

    def index(self, op: Operation) -> int:
        return self.step.get(op, -1)

    def err(self, op: Operation, msg: str, hint: str | None = None) -> KccError:
        return KccError(msg, op=op.name, index=self.index(op), hint=hint)

    def dtype(self, v: SSAValue, op: Operation) -> str:
        code = elem_code(element_of(v))
        if not code:
            raise self.err(op, f"kmodel v{self.version} holds f32 / u8 tensors, not {element_of(v)}")
        return code

    def nbytes(self, v: SSAValue, op: Operation) -> int:
        return prod(shape_of(v)) * BYTES[self.dtype(v, op)]

    def loc(self, v: SSAValue, op: Operation) -> RangeAttr:
        """Where `v` lives, as a kmodel range (`op`: the user, for errors)."""
        t = v.type
        if isinstance(t, KpuRamType):
            if not isinstance(t.line, IntAttr):
                raise self.err(op, "a KPU map has no line: run plan-memory first")
            line = t.line.data
            c, h, w = shape_of(v)[1:]
            return RangeAttr("kpu", line * KPU_LINE_BYTES, map_lines(c, h, w) * KPU_LINE_BYTES, "u8")
        dt = self.dtype(v, op)
        size = self.nbytes(v, op)
        if isinstance(v, BlockArgument):
            offs = ints(self.f.attributes.get("kcc.arg_offsets"))
            if not offs:
                raise self.err(op, "the function has no kcc.arg_offsets: run plan-memory first")
            return RangeAttr("main", offs[v.index], size, dt)
        assert isinstance(v, OpResult)
        owner = v.op
        if isinstance(owner, ConstOp):
            if self.version == 3:
                raise self.err(op, "kmodel v3 has no constants section: this layer cannot read a constant tensor")
            return RangeAttr("const", self.const_offset(owner), size, dt)
        offs = ints(owner.attributes.get("kcc.offset"))
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

    def main_peak(self) -> int:
        memory = cast(DictionaryAttr, self.f.attributes["kcc.memory"]).data
        return int(cast(IntegerAttr, memory["main_peak"]).value.data)

    def scratch(self, nbytes: int, dtype: str) -> RangeAttr:
        """A main-RAM range above the plan's peak for an intermediate of the op being lowered (a node sequence);
        free again when the next op is lowered."""
        base = -(-self.main_peak() // 8) * 8
        r = RangeAttr("main", base + self.scratch_used, nbytes, dtype)
        self.scratch_used += -(-nbytes // 8) * 8
        self.scratch_peak = max(self.scratch_peak, self.scratch_used)
        return r

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


def byte_runs(
    in_shape: tuple[int, ...], starts: list[int], ends: list[int], steps: list[int], elem: int
) -> list[tuple[int, int]]:
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


def fixed_slice(op: SliceOp) -> tuple[list[int], list[int], list[int]]:
    """starts, ends (just past the last element taken, in the step's direction) and steps of a slice."""
    starts, steps = ints(op.starts), ints(op.steps)
    out = shape_of(op.output)
    ends = [s + (n - 1) * st + (1 if st > 0 else -1) if n else s for s, n, st in zip(starts, out, steps, strict=True)]
    return starts, ends, steps


def quant_of(v: SSAValue) -> QuantType | None:
    et = element_of(v)
    return et if isinstance(et, QuantType) else None


def act_range(op: Operation) -> tuple[float, float] | None:
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


def kpu_words(op: KpuConv2dOp, *, main_out: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arg = op.arg.value
    arg = replace(arg, send_data_out=int(main_out), int_en=0)
    words = np.frombuffer(arg.encode(), dtype="<u8").copy()
    bn = np.frombuffer(op.bn.table.encode(), dtype="<u8").copy()
    act = np.frombuffer(op.act.table.encode(), dtype="<u8").copy()
    return words, bn, act


def kpu_weights(op: KpuConv2dOp, lw: Lowering) -> np.ndarray:
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
        if isinstance(v, OpResult) and not ints(v.op.attributes.get("kcc.offset")):
            continue
        if isinstance(v, OpResult) and ints(v.op.attributes.get("kcc.offset"))[v.index] < 0:
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


def check_downloads(lw: Lowering) -> dict[KpuConv2dOp, DownloadOp]:
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


def all_f32(lw: Lowering, op: Operation) -> bool:
    return all(lw.dtype(v, op) == "f32" for v in (*op.operands, *op.results))


def is_global_hw(op: ReduceMeanOp) -> bool:
    shape = shape_of(op.input)
    axes = sorted(normalize_axis(a, len(shape)) for a in ints(op.properties.get("axes")))
    return len(shape) == 4 and axes == [2, 3]


def requant_table(lw: Lowering, op: RequantizeOp) -> np.ndarray:
    from kcc.interp.quant import requantize

    if lw.dtype(op.input, op) != "u8" or lw.dtype(op.output, op) != "u8":
        raise lw.err(op, "only uint8 -> uint8 requantization is a 256-entry table")
    return requantize(np.arange(256, dtype=np.uint8), op.input.type, op.output.type).astype(np.uint8)


def fc_params(lw: Lowering, op: FullyConnectedOp) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    if not all_f32(lw, op):
        raise lw.err(op, "a quantized fully_connected has no kmodel layer (KPU layers take it)", hint="keep it float")
    consts: list[np.ndarray] = []
    for v in (op.weight, op.bias):
        if not isinstance(v, OpResult) or not isinstance(v.op, ConstOp):
            raise lw.err(op, "fully_connected weights and bias must be constants")
        consts.append(dense_to_numpy(v.op.value).astype(np.float32))
    act = act_range(op)
    if act is None:
        raise lw.err(op, "the fused activation is not a clamp")
    if shape_of(op.input)[0] != 1:
        raise lw.err(op, f"batch {shape_of(op.input)[0]}: kmodel fully-connected layers take one row")
    return consts[0], consts[1], act


def is_view(lw: Lowering, op: Operation, src: RangeAttr, out: RangeAttr) -> bool:
    """The result already sits where the op would copy it (a view planned by plan-memory)."""
    if isinstance(op, ReshapeOp):
        return src.start == out.start
    if isinstance(op, SliceOp):
        starts, ends, steps = fixed_slice(op)
        runs = byte_runs(shape_of(op.input), starts, ends, steps, BYTES[lw.dtype(op.input, op)])
        return len(runs) == 1 and src.start + runs[0][0] == out.start
    return False


@dataclass(frozen=True)
class ConcatParts:
    """A concat as byte blocks: `outer` repetitions of each input's `inner * dim` bytes, in order."""

    out: RangeAttr
    inner: int
    outer: int
    srcs: list[RangeAttr]
    dims: list[int]


def concat_parts(lw: Lowering, op: ConcatOp) -> ConcatParts:
    out = lw.loc(op.output, op)
    dts = {lw.dtype(v, op) for v in (*op.inputs, op.output)}
    if len(dts) != 1 or any(v.type != op.output.type and element_of(v) != element_of(op.output) for v in op.inputs):
        raise lw.err(op, "a concat that rescales its inputs has no kmodel node", hint="requantize the inputs first")
    shape = shape_of(op.output)
    axis = normalize_axis(int(op.axis.value.data), len(shape))
    elem = BYTES[dts.pop()]
    return ConcatParts(
        out,
        prod(shape[axis + 1 :]) * elem,
        prod(shape[:axis]),
        [lw.loc(v, op) for v in op.inputs],
        [shape_of(v)[axis] for v in op.inputs],
    )


def movement_is_free(lw: Lowering, op: ReshapeOp | SliceOp | ConcatOp) -> bool:
    """The op needs no node: a concat planned in place, or a reshape/slice planned as a view."""
    if isinstance(op, ConcatOp):
        return op.attributes.get("kcc.in_place") is not None
    return is_view(lw, op, lw.loc(op.input, op), lw.loc(op.output, op))


# ================================================================================================ uint8 rules


def uint8_reason(op: Operation, inputs: list[QuantType], outputs: list[QuantType], version: int) -> str:
    """Why CPU op `op` would have no exact kmodel `version` lowering if it ran on uint8 with the per-tensor types
    `inputs` (its data operands) / `outputs` (its results); "" when it has one. `quantize{target=kmodel...}` keeps
    the ops with a reason in float (dequantize / quantize at the edges), so `kcc compile` never produces a uint8
    op the kmodel cannot run exactly."""
    from kcc.dialects.nn.movement import DepthToSpaceOp, PadOp, ResizeOp, SplitOp, TransposeOp
    from kcc.dialects.nn.pool import MaxPool2dOp, ReduceMaxOp, ReduceMinOp

    if any(elem_code(t) != "u8" for t in (*inputs, *outputs)):
        return "kmodel runs per-tensor uint8 only"
    rank = len(shape_of(op.operands[0])) if op.operands else 0
    if isinstance(op, ReshapeOp | SliceOp | ConcatOp):
        return ""
    if isinstance(op, MaxPool2dOp):
        if op.dilation_values() != (1, 1):
            return "kmodel pools are not dilated"
        if version == 3 and shape_of(op.input)[0] != 1:
            return "kmodel v3 max-pools one image"
        return ""
    if isinstance(op, PadOp):
        if op.mode.data not in ("constant", "edge"):
            return f"kmodel pads with a constant or the edge value, not {op.mode.data!r}"
        if version == 4 and rank > 4:
            return f"kmodel v4 pads 4-d tensors, not rank {rank}"
        return ""
    if isinstance(op, ResizeOp):
        from kcc.backends.kmodel_v4.resize import nearest_reason

        return nearest_reason(op)
    if version == 3 and isinstance(op, TransposeOp | SplitOp | DepthToSpaceOp):
        return ""  # CONCAT gathers of byte runs (`kmodel_v3/lowering.py`), whatever the element type
    if version == 3:
        return f"kmodel v3 has no uint8 {op.name} layer"
    if isinstance(op, TransposeOp | SplitOp):
        return f"kmodel v4 moves 4-d tensors, not rank {rank}" if rank > 4 else ""
    if isinstance(op, DepthToSpaceOp):
        return "" if shape_of(op.input)[0] == 1 else "kmodel v4 depth_to_space takes batch 1"
    if isinstance(op, ReduceMaxOp | ReduceMinOp):
        return "" if rank <= 4 else f"kmodel v4 reduces 4-d tensors, not rank {rank}"
    if isinstance(op, ReduceMeanOp):
        from kcc.backends.kmodel_v4.uint8_mean import mean_scale

        if rank > 4:
            return f"kmodel v4 reduces 4-d tensors, not rank {rank}"
        count = prod(shape_of(op.input)) // max(prod(shape_of(op.output)), 1)
        qx, qy = inputs[0], outputs[0]
        sx, sy = float(np.float32(qx.scale_value)), float(np.float32(qy.scale_value))
        return mean_scale(count, int(qx.zp_value), int(qy.zp_value), sx, sy)[1]
    return f"kmodel v4 has no exact uint8 {op.name}"


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
    return lw, check_downloads(lw)


def lower_function(module: ModuleOp, version: int) -> ProgramOp:
    """The `kmodel.program` of `module`'s one function in kmodel `version` (3 or 4)."""
    if version not in (3, 4):
        raise KccError(f"kmodel version {version} is not 3 or 4", op="lower-to-kmodel", hint="version=3 or version=4")
    from kcc.backends.kmodel_v3 import lowering as lowering_v3
    from kcc.backends.kmodel_v4 import lowering as lowering_v4

    lw, downloads = _prepare(module, version)
    if version == 3:
        lowering_v3.first_input(lw)
    lower_op = lowering_v3.lower_op if version == 3 else lowering_v4.lower_op
    ret = lw.ops[-1]
    for op in lw.ops:
        if op in lw.skip or isinstance(op, ConstOp | DownloadOp) or op is ret:
            continue
        lw.scratch_used = 0
        lower_op(lw, op, downloads)
    if not lw.nodes:
        raise KccError("the program has no runtime node", op="lower-to-kmodel")
    main_mem = lw.main_peak()
    if lw.scratch_peak:
        main_mem = -(-main_mem // 8) * 8 + lw.scratch_peak
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
        props["input_shapes"] = to_attr(Field("input_shapes", "shapes"), [shape4(shape_of(a)) for a in args])
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


__all__ = [
    "BYTES",
    "FLT_MAX",
    "MAX_COPY_RUNS",
    "ConcatParts",
    "Lowering",
    "act_range",
    "all_f32",
    "byte_runs",
    "concat_parts",
    "elem_code",
    "element_of",
    "f32_round",
    "fc_params",
    "fixed_slice",
    "ints",
    "is_global_hw",
    "kpu_weights",
    "kpu_words",
    "lower_function",
    "movement_is_free",
    "quant_of",
    "requant_table",
    "shape4",
    "shape_of",
    "uint8_reason",
    "version_reason",
]
