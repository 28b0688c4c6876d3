"""`nn.dequantize` (u8 per-tensor -> f32) as kmodel v3 layers, bit-exact with the interpreter.

The interpreter computes fl((q - zp)·s) (one rounding). v3's DEQUANTIZE computes fma(q, scale, bias) with
one rounding (the SDK loop contracted to `fmadd.s`), so scale = s, bias = -zp·s is exact whenever -zp·s is
a float32 (zp = 0 always). Otherwise the product is split by sign, each half exact:

1. REQUANTIZE q -> P = max(q - zp, 0) into the last quarter of the output buffer; DEQUANTIZE it onto the
   whole buffer with scale s, bias 0 (in place from the tail: float i never overwrites byte j > i).
2. REQUANTIZE q -> M = max(zp - q, 0) and DEQUANTIZE it with scale -s into a scratch buffer: main-RAM bytes
   no tensor uses at this step (nor a KPU download pending there), else `Lowering.scratch` above the plan's
   peak (the header's main_mem grows by it).
3. ADD the two: exactly one of them is non-zero (a + 0 = a; +0 + +0 = +0 where q = zp).

The single DEQUANTIZE is kept only when the output overlaps the input (an in-place plan): it differs from
the interpreter by less than ulp(zp·s)/2 before the final rounding.
"""

from __future__ import annotations

from math import prod

import numpy as np
from xdsl.ir import OpResult, SSAValue

from kcc.backends.kmodel_lowering import Lowering, f32_round, ints, quant_of, shape_of
from kcc.dialects.kmodel import v3
from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.kpu.ops import DownloadOp
from kcc.dialects.kpu.types import KpuRamType
from kcc.dialects.nn.const import ConstOp
from kcc.dialects.nn.quant import DequantizeOp
from kcc.errors import KccError

__all__ = ["bias_is_exact", "free_gap", "lower_dequantize"]


def bias_is_exact(scale: float, zp: int) -> bool:
    """-zp·scale is a float32 (so fma(q, scale, bias) = fl((q - zp)·scale) for every q)."""
    s = f32_round(scale)
    return float(np.float32(-zp * s)) == -zp * s


def _live(lw: Lowering, step: int) -> list[tuple[int, int]]:
    """Main-RAM byte intervals in use at `step` (tensors alive across it, downloads written at their layer)."""
    ret = lw.ops[-1]
    values: list[tuple[int, SSAValue]] = [(0, a) for a in lw.f.body.block.args]
    values += [(lw.step[o], r) for o in lw.ops for r in o.results]
    out: list[tuple[int, int]] = []
    for first, v in values:
        if isinstance(v.type, KpuRamType) or (isinstance(v, OpResult) and isinstance(v.op, ConstOp)):
            continue
        if isinstance(v, OpResult):
            offs = ints(v.op.attributes.get("kcc.offset"))
            if not offs or offs[v.index] < 0:
                continue
            if isinstance(v.op, DownloadOp) and isinstance(v.op.input, OpResult):
                first = lw.step.get(v.op.input.op, first)
        last = max([lw.step.get(u.operation, first) for u in v.uses] + [first])
        if any(u.operation is ret for u in v.uses):
            last = len(lw.ops)
        if not first <= step <= last:
            continue
        try:
            r = lw.loc(v, ret)
        except KccError:
            continue
        out.append((r.start, r.start + r.nbytes))
    return sorted(out)


def free_gap(lw: Lowering, step: int, size: int, limit: int) -> int | None:
    """Start of `size` free main-RAM bytes (8-aligned) below `limit` at `step`, or None."""
    pos = 0
    for a, b in [*_live(lw, step), (limit, limit)]:
        if a - pos >= size:
            return pos
        pos = max(pos, (b + 7) & ~7)
    return None


def _table(zp: int, sign: int) -> np.ndarray:
    q = np.arange(256, dtype=np.int64)
    return np.clip(sign * (q - zp), 0, 255).astype(np.uint8)


def lower_dequantize(lw: Lowering, op: DequantizeOp, main_limit: int) -> None:
    q = quant_of(op.input)
    assert q is not None
    s, zp = float(q.scale_value), int(q.zp_value)
    src, out = lw.loc(op.input, op), lw.loc(op.output, op)
    n = prod(shape_of(op.input))
    overlap = src.start < out.start + out.nbytes and out.start < src.start + src.nbytes
    if bias_is_exact(s, zp) or overlap or n == 0:
        lw.emit(v3.DequantizeOp, op, flags=1, input=src, output=out, count=n, scale=f32_round(s), bias=f32_round(-zp * s))
        return
    gap = free_gap(lw, lw.index(op), 4 * n, main_limit)
    scratch = RangeAttr("main", gap, 4 * n, "f32") if gap is not None else lw.scratch(4 * n, "f32")
    gap = scratch.start
    tail = RangeAttr("main", out.start + 3 * n, n, "u8")
    scratch_tail = RangeAttr("main", gap + 3 * n, n, "u8")
    for dst_u8, dst_f32, sign in ((tail, out, 1), (scratch_tail, scratch, -1)):
        lw.emit(v3.RequantizeOp, op, flags=1, input=src, output=dst_u8, count=n, table=_table(zp, sign))
        lw.emit(v3.DequantizeOp, op, flags=1, input=dst_u8, output=dst_f32, count=n, scale=f32_round(sign * s), bias=0.0)
    lw.emit(v3.AddOp, op, flags=1, in_a=out, in_b=scratch, out=out, count=n)
