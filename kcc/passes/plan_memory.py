"""`plan-memory`: lifetimes and placement of every tensor in three pools, recorded in the IR.

**Execution order** is the order of the ops in the function body; op `#i` runs at step `i`. A value is live from
the step that defines it (function arguments: step 0) to its last use (a value the function returns: the
`func.return`), both inclusive, so an op's operands and results are live together and never share memory.

**Downloads.** The runtimes write a `kpu.download` of a `kpu.conv2d`'s map at the layer itself (kmodel v3
`main_out`, v4 `main_mem_output`), wherever the download sits in the function, so its result is live from the
layer's step (not the download's) to its last use.

**Aliases** (no copy, no memory of their own): `nn.reshape` results, and `nn.slice` results whose elements are
contiguous in the input (leading dims of size 1, then one dim sliced with step 1, the rest whole), share their
input's buffer at the view's byte offset. With `concat-in-place` (default on), an `nn.concat` whose inputs are
contiguous blocks of the result (every dim before the axis is 1) and of the result's element type (a quantized
concat that rescales is not in place) has each input written straight into its slot of the result: an input
qualifies when its buffer is its own (produced here by an op, not a constant, argument or view of a larger
buffer, not already in another concat, not repeated in this concat). The concat then copies each input onto
itself; the lowering may skip it (the op gets the unit attribute `kcc.in_place`). A buffer is live from the
first definition to the last use of any value sharing it.

**Pools.**

* constants (`nn.const` results): laid out one after another, `main-align` aligned; never reused.
* main RAM (every other tensor): sizes rounded up to `main-align` (default 8), placed to minimize the peak;
  `main-limit` (bytes, 0: no limit) makes a larger peak an error.
* KPU RAM (every `!kpu.ram` value): sizes are the map's lines in the KPU layout (`kcc.k210.kpu_ram.map_lines`,
  64-byte lines), capped at 2 MiB. A `kpu.conv2d`'s input and output are both live at its step, so they never
  overlap.

Placement: `kcc.memory.cp_sat.solve` per pool (first-fit, then CP-SAT minimizing the peak within
`max-solve-secs`, shared by the pools; 0 = first-fit only). Every plan is checked by `kcc.memory.verify`.

**Encoding in the IR** (what the kmodel lowering reads):

* `!kpu.ram` values get their line in the type: `!kpu.ram<1xCxHxWxT, line N>`; every `kpu.conv2d` gets
  `image_src_addr` / `image_dst_addr` equal to its maps' lines.
* an op with main-RAM results gets `kcc.offset = array<i64: ...>`: the byte offset of each result in the
  main-RAM arena (-1 for a result that is not in main RAM); constants (and views of them) get
  `kcc.const_offset = array<i64: ...>` in the constant pool. Views and in-place concat inputs carry their own
  offsets (inside the shared buffer).
* the function gets `kcc.arg_offsets = array<i64: ...>` (main-RAM offset of each argument, -1 for `!kpu.ram`
  arguments, whose line is in their type) and `kcc.memory = {const = .., main_peak = .., main_lower_bound = ..,
  kpu_peak = .., kpu_lower_bound = ..}` (bytes); the module gets the same dictionary (the maximum over its
  functions).

`report=true` prints the plan of each pool (kcc.memory.report) to stderr; `memory-map=FILE` writes the
address x time chart (`.png`: PNG, else SVG). Overflow of a pool is a KccError naming the step of the peak, the
values live there and their sizes, how many bytes over, and what would help.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from math import prod

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DenseArrayBase,
    DictionaryAttr,
    FunctionType,
    IntegerAttr,
    ModuleOp,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, BlockArgument, Operation, OpResult, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter

from kcc.dialects.kpu.attrs import LayerArgumentAttr
from kcc.dialects.kpu.ops import Conv2dOp, DownloadOp
from kcc.dialects.kpu.types import KpuRamType
from kcc.dialects.nn.base import normalize_axis
from kcc.dialects.nn.const import ConstOp
from kcc.dialects.nn.movement import ConcatOp, ReshapeOp, SliceOp
from kcc.dialects.nn.types import numpy_dtype
from kcc.errors import KccError
from kcc.k210.kpu_ram import KPU_LINE_BYTES, KPU_LINES, map_lines
from kcc.memory.buffers import Buffer, Plan, live_bytes
from kcc.memory.cp_sat import solve
from kcc.memory.report import plan_table, write_chart
from kcc.memory.verify import check_plan

__all__ = ["FunctionPlan", "PlanMemoryPass", "plan_function"]

MAIN, KPU, CONST = "main", "kpu", "const"


def _align_up(x: int, a: int) -> int:
    return -(-x // a) * a


def _tensor_bytes(t: TensorType) -> int:  # pyright: ignore[reportMissingTypeArgument, reportUnknownParameterType]
    shape: tuple[int, ...] = tuple(int(d) for d in t.get_shape())  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType, reportUnknownVariableType]
    return prod(shape) * numpy_dtype(t.element_type).itemsize  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]


def _shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    assert isinstance(t, TensorType)
    return tuple(int(d) for d in t.get_shape())  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType, reportUnknownVariableType]


def _element(v: SSAValue) -> Attribute:
    t = v.type
    assert isinstance(t, TensorType)
    return t.element_type  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def _slice_view_offset(op: SliceOp) -> int | None:
    """Byte offset of the slice's result inside its input when the kept elements are contiguous, else None."""
    src, out = _shape(op.input), _shape(op.output)
    starts = op.starts.get_values()
    steps = op.steps.get_values()
    rank = len(src)

    def contiguous_from(d: int) -> bool:
        # dims before d keep one index, dim d a step-1 range (or one index), every dim after d is whole
        if any(out[k] != 1 for k in range(d)):
            return False
        if any(out[k] != src[k] or starts[k] != 0 for k in range(d + 1, rank)):
            return False
        return steps[d] == 1 or out[d] == 1

    if rank and not any(contiguous_from(d) for d in range(rank)):
        return None
    strides = [prod(src[k + 1 :]) for k in range(rank)]
    return sum(int(s) * st for s, st in zip(starts, strides, strict=True)) * numpy_dtype(_element(op.input)).itemsize


