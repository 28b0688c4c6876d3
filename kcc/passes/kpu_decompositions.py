"""The decomposition patterns `kpu-legalize` runs before legalizing, and the IR builders they share.

Each decomposition rewrites an nn op the KPU cannot run directly into nn ops it can (convs with 1x1 / 3x3
kernels, dilation 1, stride 1 or 2, batch 1, channels <= 1024, plus CPU data movement):

* `decompose_conv_transpose`: nn.conv_transpose2d -> one stride-1 nn.conv2d per output phase, interleaved;
* `decompose_dilated_conv`: dilated nn.conv2d -> one dilation-1 nn.conv2d per output phase, interleaved;
* `decompose_fully_connected`: nn.fully_connected / nn.matmul with constant weights -> 1x1 nn.conv2d on a
  zero-padded 4x4 map, with > 1024 channel splits;
* `decompose_large_kernel`: kernels other than 1x1 / 3x3 -> sums of 3x3 / 1x1 nn.conv2d on shifted views.

Each family is also its own pass (`decompose-*`). `decomposition_patterns()` is what `kpu-legalize` applies.
Every decomposition keeps the float semantics exactly (only the summation order of a conv's taps changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import prod

import numpy as np
from xdsl.dialects.builtin import Float32Type, TensorType, f32
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import RewritePattern

from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import shape_of
from kcc.dialects.nn.const import ConstOp, const_from_numpy
from kcc.dialects.nn.conv import Conv2dOp
from kcc.dialects.nn.elementwise import (
    AddOp,
    ClampOp,
    HardSigmoidOp,
    HardSwishOp,
    LeakyReluOp,
    ReluOp,
    SigmoidOp,
    TanhOp,
)
from kcc.dialects.nn.movement import ConcatOp, DepthToSpaceOp, PadOp, ReshapeOp, SliceOp, SplitOp, TransposeOp

__all__ = [
    "Emitter",
    "Window",
    "all_f32",
    "constant_f32",
    "decomposition_patterns",
    "f32_tensor",
    "has_activation",
    "window",
]


def decomposition_patterns() -> list[RewritePattern]:
    """Fresh instances of every decomposition pattern, in a fixed order."""
    from kcc.passes.decompose_conv_transpose import patterns as conv_transpose_patterns
    from kcc.passes.decompose_dilated_conv import patterns as dilated_patterns
    from kcc.passes.decompose_fully_connected import patterns as fully_connected_patterns
    from kcc.passes.decompose_large_kernel import patterns as large_kernel_patterns

    return [*conv_transpose_patterns(), *dilated_patterns(), *fully_connected_patterns(), *large_kernel_patterns()]


def all_f32(values: Sequence[SSAValue]) -> bool:
    """Every value is a static-shaped f32 tensor."""
    for v in values:
        t = v.type
        if not isinstance(t, TensorType) or not isinstance(t.element_type, Float32Type):
            return False
        if any(int(d) < 0 for d in t.get_shape()):
            return False
    return True


def constant_f32(value: SSAValue) -> np.ndarray | None:
    """The value of an f32 `nn.const`, else None."""
    owner = value.owner
    if not isinstance(owner, ConstOp) or not all_f32([value]):
        return None
    return np.asarray(owner.to_numpy(), dtype=np.float32)


def has_activation(act: ActivationAttr | None) -> bool:
    return act is not None and act.kind.data != "none"


@dataclass(frozen=True)
class Window:
    """How a conv reads `count` input positions `first + step * u` (u = 0..count-1) of a dimension of size `size`:
    the in-range ones are `nn.slice` `range(start, end, step)`; `pad_begin` / `pad_end` zeros stand for the rest."""

    start: int
    end: int
    step: int
    pad_begin: int
    pad_end: int

    def is_identity(self, size: int) -> bool:
        return self.start == 0 and self.step == 1 and self.end == size


def window(size: int, first: int, step: int, count: int) -> Window | None:
    """The `Window` of positions `first + step * u`, or None when none of them is inside `[0, size)`."""
    u_lo = 0 if first >= 0 else (-first + step - 1) // step
    u_hi = min((size - 1 - first) // step, count - 1)
    if u_lo > u_hi:
        return None
    start = first + step * u_lo
    last = first + step * u_hi
    return Window(start, last + 1, step, u_lo, count - 1 - u_hi)


def f32_tensor(shape: Sequence[int]) -> TensorType[Float32Type]:
    return TensorType(f32, list(shape))


@dataclass
class Emitter:
    """Creates nn ops (f32, static shapes) in order; `ops` is what replaces the matched op."""

    ops: list[Operation] = field(default_factory=list[Operation])
    _zero_bias: dict[int, SSAValue] = field(default_factory=dict[int, SSAValue])

    def _add(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0]

    def const(self, array: np.ndarray, name: str | None = None) -> SSAValue:
        value = self._add(const_from_numpy(np.ascontiguousarray(array, dtype=np.float32)))
        if name is not None:
            value.name_hint = name
        return value

    def zero_bias(self, channels: int) -> SSAValue:
        if channels not in self._zero_bias:
            self._zero_bias[channels] = self.const(np.zeros(channels, np.float32))
        return self._zero_bias[channels]

    def slice(self, x: SSAValue, starts: Sequence[int], ends: Sequence[int], steps: Sequence[int] | None = None) -> SSAValue:
        shape = shape_of(x)
        steps = [1] * len(shape) if steps is None else list(steps)
        if all(b == 0 and e == n and s == 1 for b, e, s, n in zip(starts, ends, steps, shape, strict=True)):
            return x
        out = [len(range(b, e, s)) for b, e, s in zip(starts, ends, steps, strict=True)]
        return self._add(SliceOp(x, f32_tensor(out), starts, ends, steps))

    def slice_hw(self, x: SSAValue, wh: Window, ww: Window) -> SSAValue:
        n, c, _, _ = shape_of(x)
        return self.slice(x, [0, 0, wh.start, ww.start], [n, c, wh.end, ww.end], [1, 1, wh.step, ww.step])

    def pad(self, x: SSAValue, pads: Sequence[int]) -> SSAValue:
        if not any(pads):
            return x
        shape = shape_of(x)
        r = len(shape)
        out = [s + pads[d] + pads[r + d] for d, s in enumerate(shape)]
        return self._add(PadOp(x, f32_tensor(out), pads, "constant", 0.0))

    def conv(
        self,
        x: SSAValue,
        weight: np.ndarray | SSAValue,
        bias: SSAValue,
        *,
        strides: Sequence[int] = (1, 1),
        pads: Sequence[int] = (0, 0, 0, 0),
        dilations: Sequence[int] = (1, 1),
        groups: int = 1,
        act: ActivationAttr | None = None,
        name: str | None = None,
    ) -> SSAValue:
        n, _, h, w = shape_of(x)
        o, _, kh, kw = weight.shape if isinstance(weight, np.ndarray) else shape_of(weight)
        oh = (h + pads[0] + pads[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
        ow = (w + pads[1] + pads[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
        wv = self.const(weight) if isinstance(weight, np.ndarray) else weight
        op = Conv2dOp(x, wv, bias, f32_tensor([n, o, oh, ow]), strides, pads, dilations, groups, act)
        out = self._add(op)
        if name is not None:
            out.name_hint = name
        return out

    def add(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._add(AddOp(a, b, a.type))

    def sum(self, values: Sequence[SSAValue]) -> SSAValue:
        total = values[0]
        for v in values[1:]:
            total = self.add(total, v)
        return total

    def concat(self, values: Sequence[SSAValue], axis: int) -> SSAValue:
        if len(values) == 1:
            return values[0]
        shape = list(shape_of(values[0]))
        shape[axis] = sum(shape_of(v)[axis] for v in values)
        return self._add(ConcatOp(values, f32_tensor(shape), axis))

    def split(self, x: SSAValue, axis: int, sizes: Sequence[int]) -> list[SSAValue]:
        if len(sizes) == 1:
            return [x]
        shape = list(shape_of(x))
        types = [f32_tensor([*shape[:axis], s, *shape[axis + 1 :]]) for s in sizes]
        op = SplitOp(x, types, axis, sizes)
        self.ops.append(op)
        return list(op.results)

    def reshape(self, x: SSAValue, shape: Sequence[int]) -> SSAValue:
        if tuple(shape_of(x)) == tuple(shape):
            return x
        assert prod(shape_of(x)) == prod(shape)
        return self._add(ReshapeOp(x, f32_tensor(shape)))

    def transpose(self, x: SSAValue, perm: Sequence[int]) -> SSAValue:
        shape = shape_of(x)
        return self._add(TransposeOp(x, f32_tensor([shape[p] for p in perm]), perm))

    def activation(self, x: SSAValue, act: ActivationAttr | None) -> SSAValue:
        """`act` as a standalone nn op (identity for none)."""
        if act is None or not has_activation(act):
            return x
        kind, p = act.kind.data, act.values
        t = x.type
        if kind == "relu":
            return self._add(ReluOp(x, t))
        if kind == "clamp":
            return self._add(ClampOp(x, t, p[0], p[1]))
        if kind == "leaky_relu":
            return self._add(LeakyReluOp(x, t, p[0]))
        if kind == "sigmoid":
            return self._add(SigmoidOp(x, t))
        if kind == "tanh":
            return self._add(TanhOp(x, t))
        if kind == "hard_sigmoid":
            return self._add(HardSigmoidOp(x, t, p[0], p[1]))
        if kind == "hard_swish":
            return self._add(HardSwishOp(x, t))
        raise AssertionError(f"activation {kind!r} has no standalone nn op")

    def interleave(self, phases: Sequence[Sequence[SSAValue]]) -> SSAValue:
        """`phases[i][j]` ([N, C, Q, P] each) -> [N, C, mh * Q, mw * P] with out[.., q*mh+i, p*mw+j] = phases[i][j][.., q, p]."""
        mh, mw = len(phases), len(phases[0])
        if mh == 1 and mw == 1:
            return phases[0][0]
        n, c, q, p = shape_of(phases[0][0])
        if mh == mw:
            # DCR DepthToSpace: out[n, c, h*b+i, w*b+j] = in[n, (i*b+j)*C + c, h, w]
            stacked = self.concat([phases[i][j] for i in range(mh) for j in range(mw)], axis=1)
            return self._add(DepthToSpaceOp(stacked, f32_tensor([n, c, q * mh, p * mw]), mh, "DCR"))
        rows: list[SSAValue] = []
        for i in range(mh):
            if mw == 1:
                rows.append(phases[i][0])
                continue
            cols = [self.reshape(phases[i][j], [n, c, q, p, 1]) for j in range(mw)]
            rows.append(self.reshape(self.concat(cols, axis=4), [n, c, q, p * mw]))
        if mh == 1:
            return rows[0]
        stacked = self.concat([self.reshape(r, [n, c, q, 1, p * mw]) for r in rows], axis=3)
        return self.reshape(stacked, [n, c, q * mh, p * mw])
