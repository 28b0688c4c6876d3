"""Permutations of tensor dimensions: their algebra, and what they do to types and constants.

`transpose(x, perm)` has dimension `i` equal to dimension `perm[i]` of `x` (the `nn.transpose` convention).
A per-channel quantized type (`!nn.qc`) follows its channel: its axis is renumbered with the dimensions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute

from kcc.dialects.nn.const import ConstOp, const_from_numpy
from kcc.dialects.nn.types import PerChannelQuantType

Perm = tuple[int, ...]
Shape = tuple[int, ...]


def inverse(perm: Sequence[int]) -> Perm:
    """`q` with `transpose(transpose(x, perm), q) == x`."""
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def compose(inner: Sequence[int], outer: Sequence[int]) -> Perm:
    """`c` with `transpose(transpose(x, inner), outer) == transpose(x, c)`."""
    return tuple(inner[j] for j in outer)


def is_identity(perm: Sequence[int]) -> bool:
    return all(i == p for i, p in enumerate(perm))


def permute(values: Sequence[int], perm: Sequence[int]) -> tuple[int, ...]:
    """Per-dimension values (a shape, pads, bounds) of `x` -> those of `transpose(x, perm)`."""
    return tuple(values[p] for p in perm)


def moves_only_unit_dims(shape: Sequence[int], perm: Sequence[int]) -> bool:
    """True when `transpose(x, perm)` keeps the order of the non-unit dims of `x`, i.e. is a reshape."""
    kept = [p for p in perm if shape[p] != 1]
    return kept == sorted(kept)


def _with_element(t: TensorType, shape: Sequence[int], axis_map: dict[int, int]) -> TensorType:
    """`t` with a new shape; a per-channel axis `a` becomes `axis_map[a]`."""
    et: Attribute = t.element_type
    if isinstance(et, PerChannelQuantType):
        axis = axis_map[et.axis.data]
        et = PerChannelQuantType(et.storage, axis, [s.value.data for s in et.scales.data], [z.data for z in et.zero_points.data])
    return TensorType(et, list(shape))


def tensor(t: Attribute) -> TensorType:
    if not isinstance(t, TensorType):
        raise TypeError(f"expected a tensor type, got {t}")
    return t  # pyright: ignore[reportUnknownVariableType]


def permute_type(t: Attribute, perm: Sequence[int]) -> TensorType:
    """The type of `transpose(x, perm)` for `x: t`."""
    tt = tensor(t)
    shape = tuple(int(d) for d in tt.get_shape())
    inv = inverse(perm)
    return _with_element(tt, permute(shape, perm), {a: inv[a] for a in range(len(shape))})


def expand_type(t: Attribute, rank: int) -> TensorType:
    """`t` with leading unit dims up to `rank` (numpy broadcasting alignment)."""
    tt = tensor(t)
    shape = tuple(int(d) for d in tt.get_shape())
    extra = rank - len(shape)
    return _with_element(tt, (1,) * extra + shape, {a: a + extra for a in range(len(shape))})


def has_per_channel_axis(t: Attribute, dim: int) -> bool:
    et = tensor(t).element_type
    return isinstance(et, PerChannelQuantType) and et.axis.data == dim


def broadcast_operand_const(op: ConstOp, rank: int, perm: Sequence[int], min_rank: int) -> ConstOp:
    """A constant operand of a broadcasting op, moved to the other side of `transpose(., perm)`.

    The constant `c` (rank <= `rank`) broadcasts against rank-`rank` values in the transposed layout; the result
    broadcasts identically against the untransposed values: `c` is aligned to `rank` (leading unit dims),
    permuted by `inverse(perm)`, then its leading unit dims are dropped again down to `min_rank` (numpy
    broadcasting re-adds them), e.g. a [C] constant on NHWC becomes a [C, 1, 1] constant on NCHW.
    """
    inv = inverse(perm)
    value = op.to_numpy()
    expanded = expand_type(op.output.type, rank)
    new_type = permute_type(expanded, inv)
    data = np.transpose(value.reshape(tuple(expanded.get_shape())), inv)
    shape = tuple(int(d) for d in new_type.get_shape())
    drop = 0
    while len(shape) - drop > min_rank and shape[drop] == 1 and not has_per_channel_axis(new_type, drop):
        drop += 1
    if drop:
        shape = shape[drop:]
        new_type = _with_element(new_type, shape, {a: a - drop for a in range(drop, drop + len(shape))})
        data = data.reshape(shape)
    return const_from_numpy(data, new_type)


def transpose_const(op: ConstOp, perm: Sequence[int]) -> ConstOp:
    """An `nn.const` holding `transpose(op, perm)` (per-channel axis renumbered)."""
    return const_from_numpy(np.transpose(op.to_numpy(), tuple(perm)), permute_type(op.output.type, perm))


def unit_reshape_plan(x_shape: Shape, perm: Sequence[int], out_shape: Shape) -> tuple[Shape, Perm] | None:
    """`reshape(transpose(x, perm), out_shape)` as `transpose(reshape(x, s), q)`, when the reshape only adds or
    removes unit dims (the non-unit dims of its input and result are equal, in order). Returns (s, q) or None.

    `s` lists the non-unit dims of `x` in their own order followed by the unit dims of the result; `q` takes each
    result dim from there.
    """
    t_shape = permute(x_shape, perm)
    if [d for d in t_shape if d != 1] != [d for d in out_shape if d != 1]:
        return None
    x_nonunit = [d for d in range(len(x_shape)) if x_shape[d] != 1]
    position = {d: i for i, d in enumerate(x_nonunit)}
    t_nonunit_sources = [p for p in perm if x_shape[p] != 1]  # x dim of each non-unit dim of the transpose, in order
    n_units = sum(1 for d in out_shape if d == 1)
    s: Shape = tuple(x_shape[d] for d in x_nonunit) + (1,) * n_units
    q: list[int] = []
    k = 0
    u = len(x_nonunit)
    for d in out_shape:
        if d == 1:
            q.append(u)
            u += 1
        else:
            q.append(position[t_nonunit_sources[k]])
            k += 1
    return s, tuple(q)


__all__ = [
    "Perm",
    "broadcast_operand_const",
    "compose",
    "expand_type",
    "inverse",
    "is_identity",
    "moves_only_unit_dims",
    "permute",
    "permute_type",
    "transpose_const",
    "unit_reshape_plan",
]