@dataclass
class _Value:
    value: SSAValue
    name: str
    pool: str
    size: int  # bytes (KPU: lines)
    start: int
    end: int
    parent: SSAValue | None = None
    offset_in_parent: int = 0


@dataclass
class FunctionPlan:
    """The plans of one function: per pool, and each value's pool and absolute offset (KPU: line)."""

    function: func.FuncOp
    plans: dict[str, Plan]
    const_bytes: int
    offsets: dict[SSAValue, tuple[str, int]]
    buffers_of: dict[str, list[Buffer]] = field(default_factory=dict[str, list[Buffer]])

    def figures(self) -> dict[str, int]:
        out = {"const": self.const_bytes}
        for pool, unit in ((MAIN, 1), (KPU, KPU_LINE_BYTES)):
            plan = self.plans.get(pool)
            out[f"{pool}_peak"] = plan.peak * unit if plan else 0
            out[f"{pool}_lower_bound"] = plan.lower_bound * unit if plan else 0
        return out


def _name(v: SSAValue, ops: dict[Operation, int]) -> str:
    if v.name_hint:
        return f"%{v.name_hint}"
    if isinstance(v, BlockArgument):
        return f"%arg{v.index}"
    assert isinstance(v, OpResult)
    return f"%{ops[v.op]}" + (f"#{v.index}" if len(v.op.results) > 1 else "")


