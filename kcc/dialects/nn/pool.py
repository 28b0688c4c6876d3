"""Pooling and reduction `nn` ops (NCHW activations).

Padding is explicit and 4-sided: `pads [top, left, bottom, right]`. Output sizes always use floor division:
`out = (in + pad_begin + pad_end - extent) // stride + 1` with `extent = dilation * (kernel - 1) + 1`
(avg pools have no dilation). Window positions are input coordinates: row -1 is the first row of top padding.

ONNX `ceil_mode=1` has no property of its own: a frontend turns it into extra bottom/right padding
`extra = max(0, (out - 1) * stride + extent - (in + pad_begin + pad_end))`, where `out` is ONNX's ceil-mode size
`ceil((in + pad_begin + pad_end - extent) / stride) + 1`, less one when that last window would start at or after
`in + pad_begin` (inside the end padding; ONNX and onnxruntime drop it). The floor formula then gives `out`.
Padding never wins a max. For `nn.avg_pool2d` the extra padding is also recorded in `ceil_pads [bottom, right]`
(it stays part of `pads`), because ONNX never counts it in the divisor:

    divisor = number of window positions inside the real input                   count_include_pad false
    divisor = number of window positions inside [-top, H + bottom - ceil_bottom)
              x [-left, W + right - ceil_right)                                   count_include_pad true

i.e. with `count_include_pad true` the explicit pads count but the ceil-mode padding does not (ONNX AveragePool).

`nn.max_pool2d` also takes plain integer tensors (ONNX MaxPool of int8 / uint8). `nn.max_pool2d_argmax` is the
ONNX MaxPool `Indices` output: for each window, the position of its maximum (the first one in row-major window
order) as an i64 index into the flattened NCHW input, `((n * C + c) * H + h) * W + w`, or with `column_major`
(ONNX storage_order=1) `(n * C + c) * H * W + w * H + h`. Padding never counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import BoolAttr, IntegerAttr, IntegerType, TensorType, UnitAttr, i1
from xdsl.ir import SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_prop_def, prop_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.base import (
    I64Array,
    NNOp,
    Shape,
    conv_out_dim,
    expect_float_or_quant,
    expect_len,
    expect_non_negative,
    expect_positive,
    expect_rank,
    i64_array,
    ints,
    normalize_axis,
    same_element_kind,
    shape_of,
)
from kcc.dialects.nn.elementwise import expect_numeric, same_numeric_kind


def bool_attr(value: bool) -> BoolAttr:
    return IntegerAttr(int(bool(value)), i1)


def bool_value(attr: BoolAttr) -> bool:
    return attr.value.data != 0


class Pool2dOp(NNOp):
    """Common checks and shape inference of the 2-D pools (kernel, strides, pads, dilations)."""

    INTEGER_OK: ClassVar[bool] = False
    input = operand_def(TensorType)
    output = result_def(TensorType)
    kernel = prop_def(I64Array)
    strides = prop_def(I64Array)
    pads = prop_def(I64Array)
    traits = traits_def(Pure())

    def dilation_values(self) -> tuple[int, int]:
        return (1, 1)

    def check(self) -> None:
        expect_rank(self.input, 4, "input")
        self._check_types()
        kernel, strides, pads = ints(self.kernel), ints(self.strides), ints(self.pads)
        expect_len(kernel, 2, "kernel")
        expect_len(strides, 2, "strides")
        expect_len(pads, 4, "pads")
        expect_positive(kernel, "kernel")
        expect_positive(strides, "strides")
        expect_non_negative(pads, "pads")
        dil = self.dilation_values()
        extent = [d * (k - 1) + 1 for k, d in zip(kernel, dil, strict=True)]
        if any(p >= e for p, e in zip(pads, extent * 2, strict=True)):
            raise VerifyException(
                f"pads {list(pads)} must be smaller than the kernel extent {extent[0]}x{extent[1]}"
                " (a window would see only padding)"
            )

    def _check_types(self) -> None:
        expect_numeric(self.input, "input", self.INTEGER_OK)
        expect_numeric(self.output, "result", self.INTEGER_OK)
        same_numeric_kind([self.input, self.output], ["input", "result"])

    def infer_shapes(self) -> list[Shape]:
        n, c, h, w = shape_of(self.input, "input")
        kh, kw = ints(self.kernel)
        sh, sw = ints(self.strides)
        pt, pl, pb, pr = ints(self.pads)
        dh, dw = self.dilation_values()
        oh = conv_out_dim(h, kh, sh, dh, pt, pb)
        ow = conv_out_dim(w, kw, sw, dw, pl, pr)
        if oh <= 0 or ow <= 0:
            eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
            raise VerifyException(
                f"output spatial size {oh}x{ow} is empty: kernel extent {eh}x{ew} is larger than the padded input"
                f" {h + pt + pb}x{w + pl + pr}"
            )
        return [(n, c, oh, ow)]


@irdl_op_definition
class MaxPool2dOp(Pool2dOp):
    """2-D max pooling (ONNX MaxPool, TFLite MAX_POOL_2D); padding never wins the max. Plain integers too."""

    name = "nn.max_pool2d"
    INTEGER_OK: ClassVar[bool] = True
    dilations = prop_def(I64Array)
    assembly_format = (
        "$input `kernel` $kernel `strides` $strides `pads` $pads `dilations` $dilations attr-dict"
        " `:` type($input) `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        result_type: TensorType,
        kernel: Sequence[int],
        strides: Sequence[int] = (1, 1),
        pads: Sequence[int] = (0, 0, 0, 0),
        dilations: Sequence[int] = (1, 1),
    ):
        props = {
            "kernel": i64_array(kernel),
            "strides": i64_array(strides),
            "pads": i64_array(pads),
            "dilations": i64_array(dilations),
        }
        super().__init__(operands=[input], result_types=[result_type], properties=props)

    def dilation_values(self) -> tuple[int, int]:
        d = ints(self.dilations)
        return (d[0], d[1]) if len(d) == 2 else (1, 1)

    def check(self) -> None:
        dil = ints(self.dilations)
        expect_len(dil, 2, "dilations")
        expect_positive(dil, "dilations")
        super().check()


@irdl_op_definition
class MaxPool2dArgmaxOp(Pool2dOp):
    """Where `nn.max_pool2d` with the same properties finds each maximum (ONNX MaxPool output `Indices`): i64
    indices into the flattened NCHW input, row-major or (`column_major`, ONNX storage_order=1) column-major within
    each (n, c) plane; the first maximum in row-major window order wins (see the module docstring)."""

    name = "nn.max_pool2d_argmax"
    INTEGER_OK: ClassVar[bool] = True
    dilations = prop_def(I64Array)
    column_major = opt_prop_def(UnitAttr)
    assembly_format = (
        "$input `kernel` $kernel `strides` $strides `pads` $pads `dilations` $dilations (`column_major` $column_major^)?"
        " attr-dict `:` type($input) `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        result_type: TensorType,
        kernel: Sequence[int],
        strides: Sequence[int] = (1, 1),
        pads: Sequence[int] = (0, 0, 0, 0),
        dilations: Sequence[int] = (1, 1),
        column_major: bool = False,
    ):
        props: dict[str, object] = {
            "kernel": i64_array(kernel),
            "strides": i64_array(strides),
            "pads": i64_array(pads),
            "dilations": i64_array(dilations),
        }
        if column_major:
            props["column_major"] = UnitAttr()
        super().__init__(operands=[input], result_types=[result_type], properties=props)  # type: ignore[arg-type]

    def dilation_values(self) -> tuple[int, int]:
        d = ints(self.dilations)
        return (d[0], d[1]) if len(d) == 2 else (1, 1)

    def _check_types(self) -> None:
        expect_numeric(self.input, "input", True)
        assert isinstance(self.output.type, TensorType)
        et = self.output.type.element_type
        if et != IntegerType(64):
            raise VerifyException(f"result must hold i64 indices, got {et}")

    def check(self) -> None:
        dil = ints(self.dilations)
        expect_len(dil, 2, "dilations")
        expect_positive(dil, "dilations")
        super().check()


@irdl_op_definition
class AvgPool2dOp(Pool2dOp):
    """2-D average pooling (ONNX AveragePool, TFLite AVERAGE_POOL_2D with count_include_pad false).

    `ceil_pads [bottom, right]` (optional, default [0, 0]) is the part of the bottom/right pads a frontend added
    for ONNX ceil_mode; it is never counted in the divisor (see the module docstring).
    """

    name = "nn.avg_pool2d"
    count_include_pad = prop_def(BoolAttr)
    ceil_pads = opt_prop_def(I64Array)
    assembly_format = (
        "$input `kernel` $kernel `strides` $strides `pads` $pads (`ceil_pads` $ceil_pads^)?"
        " `count_include_pad` $count_include_pad attr-dict `:` type($input) `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        result_type: TensorType,
        kernel: Sequence[int],
        strides: Sequence[int] = (1, 1),
        pads: Sequence[int] = (0, 0, 0, 0),
        count_include_pad: bool = False,
        ceil_pads: Sequence[int] | None = None,
    ):
        props: dict[str, object] = {
            "kernel": i64_array(kernel),
            "strides": i64_array(strides),
            "pads": i64_array(pads),
            "count_include_pad": bool_attr(count_include_pad),
        }
        if ceil_pads is not None and any(ceil_pads):
            props["ceil_pads"] = i64_array(ceil_pads)
        super().__init__(operands=[input], result_types=[result_type], properties=props)  # type: ignore[arg-type]

    @property
    def include_pad(self) -> bool:
        return bool_value(self.count_include_pad)

    @property
    def ceil_pad_values(self) -> tuple[int, int]:
        c = ints(self.ceil_pads)
        return (c[0], c[1]) if len(c) == 2 else (0, 0)

    def check(self) -> None:
        super().check()
        if self.ceil_pads is not None:
            cp = ints(self.ceil_pads)
            expect_len(cp, 2, "ceil_pads")
            expect_non_negative(cp, "ceil_pads")
            _, _, pb, pr = ints(self.pads)
            if cp[0] > pb or cp[1] > pr:
                raise VerifyException(f"ceil_pads {list(cp)} must be part of the bottom/right pads [{pb}, {pr}]")


class ReduceOp(NNOp):
    """Reduction over `axes` (negative axes count from the end); `keepdims true` keeps them as size 1."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    axes = prop_def(I64Array)
    keepdims = prop_def(BoolAttr)
    traits = traits_def(Pure())
    assembly_format = "$input `axes` $axes `keepdims` $keepdims attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: TensorType, axes: Sequence[int], keepdims: bool = True):
        props = {"axes": i64_array(axes), "keepdims": bool_attr(keepdims)}
        super().__init__(operands=[input], result_types=[result_type], properties=props)

    @property
    def keep(self) -> bool:
        return bool_value(self.keepdims)

    def axis_values(self) -> tuple[int, ...]:
        """The reduced axes, non-negative and sorted."""
        rank = len(shape_of(self.input, "input"))
        return tuple(sorted(normalize_axis(a, rank) for a in ints(self.axes)))

    def check(self) -> None:
        expect_float_or_quant(self.input, "input")
        expect_float_or_quant(self.output, "result")
        same_element_kind([self.input, self.output], ["input", "result"])
        raw = ints(self.axes)
        if not raw:
            raise VerifyException("axes must name at least one axis")
        axes = self.axis_values()
        if len(set(axes)) != len(axes):
            raise VerifyException(f"axes {list(raw)} name the same axis twice")

    def infer_shapes(self) -> list[Shape]:
        shape = shape_of(self.input, "input")
        axes = set(self.axis_values())
        if self.keep:
            return [tuple(1 if i in axes else d for i, d in enumerate(shape))]
        return [tuple(d for i, d in enumerate(shape) if i not in axes)]


