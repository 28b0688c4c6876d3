"""Convolution-like `nn` ops (NCHW activations, OIHW weights).

Padding is explicit and 4-sided: `pads [top, left, bottom, right]` (ONNX order: begins then ends).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import I64, IntegerAttr, TensorType
from xdsl.ir import SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_prop_def, prop_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.attrs import ActivationAttr
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
    fmt_shape,
    i64_array,
    i64_attr,
    ints,
    same_element_kind,
    shape_of,
)
from kcc.dialects.nn.types import PerChannelQuantType


def _check_conv_types(x: SSAValue, w: SSAValue, b: SSAValue, y: SSAValue) -> None:
    for v, r in ((x, "input"), (w, "weight"), (b, "bias"), (y, "result")):
        expect_float_or_quant(v, r)
    same_element_kind([x, w, b, y], ["input", "weight", "bias", "result"])
    wt = w.type
    assert isinstance(wt, TensorType)
    et = wt.element_type
    if isinstance(et, PerChannelQuantType) and et.axis.data != 0:
        raise VerifyException(f"per-channel weight quantization must be along axis 0 (output channels), got {et.axis.data}")


@irdl_op_definition
class Conv2dOp(NNOp):
    """2-D convolution (ONNX Conv / TFLite CONV_2D and DEPTHWISE_CONV_2D with groups), optional fused activation."""

    name = "nn.conv2d"
    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = operand_def(TensorType)
    output = result_def(TensorType)
    strides = prop_def(I64Array)
    pads = prop_def(I64Array)
    dilations = prop_def(I64Array)
    groups = prop_def(IntegerAttr[I64])
    act = opt_prop_def(ActivationAttr)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `,` $weight `,` $bias `strides` $strides `pads` $pads `dilations` $dilations `groups` $groups"
        " (`act` qualified($act)^)? attr-dict `:` `(` type($input) `,` type($weight) `,` type($bias) `)` `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue,
        result_type: TensorType,
        strides: Sequence[int] = (1, 1),
        pads: Sequence[int] = (0, 0, 0, 0),
        dilations: Sequence[int] = (1, 1),
        groups: int = 1,
        act: ActivationAttr | None = None,
    ):
        props: dict[str, object] = {
            "strides": i64_array(strides),
            "pads": i64_array(pads),
            "dilations": i64_array(dilations),
            "groups": i64_attr(groups),
        }
        if act is not None:
            props["act"] = act
        super().__init__(operands=[input, weight, bias], result_types=[result_type], properties=props)  # type: ignore[arg-type]

    @property
    def group_count(self) -> int:
        return int(self.groups.value.data)

    def check(self) -> None:
        n, c, h, w = expect_rank(self.input, 4, "input")
        o, ci, kh, kw = expect_rank(self.weight, 4, "weight")
        expect_rank(self.bias, 1, "bias")
        _check_conv_types(self.input, self.weight, self.bias, self.output)
        strides, pads, dil = ints(self.strides), ints(self.pads), ints(self.dilations)
        expect_len(strides, 2, "strides")
        expect_len(pads, 4, "pads")
        expect_len(dil, 2, "dilations")
        expect_positive(strides, "strides")
        expect_positive(dil, "dilations")
        expect_non_negative(pads, "pads")
        g = self.group_count
        if g <= 0 or c % g or o % g:
            raise VerifyException(f"groups {g} must divide input channels {c} and output channels {o}")
        if ci * g != c:
            raise VerifyException(
                f"weight expects {ci} input channels per group x {g} groups = {ci * g}, but input has {c} channels"
            )
        bshape = shape_of(self.bias, "bias")
        if bshape != (o,):
            raise VerifyException(f"bias shape {fmt_shape(bshape)} must be {o} (one per output channel)")
        del n, h, w, kh, kw

    def infer_shapes(self) -> list[Shape]:
        n, _, h, w = shape_of(self.input)
        o, _, kh, kw = shape_of(self.weight)
        sh, sw = ints(self.strides)
        pt, pl, pb, pr = ints(self.pads)
        dh, dw = ints(self.dilations)
        oh = conv_out_dim(h, kh, sh, dh, pt, pb)
        ow = conv_out_dim(w, kw, sw, dw, pl, pr)
        if oh <= 0 or ow <= 0:
            raise VerifyException(f"output spatial size {oh}x{ow} is empty: kernel {kh}x{kw} larger than padded input")
        return [(n, o, oh, ow)]


OPS: list[type[NNOp]] = [Conv2dOp]
__all__ = ["OPS", "Conv2dOp"]