def _collect(f: func.FuncOp, main_align: int, concat_in_place: bool) -> tuple[list[Operation], dict[SSAValue, _Value]]:
    ops = list(f.body.block.ops)
    index = {op: i for i, op in enumerate(ops)}
    values: dict[SSAValue, _Value] = {}

    def last_use(v: SSAValue, start: int) -> int:
        end = start
        for use in v.uses:
            user: Operation | None = use.operation
            while user is not None and user not in index:
                user = user.parent_op()
            if user is not None:
                end = max(end, index[user])
        return end

    def add(v: SSAValue, start: int, is_const: bool) -> None:
        t = v.type
        if isinstance(t, KpuRamType):
            c, h, w = t.chw
            values[v] = _Value(v, _name(v, index), KPU, map_lines(c, h, w), start, last_use(v, start))
        elif isinstance(t, TensorType):
            size = _align_up(_tensor_bytes(t), main_align)  # pyright: ignore[reportUnknownArgumentType]
            values[v] = _Value(v, _name(v, index), CONST if is_const else MAIN, size, start, last_use(v, start))

    for a in f.body.block.args:
        add(a, 0, False)
    for i, op in enumerate(ops):
        for r in op.results:
            add(r, i, isinstance(op, ConstOp))
        if isinstance(op, DownloadOp) and op.output in values:
            # the runtimes write a download at its KPU layer (kpu_conv2d's main output): live from the layer on
            src = op.input
            if isinstance(src, OpResult) and isinstance(src.op, Conv2dOp) and src.op in index:
                values[op.output].start = min(values[op.output].start, index[src.op])
        if isinstance(op, ReshapeOp) and op.input in values and op.output in values:
            values[op.output].parent = op.input
        elif isinstance(op, SliceOp) and op.input in values and op.output in values:
            off = _slice_view_offset(op)
            if off is not None:
                values[op.output].parent, values[op.output].offset_in_parent = op.input, off
    if concat_in_place:
        for op in ops:
            if isinstance(op, ConcatOp) and op.output in values and values[op.output].pool == MAIN:
                _concat_in_place(op, values)
    return ops, values


def _root(v: SSAValue, values: dict[SSAValue, _Value]) -> tuple[SSAValue, int]:
    off = 0
    while (p := values[v].parent) is not None:
        off += values[v].offset_in_parent
        v = p
    return v, off


def _concat_in_place(op: ConcatOp, values: dict[SSAValue, _Value]) -> None:
    out_shape = _shape(op.output)
    axis = normalize_axis(op.axis.value.data, len(out_shape))
    if any(d != 1 for d in out_shape[:axis]):
        return
    roots: list[SSAValue] = []
    for x in op.inputs:
        if x not in values or _element(x) != _element(op.output):
            return
        root, off = _root(x, values)
        info = values[root]
        if (
            off != 0
            or info.pool != MAIN
            or not isinstance(root, OpResult)
            or info.parent is not None
            or root in roots
            or _tensor_bytes(root.type) != _tensor_bytes(x.type)  # pyright: ignore[reportArgumentType]
            or _root(op.output, values)[0] == root
        ):
            return
        roots.append(root)
    itemsize = numpy_dtype(_element(op.output)).itemsize
    inner = prod(out_shape[axis + 1 :])
    pos = 0
    for x, root in zip(op.inputs, roots, strict=True):
        values[root].parent, values[root].offset_in_parent = op.output, pos * inner * itemsize
        pos += _shape(x)[axis]
    op.attributes["kcc.in_place"] = UnitAttr()