@irdl_op_definition
class ReduceMeanOp(ReduceOp):
    """Mean over `axes` (ONNX ReduceMean, GlobalAveragePool = axes [2, 3] keepdims true; TFLite MEAN)."""

    name = "nn.reduce_mean"


@irdl_op_definition
class ReduceMaxOp(ReduceOp):
    """Maximum over `axes` (ONNX ReduceMax, GlobalMaxPool = axes [2, 3] keepdims true; TFLite REDUCE_MAX)."""

    name = "nn.reduce_max"


@irdl_op_definition
class ReduceMinOp(ReduceOp):
    """Minimum over `axes` (ONNX ReduceMin, TFLite REDUCE_MIN)."""

    name = "nn.reduce_min"


@irdl_op_definition
class ReduceSumOp(ReduceOp):
    """Sum over `axes` (ONNX ReduceSum, TFLite SUM)."""

    name = "nn.reduce_sum"


OPS: list[type[NNOp]] = [MaxPool2dOp, MaxPool2dArgmaxOp, AvgPool2dOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceSumOp]
__all__ = [
    "OPS",
    "AvgPool2dOp",
    "MaxPool2dArgmaxOp",
    "MaxPool2dOp",
    "Pool2dOp",
    "ReduceMaxOp",
    "ReduceMeanOp",
    "ReduceMinOp",
    "ReduceOp",
    "ReduceSumOp",
]
