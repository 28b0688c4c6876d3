"""Shared machinery of `nn` ops: typed accessors, verifier helpers and shape inference.

Every `nn` op derives from `NNOp`. Its verifier runs `check()` (operand ranks, dtypes, parameter ranges)
and then compares each result shape with `infer_shapes()`: a result type that does not match what the op
computes is a verifier error. Messages say what is wrong with the numbers involved.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    DenseArrayBase,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import IRDLOperation
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.types import PerChannelQuantType, QuantType, is_float, is_quantized

Shape = tuple[int, ...]

# Property constraint for i64 arrays printed as `[1, 2]` in the custom form.
I64Array = DenseArrayBase.constr(i64)


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, [int(v) for v in values])


def i64_attr(value: int) -> IntegerAttr[I64]:
    return IntegerAttr(int(value), i64)


def ints(attr: DenseArrayBase | None) -> tuple[int, ...]:
    """The values of an i64 array property (empty for a missing optional one)."""
    if attr is None:
        return ()
    values: Sequence[int | float] = attr.get_values()  # pyright: ignore[reportAttributeAccessIssue]
    return tuple(int(v) for v in values)


def str_array(values: Sequence[str]) -> ArrayAttr[StringAttr]:
    return ArrayAttr([StringAttr(v) for v in values])


def float_value(attr: FloatAttr | None, default: float = 0.0) -> float:
    return default if attr is None else float(attr.value.data)


def fmt_shape(shape: Sequence[int]) -> str:
    return "x".join(str(d) for d in shape) if len(shape) else "scalar"


def tensor_type(value: SSAValue | Attribute, role: str) -> TensorType:
    t = value.type if isinstance(value, SSAValue) else value
    if not isinstance(t, TensorType):
        raise VerifyException(f"{role} must be a ranked tensor, got {t}")
    return t  # pyright: ignore[reportUnknownVariableType]


def shape_of(value: SSAValue | Attribute, role: str = "operand") -> Shape:
    t = tensor_type(value, role)
    shape = tuple(int(d) for d in t.get_shape())
    if any(d < 0 for d in shape):
        raise VerifyException(f"{role} must have a static shape, got {fmt_shape(shape)} (dynamic dims are not supported)")
    return shape


def element_type(value: SSAValue | Attribute) -> Attribute:
    return tensor_type(value, "value").element_type


def expect_rank(value: SSAValue, rank: int | Sequence[int], role: str) -> Shape:
    shape = shape_of(value, role)
    ranks = (rank,) if isinstance(rank, int) else tuple(rank)
    if len(shape) not in ranks:
        want = " or ".join(str(r) for r in ranks)
        raise VerifyException(f"{role} must have rank {want}, got rank {len(shape)} ({fmt_shape(shape)})")
    return shape


def expect_len(values: Sequence[int], n: int, what: str) -> None:
    if len(values) != n:
        raise VerifyException(f"{what} must have {n} values, got {len(values)}: {list(values)}")


def expect_positive(values: Sequence[int], what: str) -> None:
    if any(v <= 0 for v in values):
        raise VerifyException(f"{what} must be positive, got {list(values)}")


def expect_non_negative(values: Sequence[int], what: str) -> None:
    if any(v < 0 for v in values):
        raise VerifyException(f"{what} must be non-negative, got {list(values)}")


def expect_one_of(value: str, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise VerifyException(f"{what} must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}")


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    if not -rank <= axis < max(rank, 1):
        raise VerifyException(f"{what} {axis} is out of range for rank {rank}")
    return axis % rank if rank else 0


def same_element_kind(values: Sequence[SSAValue], roles: Sequence[str]) -> None:
    """All values float, or all quantized (scales may differ): a float/quantized mix is an error."""
    kinds = ["quantized" if is_quantized(v.type) else "float" if is_float(v.type) else "other" for v in values]
    if len(set(kinds)) > 1:
        desc = ", ".join(f"{r} is {k} ({element_type(v)})" for r, v, k in zip(roles, values, kinds, strict=True))
        raise VerifyException(f"operands must be all float or all quantized: {desc}")


def same_element_type(values: Sequence[SSAValue], roles: Sequence[str]) -> None:
    first = element_type(values[0])
    for v, r in zip(values[1:], roles[1:], strict=True):
        if element_type(v) != first:
            raise VerifyException(f"{r} element type {element_type(v)} differs from {roles[0]} element type {first}")


def expect_float_or_quant(value: SSAValue, role: str) -> None:
    if not (is_float(value.type) or is_quantized(value.type)):
        raise VerifyException(f"{role} must be float or quantized, got {element_type(value)}")


def expect_float(value: SSAValue, role: str) -> None:
    if not is_float(value.type):
        raise VerifyException(f"{role} must be float, got {element_type(value)}")


def per_channel_axis_ok(value: SSAValue, role: str) -> None:
    """A per-channel quantized operand must have one scale per element of its axis."""
    et = element_type(value)
    if isinstance(et, PerChannelQuantType):
        shape = shape_of(value, role)
        axis = et.axis.data
        if axis >= len(shape):
            raise VerifyException(f"{role}: per-channel axis {axis} is out of range for rank {len(shape)}")
        if len(et.scales.data) != shape[axis]:
            raise VerifyException(
                f"{role}: per-channel quantization has {len(et.scales.data)} scales but dimension {axis} is {shape[axis]}"
            )


def broadcast_shapes(a: Shape, b: Shape, what: str = "operands") -> Shape:
    """Numpy/ONNX multidirectional broadcasting."""
    rank = max(len(a), len(b))
    pa = (1,) * (rank - len(a)) + a
    pb = (1,) * (rank - len(b)) + b
    out: list[int] = []
    for x, y in zip(pa, pb, strict=True):
        if x != y and x != 1 and y != 1:
            raise VerifyException(f"{what} of shapes {fmt_shape(a)} and {fmt_shape(b)} cannot be broadcast")
        out.append(max(x, y) if x != 0 and y != 0 else 0)
    return tuple(out)


def conv_out_dim(size: int, kernel: int, stride: int, dilation: int, pad_begin: int, pad_end: int) -> int:
    eff = dilation * (kernel - 1) + 1
    return (size + pad_begin + pad_end - eff) // stride + 1


class NNOp(IRDLOperation):
    """Base of every `nn` op: `check()` then result shapes against `infer_shapes()`."""

    def check(self) -> None:
        """Op-specific checks of operands and properties; raise VerifyException."""

    def infer_shapes(self) -> Sequence[Shape] | None:
        """The shape of each result computed from operands and properties (None: not inferable)."""
        return None

    def verify_(self) -> None:
        try:
            self._verify_nn()
        except VerifyException as e:
            raise VerifyException(f"{self.name}: {e}") from None

    def _verify_nn(self) -> None:
        for i, v in enumerate(self.operands):
            if isinstance(v.type, TensorType):
                per_channel_axis_ok(v, f"operand #{i}")
        self.check()
        expected = self.infer_shapes()
        if expected is None:
            return
        if len(expected) != len(self.results):
            raise VerifyException(f"op computes {len(expected)} results but declares {len(self.results)}")
        for i, (res, want) in enumerate(zip(self.results, expected, strict=True)):
            got = shape_of(res, f"result #{i}")
            if tuple(got) != tuple(want):
                raise VerifyException(f"result #{i} has shape {fmt_shape(got)} but the op computes {fmt_shape(tuple(want))}")


def quant_params(value: SSAValue | Attribute) -> QuantType | PerChannelQuantType | None:
    t = value.type if isinstance(value, SSAValue) else value
    et = t.element_type if isinstance(t, TensorType) else t
    return et if isinstance(et, QuantType | PerChannelQuantType) else None