def plan_function(
    f: func.FuncOp,
    *,
    max_solve_secs: float = 60.0,
    main_align: int = 8,
    concat_in_place: bool = True,
) -> FunctionPlan:
    """Lifetimes and placement of every tensor of `f` (the IR is not changed except `kcc.in_place`)."""
    ops, values = _collect(f, main_align, concat_in_place)
    groups: dict[SSAValue, list[SSAValue]] = {}
    for v in values:
        groups.setdefault(_root(v, values)[0], []).append(v)
    buffers: dict[str, list[Buffer]] = {MAIN: [], KPU: [], CONST: []}
    root_of_buffer: dict[tuple[str, int], SSAValue] = {}
    for root, members in groups.items():
        info = values[root]
        pool = info.pool
        start = min(values[m].start for m in members)
        end = max(values[m].end for m in members)
        align = 1 if pool == KPU else main_align
        b = Buffer(
            len(buffers[pool]),
            info.size,
            start,
            end,
            align,
            pool,
            info.name,
            tuple(values[m].name for m in members if m is not root),
        )
        buffers[pool].append(b)
        root_of_buffer[(pool, b.id)] = root
    # constants: one after another, never reused
    base: dict[SSAValue, tuple[str, int]] = {}
    const_top = 0
    for b in buffers[CONST]:
        base[root_of_buffer[(CONST, b.id)]] = (CONST, const_top)
        const_top += b.size
    plans: dict[str, Plan] = {}
    remaining = max_solve_secs
    for pool in (KPU, MAIN):
        if not buffers[pool]:
            continue
        plan = solve(buffers[pool], pool, max_seconds=max(remaining, 0.0) if max_solve_secs > 0 else 0.0)
        if max_solve_secs > 0:
            remaining = max(remaining - plan.solve_seconds, 0.001)
        check_plan(plan.buffers, plan.offsets)
        plans[pool] = plan
        for b in plan.buffers:
            base[root_of_buffer[(pool, b.id)]] = (pool, plan.offsets[b.id])
    offsets: dict[SSAValue, tuple[str, int]] = {}
    for v in values:
        root, off = _root(v, values)
        pool, at = base[root]
        offsets[v] = (pool, at + off)
    del ops
    return FunctionPlan(f, plans, const_top, offsets, buffers)


def _overflow(fp: FunctionPlan, pool: str, capacity: int, unit: int, option_hint: str) -> KccError:
    plan = fp.plans[pool]
    peak = plan.peak * unit
    live = live_bytes(plan.buffers)
    step = max(range(len(live)), key=lambda t: (live[t], -t))
    ops = list(fp.function.body.block.ops)
    at = ops[step]
    name = at.results[0].name_hint if at.results and at.results[0].name_hint else None
    where = f" (%{name})" if name else ""
    live_here = sorted((b for b in plan.buffers if b.start <= step <= b.end), key=lambda b: (-b.size, b.id))
    listed = ", ".join(f"{b.label} {b.size * unit} bytes" for b in live_here[:8])
    more = f" and {len(live_here) - 8} more" if len(live_here) > 8 else ""
    pool_name = "KPU RAM" if pool == KPU else "main RAM"
    frag = ""
    if plan.lower_bound * unit <= capacity:
        frag = f"; the lower bound {plan.lower_bound * unit} fits, so a longer search (max-solve-secs) may find a plan"
    return KccError(
        f"{pool_name} needs {peak} bytes, {peak - capacity} over the {capacity}-byte limit; at the peak{where} "
        f"{len(live_here)} values are live: {listed}{more}{frag}",
        op=at.name,
        index=step,
        hint=option_hint,
    )


