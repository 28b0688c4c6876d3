"""Elementwise `nn` ops: unary activations and math, broadcasting binary arithmetic, PReLU and softmax.

    %y = nn.relu %x : tensor<1x8xf32> -> tensor<1x8xf32>
    %y = nn.clamp %x min 0.0 max 6.0 : tensor<1x8xf32> -> tensor<1x8xf32>          relu6 (TFLite RELU6)
    %y = nn.leaky_relu %x alpha 0.1 : tensor<1x8xf32> -> tensor<1x8xf32>
    %y = nn.hard_sigmoid %x alpha 0.2 beta 0.5 : tensor<1x8xf32> -> tensor<1x8xf32>
    %y = nn.softmax %x axis 1 beta 0.5 : tensor<1x8xf32> -> tensor<1x8xf32>         `beta` only when != 1
    %z = nn.add %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>  numpy/ONNX broadcasting
    %z = nn.prelu %x, %slope : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32>

Element types: float or quantized; the binary arithmetic ops (add, sub, mul, div, minimum, maximum, pow,
squared_difference), relu, clamp, abs and neg also take plain integers (`i8`..`i64`, `ui8`..`ui64`, one type for
all operands and the result; ONNX integer tensors). Integer arithmetic wraps around, division truncates toward
zero, clamp bounds are rounded inward to integers.

Float parameters are f64 properties printed as `keyword value` with the shortest text that parses back to
the same double (`0.1`, `6.0`, `1234567.0`, `1.0e-300`), so print -> parse is exact. Quantized operands
run through float in the interpreter (dequantize -> op -> quantize) unless an exact kernel is registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import I64, IntegerAttr, IntegerType, TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.base import (
    NNOp,
    Shape,
    broadcast_shapes,
    element_type,
    expect_float_or_quant,
    float_value,
    fmt_shape,
    i64_attr,
    normalize_axis,
    same_element_kind,
    shape_of,
)
from kcc.dialects.nn.floats import F64Attr, KwFloat, expect_finite, f64_attr
from kcc.dialects.nn.types import is_float, is_quantized

INTEGER_WIDTHS = (8, 16, 32, 64)


def is_plain_integer(t: Attribute) -> bool:
    """True for a plain (not quantized) integer element type of 8..64 bits, or a tensor of one (bool is not)."""
    if isinstance(t, TensorType):
        t = t.element_type
    return isinstance(t, IntegerType) and t.width.data in INTEGER_WIDTHS


def expect_numeric(value: SSAValue, role: str, integer_ok: bool) -> None:
    """Float or quantized; also a plain integer when `integer_ok`."""
    if integer_ok and not (is_float(value.type) or is_quantized(value.type) or is_plain_integer(value.type)):
        raise VerifyException(f"{role} must be float, quantized or integer, got {element_type(value)}")
    if not integer_ok:
        expect_float_or_quant(value, role)


def same_numeric_kind(values: Sequence[SSAValue], roles: Sequence[str]) -> None:
    """All quantized (scales may differ), or all float / all plain integer of one element type."""
    if any(is_plain_integer(v.type) for v in values):
        first = element_type(values[0])
        for v, r in zip(values, roles, strict=True):
            if element_type(v) != first:
                raise VerifyException(f"{r} element type {element_type(v)} differs from {roles[0]} element type {first}")
        return
    same_element_kind(values, roles)
    _same_float_type(values, roles)


def _same_float_type(values: Sequence[SSAValue], roles: Sequence[str]) -> None:
    """Float operands and results share one element type (f32 stays f32); quantized ones may differ in scale."""
    if not all(is_float(v.type) for v in values):
        return
    first = element_type(values[0])
    for v, r in zip(values[1:], roles[1:], strict=True):
        if element_type(v) != first:
            raise VerifyException(f"{r} element type {element_type(v)} differs from {roles[0]} element type {first}")


def _float_props(props: dict[str, float | None]) -> dict[str, Attribute]:
    return {k: f64_attr(v) for k, v in props.items() if v is not None}


# ----------------------------------------------------------------------------------------------------------------------
# Unary ops
# ----------------------------------------------------------------------------------------------------------------------


class UnaryOp(NNOp):
    """`%y = nn.<op> %x : tensor<...> -> tensor<...>`: same shape in and out."""

    #: Plain integer operands allowed (relu, clamp, abs, neg).
    INTEGER_OK: ClassVar[bool] = False
    input = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    custom_directives = (KwFloat,)
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute | None = None, **props: Attribute):
        super().__init__(operands=[input], result_types=[result_type or input.type], properties=props)

    def check(self) -> None:
        expect_numeric(self.input, "input", self.INTEGER_OK)
        expect_numeric(self.output, "result", self.INTEGER_OK)
        same_numeric_kind([self.input, self.output], ["input", "result"])

    def infer_shapes(self) -> list[Shape]:
        return [shape_of(self.input, "input")]


@irdl_op_definition
class ReluOp(UnaryOp):
    """max(x, 0) (ONNX Relu, TFLite RELU); also integers."""

    name = "nn.relu"
    INTEGER_OK: ClassVar[bool] = True


@irdl_op_definition
class ClampOp(UnaryOp):
    """min(max(x, min), max) (ONNX Clip, TFLite RELU6 = 0..6, RELU_N1_TO_1 = -1..1); a missing bound is unbounded.

    Integers too: the bounds are rounded inward (min up, max down) to integers.
    """

    name = "nn.clamp"
    INTEGER_OK: ClassVar[bool] = True
    min = opt_prop_def(F64Attr)
    max = opt_prop_def(F64Attr)
    assembly_format = "$input custom<KwFloat>($min) custom<KwFloat>($max) attr-dict `:` type($input) `->` type($output)"

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute | None = None,
        min: float | None = None,
        max: float | None = None,
    ):
        super().__init__(input, result_type, **_float_props({"min": min, "max": max}))

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        lo = None if self.min is None else float(self.min.value.data)
        hi = None if self.max is None else float(self.max.value.data)
        return lo, hi

    def check(self) -> None:
        super().check()
        expect_finite(self.min, "min")
        expect_finite(self.max, "max")
        lo, hi = self.bounds
        if lo is not None and hi is not None and lo > hi:
            raise VerifyException(f"min {lo} must not exceed max {hi}")


@irdl_op_definition
class LeakyReluOp(UnaryOp):
    """x if x >= 0 else alpha * x (ONNX LeakyRelu, default alpha 0.01; TFLite LEAKY_RELU)."""

    name = "nn.leaky_relu"
    alpha = prop_def(F64Attr)
    assembly_format = "$input custom<KwFloat>($alpha) attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute | None = None, alpha: float = 0.01):
        super().__init__(input, result_type, alpha=f64_attr(alpha))

    @property
    def alpha_value(self) -> float:
        return float_value(self.alpha)

    def check(self) -> None:
        super().check()
        expect_finite(self.alpha, "alpha")


@irdl_op_definition
class SigmoidOp(UnaryOp):
    """1 / (1 + exp(-x))."""

    name = "nn.sigmoid"


@irdl_op_definition
class TanhOp(UnaryOp):
    """tanh(x)."""

    name = "nn.tanh"


@irdl_op_definition
class HardSigmoidOp(UnaryOp):
    """max(0, min(1, alpha * x + beta)) (ONNX HardSigmoid, defaults alpha 0.2, beta 0.5)."""

    name = "nn.hard_sigmoid"
    alpha = prop_def(F64Attr)
    beta = prop_def(F64Attr)
    assembly_format = "$input custom<KwFloat>($alpha) custom<KwFloat>($beta) attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute | None = None, alpha: float = 0.2, beta: float = 0.5):
        super().__init__(input, result_type, alpha=f64_attr(alpha), beta=f64_attr(beta))

    @property
    def alpha_value(self) -> float:
        return float_value(self.alpha)

    @property
    def beta_value(self) -> float:
        return float_value(self.beta)

    def check(self) -> None:
        super().check()
        expect_finite(self.alpha, "alpha")
        expect_finite(self.beta, "beta")


@irdl_op_definition
class HardSwishOp(UnaryOp):
    """x * relu6(x + 3) / 6 (ONNX HardSwish, TFLite HARD_SWISH)."""

    name = "nn.hard_swish"


@irdl_op_definition
class ExpOp(UnaryOp):
    """exp(x)."""

    name = "nn.exp"


@irdl_op_definition
class LogOp(UnaryOp):
    """Natural logarithm (IEEE: log(0) = -inf, log(x < 0) = nan)."""

    name = "nn.log"


@irdl_op_definition
class SqrtOp(UnaryOp):
    """sqrt(x) (IEEE: sqrt(x < 0) = nan)."""

    name = "nn.sqrt"


@irdl_op_definition
class RsqrtOp(UnaryOp):
    """1 / sqrt(x) (TFLite RSQRT)."""

    name = "nn.rsqrt"


@irdl_op_definition
class AbsOp(UnaryOp):
    """|x| (integers too, wrapping: |-128| is -128 in i8)."""

    name = "nn.abs"
    INTEGER_OK: ClassVar[bool] = True


@irdl_op_definition
class NegOp(UnaryOp):
    """-x (integers too, wrapping)."""

    name = "nn.neg"
    INTEGER_OK: ClassVar[bool] = True


@irdl_op_definition
class FloorOp(UnaryOp):
    """Round toward -inf."""

    name = "nn.floor"


@irdl_op_definition
class CeilOp(UnaryOp):
    """Round toward +inf."""

    name = "nn.ceil"


@irdl_op_definition
class SoftmaxOp(UnaryOp):
    """exp(beta * x) normalized along one `axis` (ONNX Softmax opset >= 13; TFLite SOFTMAX with its `beta`).

    `axis` may be negative (counted from the end). `beta` is absent when it is 1.
    """

    name = "nn.softmax"
    axis = prop_def(IntegerAttr[I64])
    beta = opt_prop_def(F64Attr)
    assembly_format = "$input `axis` $axis custom<KwFloat>($beta) attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: Attribute | None = None, axis: int = -1, beta: float = 1.0):
        props: dict[str, Attribute] = {"axis": i64_attr(axis)}
        if beta != 1.0:
            props["beta"] = f64_attr(beta)
        super().__init__(input, result_type, **props)

    @property
    def axis_value(self) -> int:
        """The axis, normalized to [0, rank)."""
        rank = len(shape_of(self.input, "input"))
        return normalize_axis(int(self.axis.value.data), rank)

    @property
    def beta_value(self) -> float:
        return float_value(self.beta, 1.0)

    def check(self) -> None:
        super().check()
        rank = len(shape_of(self.input, "input"))
        if rank == 0:
            raise VerifyException("input must have rank at least 1, got a scalar")
        normalize_axis(int(self.axis.value.data), rank)
        expect_finite(self.beta, "beta")


# ----------------------------------------------------------------------------------------------------------------------
# Binary ops
# ----------------------------------------------------------------------------------------------------------------------


class BinaryOp(NNOp):
    """`%z = nn.<op> %a, %b : (tensor<..>, tensor<..>) -> tensor<..>` with numpy/ONNX broadcasting.

    Float, quantized, or plain integers of one element type (integer arithmetic wraps around).
    """

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute | None = None):
        if result_type is None:
            shape = broadcast_shapes(shape_of(lhs, "lhs"), shape_of(rhs, "rhs"))
            result_type = TensorType(element_type(lhs), shape)
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def check(self) -> None:
        for v, r in ((self.lhs, "lhs"), (self.rhs, "rhs"), (self.output, "result")):
            expect_numeric(v, r, True)
        same_numeric_kind([self.lhs, self.rhs, self.output], ["lhs", "rhs", "result"])

    def infer_shapes(self) -> list[Shape]:
        return [broadcast_shapes(shape_of(self.lhs, "lhs"), shape_of(self.rhs, "rhs"))]


@irdl_op_definition
class AddOp(BinaryOp):
    """a + b (integers wrap around)."""

    name = "nn.add"


@irdl_op_definition
class SubOp(BinaryOp):
    """a - b (integers wrap around)."""

    name = "nn.sub"


@irdl_op_definition
class MulOp(BinaryOp):
    """a * b (integers wrap around)."""

    name = "nn.mul"


@irdl_op_definition
class DivOp(BinaryOp):
    """a / b, IEEE for floats (x / 0 = +-inf, 0 / 0 = nan); integers truncate toward zero (x / 0 = 0)."""

    name = "nn.div"


@irdl_op_definition
class MinimumOp(BinaryOp):
    """min(a, b) (ONNX Min of two inputs, TFLite MINIMUM)."""

    name = "nn.minimum"


@irdl_op_definition
class MaximumOp(BinaryOp):
    """max(a, b) (ONNX Max of two inputs, TFLite MAXIMUM)."""

    name = "nn.maximum"


@irdl_op_definition
class PowOp(BinaryOp):
    """a ** b (ONNX Pow, TFLite POW).

    Unless quantized, the exponent may have another float or integer element type than the base (ONNX Pow >= 12);
    the result has the base's type. Integer bases: exact and wrapping for integer exponents (a negative one truncates
    toward zero), trunc(a ** b) computed in f64 for float exponents.
    """

    name = "nn.pow"

    def check(self) -> None:
        if any(is_quantized(v.type) for v in (self.lhs, self.rhs, self.output)):
            super().check()
            return
        for v, r in ((self.lhs, "lhs"), (self.rhs, "rhs"), (self.output, "result")):
            expect_numeric(v, r, True)
        same_numeric_kind([self.lhs, self.output], ["lhs", "result"])


@irdl_op_definition
class SquaredDifferenceOp(BinaryOp):
    """(a - b) ** 2 (TFLite SQUARED_DIFFERENCE)."""

    name = "nn.squared_difference"


@irdl_op_definition
class PReluOp(NNOp):
    """x if x >= 0 else slope * x; `slope` broadcasts to `input` one way (ONNX PRelu, TFLite PRELU)."""

    name = "nn.prelu"
    input = operand_def(TensorType)
    slope = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $slope attr-dict `:` `(` type($input) `,` type($slope) `)` `->` type($output)"

    def __init__(self, input: SSAValue, slope: SSAValue, result_type: Attribute | None = None):
        super().__init__(operands=[input, slope], result_types=[result_type or input.type])

    def check(self) -> None:
        for v, r in ((self.input, "input"), (self.slope, "slope"), (self.output, "result")):
            expect_float_or_quant(v, r)
        same_element_kind([self.input, self.slope, self.output], ["input", "slope", "result"])
        _same_float_type([self.input, self.slope, self.output], ["input", "slope", "result"])
        x, s = shape_of(self.input, "input"), shape_of(self.slope, "slope")
        aligned = (1,) * (len(x) - len(s)) + s
        if len(s) > len(x) or any(d not in (1, xd) for d, xd in zip(aligned, x, strict=True)):
            raise VerifyException(f"slope of shape {fmt_shape(s)} cannot be broadcast to input shape {fmt_shape(x)}")

    def infer_shapes(self) -> list[Shape]:
        return [shape_of(self.input, "input")]


UNARY_OPS: list[type[UnaryOp]] = [
    ReluOp,
    ClampOp,
    LeakyReluOp,
    SigmoidOp,
    TanhOp,
    HardSigmoidOp,
    HardSwishOp,
    ExpOp,
    LogOp,
    SqrtOp,
    RsqrtOp,
    AbsOp,
    NegOp,
    FloorOp,
    CeilOp,
    SoftmaxOp,
]
BINARY_OPS: list[type[BinaryOp]] = [AddOp, SubOp, MulOp, DivOp, MinimumOp, MaximumOp, PowOp, SquaredDifferenceOp]

OPS: list[type[NNOp]] = [*UNARY_OPS, *BINARY_OPS, PReluOp]
__all__ = [
    "OPS",
    "AbsOp",
    "AddOp",
    "BinaryOp",
    "CeilOp",
    "ClampOp",
    "DivOp",
    "ExpOp",
    "FloorOp",
    "HardSigmoidOp",
    "HardSwishOp",
    "LeakyReluOp",
    "LogOp",
    "MaximumOp",
    "MinimumOp",
    "MulOp",
    "NegOp",
    "PReluOp",
    "PowOp",
    "ReluOp",
    "RsqrtOp",
    "SigmoidOp",
    "SoftmaxOp",
    "SqrtOp",
    "SquaredDifferenceOp",
    "SubOp",
    "TanhOp",
    "UnaryOp",
]