def _i64s(values: list[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, values)


def _memory_dict(figures: dict[str, int]) -> DictionaryAttr:
    return DictionaryAttr({k: IntegerAttr(v, i64) for k, v in sorted(figures.items())})


def record(fp: FunctionPlan) -> None:
    """Write the plan into the IR (encoding in the module docstring)."""
    f = fp.function
    rewriter = PatternRewriter(f)
    for v, (pool, at) in fp.offsets.items():
        t = v.type
        if pool == KPU and isinstance(t, KpuRamType) and t.line_value != at:
            rewriter.replace_value_with_new_type(v, t.with_line(at))
    arg_offsets = [at if pool == MAIN else -1 for pool, at in (fp.offsets.get(a, (KPU, -1)) for a in f.body.block.args)]
    if f.body.block.args:
        f.attributes["kcc.arg_offsets"] = _i64s(arg_offsets)
    for op in f.body.block.ops:
        for pool, attr in ((MAIN, "kcc.offset"), (CONST, "kcc.const_offset")):
            offs = [fp.offsets.get(r, ("", -1)) for r in op.results]
            if any(p == pool for p, _ in offs):
                op.attributes[attr] = _i64s([at if p == pool else -1 for p, at in offs])
        if isinstance(op, Conv2dOp):
            src, dst = op.input.type, op.output.type
            assert isinstance(src, KpuRamType) and isinstance(dst, KpuRamType)
            arg = op.layer_argument.with_fields(image_src_addr=src.line_value or 0, image_dst_addr=dst.line_value or 0)
            op.arg = LayerArgumentAttr(arg)
    ret = f.body.block.last_op
    outputs = [r.type for r in ret.operands] if isinstance(ret, func.ReturnOp) else list(f.function_type.outputs.data)
    f.function_type = FunctionType.from_lists([a.type for a in f.body.block.args], outputs)
    f.attributes["kcc.memory"] = _memory_dict(fp.figures())


@dataclass(frozen=True)
class PlanMemoryPass(ModulePass):
    """Lifetimes + placement of every tensor: constants, main RAM (aligned), KPU RAM (64-byte lines, 2 MiB)."""

    name = "plan-memory"
    max_solve_secs: int = 60  # CP-SAT time for all pools of a function; 0: first-fit only
    main_align: int = 8  # main-RAM alignment in bytes
    main_limit: int = 0  # main-RAM bytes available (0: no limit)
    concat_in_place: bool = True  # nn.concat inputs written straight into the result where legal
    report: bool = False  # print the plan of each pool to stderr
    memory_map: str = ""  # write the address x time chart here (.png: PNG, else SVG)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.main_align < 1 or self.max_solve_secs < 0 or self.main_limit < 0:
            raise KccError(
                f"plan-memory options: main-align {self.main_align} must be >= 1, max-solve-secs "
                f"{self.max_solve_secs} and main-limit {self.main_limit} >= 0",
                hint="e.g. --plan-memory=main-align=8",
            )
        totals: dict[str, int] = {}
        all_plans: list[Plan] = []
        units: list[int] = []
        for f in [o for o in op.ops if isinstance(o, func.FuncOp) and o.body.blocks]:
            fp = plan_function(
                f, max_solve_secs=self.max_solve_secs, main_align=self.main_align, concat_in_place=self.concat_in_place
            )
            kpu = fp.plans.get(KPU)
            if kpu is not None and kpu.peak > KPU_LINES:
                raise _overflow(
                    fp,
                    KPU,
                    KPU_LINES * KPU_LINE_BYTES,
                    KPU_LINE_BYTES,
                    "use a smaller input or fewer channels, or download a map to main RAM and run that layer on the CPU",
                )
            main = fp.plans.get(MAIN)
            if self.main_limit and main is not None and main.peak > self.main_limit:
                raise _overflow(
                    fp,
                    MAIN,
                    self.main_limit,
                    1,
                    "raise main-limit if the firmware leaves more RAM, or use a smaller input or fewer channels",
                )
            record(fp)
            for k, v in fp.figures().items():
                totals[k] = max(totals.get(k, 0), v)
            if self.report:
                sys.stderr.write(f"plan-memory @{f.sym_name.data}: constants {fp.const_bytes} bytes\n")
            for pool, unit in ((KPU, KPU_LINE_BYTES), (MAIN, 1)):
                plan = fp.plans.get(pool)
                if plan is None:
                    continue
                all_plans.append(plan)
                units.append(unit)
                if self.report:
                    sys.stderr.write(plan_table(plan, unit))
        op.attributes["kcc.memory"] = _memory_dict(totals)
        if self.memory_map:
            write_chart(all_plans, self.memory_map, units)
