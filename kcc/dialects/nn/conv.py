"""Convolution-like `nn` ops: conv, transposed conv, matmul, fully connected, batch norm.

Activations are NCHW; conv weights are OIHW, transposed-conv weights keep ONNX's [C_in, C_out/groups, KH, KW].
Padding is explicit and 4-sided: `pads [top, left, bottom, right]` (ONNX order: begins then ends).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import I64, DenseArrayBase, Float64Type, FloatAttr, IntegerAttr, TensorType, f64
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
    float_value,
    fmt_shape,
    i64_array,
    i64_attr,
    ints,
    same_element_kind,
    shape_of,
)
from kcc.dialects.nn.floats import KwFloat
from kcc.dialects.nn.types import PerChannelQuantType


def _check_window(strides_attr: DenseArrayBase, pads_attr: DenseArrayBase, dilations_attr: DenseArrayBase) -> tuple[int, ...]:
    """Check a 2-D window's strides (2, positive), pads (4, [top, left, bottom, right], non-negative) and dilations
    (2, positive); returns the strides."""
    strides, pads, dil = ints(strides_attr), ints(pads_attr), ints(dilations_attr)
    expect_len(strides, 2, "strides")
    expect_len(pads, 4, "pads")
    expect_len(dil, 2, "dilations")
    expect_positive(strides, "strides")
    expect_positive(dil, "dilations")
    expect_non_negative(pads, "pads")
    return tuple(strides)


def _check_conv_types(x: SSAValue, w: SSAValue, b: SSAValue, y: SSAValue, weight_axis: int = 0) -> None:
    for v, r in ((x, "input"), (w, "weight"), (b, "bias"), (y, "result")):
        expect_float_or_quant(v, r)
    same_element_kind([x, w, b, y], ["input", "weight", "bias", "result"])
    wt = w.type
    assert isinstance(wt, TensorType)
    et = wt.element_type
    if isinstance(et, PerChannelQuantType) and et.axis.data != weight_axis:
        raise VerifyException(
            f"per-channel weight quantization must be along axis {weight_axis} (output channels), got {et.axis.data}"
        )


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
        _check_window(self.strides, self.pads, self.dilations)
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


def conv_transpose_out_dim(size: int, kernel: int, stride: int, dilation: int, pad_begin: int, pad_end: int, out_pad: int) -> int:
    """ONNX ConvTranspose: (size - 1) * stride - pads + dilation * (kernel - 1) + output_padding + 1."""
    return (size - 1) * stride - pad_begin - pad_end + dilation * (kernel - 1) + out_pad + 1


@irdl_op_definition
class ConvTranspose2dOp(NNOp):
    """2-D transposed convolution (ONNX ConvTranspose / TFLite TRANSPOSE_CONV), optional fused activation.

    The weight keeps ONNX's layout [C_in, C_out/groups, KH, KW]; output channel `g * C_out/groups + j` of group `g`
    reads weight[g * C_in/groups : (g + 1) * C_in/groups, j]. Every input pixel scatters its kernel-sized patch to
    `stride`-spaced positions of the full output; `pads` then crop the full output (top/left from the start,
    bottom/right from the end) and `output_padding` adds rows/columns at the bottom/right:
    `out = (in - 1) * stride - pad_begin - pad_end + dilation * (kernel - 1) + output_padding + 1`.
    """

    name = "nn.conv_transpose2d"
    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = operand_def(TensorType)
    output = result_def(TensorType)
    strides = prop_def(I64Array)
    pads = prop_def(I64Array)
    dilations = prop_def(I64Array)
    output_padding = prop_def(I64Array)
    groups = prop_def(IntegerAttr[I64])
    act = opt_prop_def(ActivationAttr)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `,` $weight `,` $bias `strides` $strides `pads` $pads `dilations` $dilations"
        " `output_padding` $output_padding `groups` $groups (`act` qualified($act)^)? attr-dict"
        " `:` `(` type($input) `,` type($weight) `,` type($bias) `)` `->` type($output)"
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
        output_padding: Sequence[int] = (0, 0),
        groups: int = 1,
        act: ActivationAttr | None = None,
    ):
        props: dict[str, object] = {
            "strides": i64_array(strides),
            "pads": i64_array(pads),
            "dilations": i64_array(dilations),
            "output_padding": i64_array(output_padding),
            "groups": i64_attr(groups),
        }
        if act is not None:
            props["act"] = act
        super().__init__(operands=[input, weight, bias], result_types=[result_type], properties=props)  # type: ignore[arg-type]

    @property
    def group_count(self) -> int:
        return int(self.groups.value.data)

    def check(self) -> None:
        _, c, _, _ = expect_rank(self.input, 4, "input")
        ci, og, _, _ = expect_rank(self.weight, 4, "weight")
        expect_rank(self.bias, 1, "bias")
        _check_conv_types(self.input, self.weight, self.bias, self.output, weight_axis=1)
        strides = _check_window(self.strides, self.pads, self.dilations)
        opad = ints(self.output_padding)
        expect_len(opad, 2, "output_padding")
        expect_non_negative(opad, "output_padding")
        if any(p >= s for p, s in zip(opad, strides, strict=True)):
            raise VerifyException(f"output_padding {list(opad)} must be smaller than strides {list(strides)}")
        g = self.group_count
        if g <= 0 or c % g:
            raise VerifyException(f"groups {g} must divide input channels {c}")
        if ci != c:
            raise VerifyException(
                f"weight dimension 0 is {ci} but input has {c} channels (weight is [C_in, C_out/groups, KH, KW])"
            )
        bshape = shape_of(self.bias, "bias")
        if bshape != (og * g,):
            raise VerifyException(f"bias shape {fmt_shape(bshape)} must be {og * g} (one per output channel)")

    def infer_shapes(self) -> list[Shape]:
        n, _, h, w = shape_of(self.input)
        _, og, kh, kw = shape_of(self.weight)
        sh, sw = ints(self.strides)
        pt, pl, pb, pr = ints(self.pads)
        dh, dw = ints(self.dilations)
        oph, opw = ints(self.output_padding)
        oh = conv_transpose_out_dim(h, kh, sh, dh, pt, pb, oph)
        ow = conv_transpose_out_dim(w, kw, sw, dw, pl, pr, opw)
        if oh <= 0 or ow <= 0:
            raise VerifyException(f"output spatial size {oh}x{ow} is empty: pads {[pt, pl, pb, pr]} crop the whole output")
        return [(n, og * self.group_count, oh, ow)]


def matmul_shape(a: Shape, b: Shape) -> Shape:
    """ONNX MatMul (numpy.matmul): 1-D operands are promoted then their unit dim dropped; batch dims broadcast."""
    if not a or not b:
        raise VerifyException(f"operands must have rank >= 1, got {fmt_shape(a)} and {fmt_shape(b)}")
    pa = (1, *a) if len(a) == 1 else a
    pb = (*b, 1) if len(b) == 1 else b
    if pa[-1] != pb[-2]:
        raise VerifyException(
            f"contraction mismatch: lhs {fmt_shape(a)} has {pa[-1]} columns but rhs {fmt_shape(b)} has {pb[-2]} rows"
        )
    rank = max(len(pa), len(pb)) - 2
    ba = (1,) * (rank - len(pa) + 2) + pa[:-2]
    bb = (1,) * (rank - len(pb) + 2) + pb[:-2]
    batch: list[int] = []
    for x, y in zip(ba, bb, strict=True):
        if x != y and x != 1 and y != 1:
            raise VerifyException(f"batch dimensions of {fmt_shape(a)} and {fmt_shape(b)} cannot be broadcast")
        batch.append(y if x == 1 else x)
    out = [*batch]
    if len(a) > 1:
        out.append(pa[-2])
    if len(b) > 1:
        out.append(pb[-1])
    return tuple(out)


@irdl_op_definition
class MatMulOp(NNOp):
    """Matrix product with ONNX MatMul / numpy.matmul semantics (batched, broadcasting, 1-D operands)."""

    name = "nn.matmul"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: TensorType):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def check(self) -> None:
        for v, r in ((self.lhs, "lhs"), (self.rhs, "rhs"), (self.output, "result")):
            expect_float_or_quant(v, r)
        same_element_kind([self.lhs, self.rhs, self.output], ["lhs", "rhs", "result"])

    def infer_shapes(self) -> list[Shape]:
        return [matmul_shape(shape_of(self.lhs, "lhs"), shape_of(self.rhs, "rhs"))]


@irdl_op_definition
class FullyConnectedOp(NNOp):
    """`y = x @ weight^T + bias`, optional fused activation (TFLite FULLY_CONNECTED, ONNX Gemm with transB=1).

    x: [N, K], weight: [O, K], bias: [O], result: [N, O].
    """

    name = "nn.fully_connected"
    input = operand_def(TensorType)
    weight = operand_def(TensorType)
    bias = operand_def(TensorType)
    output = result_def(TensorType)
    act = opt_prop_def(ActivationAttr)
    traits = traits_def(Pure())
    assembly_format = (
        "$input `,` $weight `,` $bias (`act` qualified($act)^)? attr-dict"
        " `:` `(` type($input) `,` type($weight) `,` type($bias) `)` `->` type($output)"
    )

    def __init__(
        self,
        input: SSAValue,
        weight: SSAValue,
        bias: SSAValue,
        result_type: TensorType,
        act: ActivationAttr | None = None,
    ):
        props: dict[str, object] = {} if act is None else {"act": act}
        super().__init__(operands=[input, weight, bias], result_types=[result_type], properties=props)  # type: ignore[arg-type]

    def check(self) -> None:
        _, k = expect_rank(self.input, 2, "input")
        o, wk = expect_rank(self.weight, 2, "weight")
        expect_rank(self.bias, 1, "bias")
        _check_conv_types(self.input, self.weight, self.bias, self.output)
        if wk != k:
            raise VerifyException(f"weight has {wk} input features (weight is [O, K]) but input has {k}")
        bshape = shape_of(self.bias, "bias")
        if bshape != (o,):
            raise VerifyException(f"bias shape {fmt_shape(bshape)} must be {o} (one per output feature)")

    def infer_shapes(self) -> list[Shape]:
        return [(shape_of(self.input)[0], shape_of(self.weight)[0])]


@irdl_op_definition
class BatchNormOp(NNOp):
    """Inference batch normalization along axis 1 (ONNX BatchNormalization, training_mode=0):

    `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, with scale, bias, mean and var of shape [C].
    """

    name = "nn.batch_norm"
    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = operand_def(TensorType)
    mean = operand_def(TensorType)
    var = operand_def(TensorType)
    output = result_def(TensorType)
    epsilon = prop_def(FloatAttr[Float64Type])
    traits = traits_def(Pure())
    assembly_format = (
        "$input `,` $scale `,` $bias `,` $mean `,` $var custom<KwFloat>($epsilon) attr-dict"
        " `:` `(` type($input) `,` type($scale) `,` type($bias) `,` type($mean) `,` type($var) `)` `->` type($output)"
    )
    custom_directives = (KwFloat,)

    def __init__(
        self,
        input: SSAValue,
        scale: SSAValue,
        bias: SSAValue,
        mean: SSAValue,
        var: SSAValue,
        result_type: TensorType | None = None,
        epsilon: float = 1e-5,
    ):
        super().__init__(
            operands=[input, scale, bias, mean, var],
            result_types=[result_type or input.type],
            properties={"epsilon": FloatAttr(float(epsilon), f64)},
        )

    @property
    def epsilon_value(self) -> float:
        return float_value(self.epsilon)

    def check(self) -> None:
        shape = shape_of(self.input, "input")
        if len(shape) < 2:
            raise VerifyException(f"input must have rank >= 2 (channels on axis 1), got rank {len(shape)} ({fmt_shape(shape)})")
        roles = ["input", "scale", "bias", "mean", "var", "result"]
        values = [self.input, self.scale, self.bias, self.mean, self.var, self.output]
        for v, r in zip(values, roles, strict=True):
            expect_float_or_quant(v, r)
        same_element_kind(values, roles)
        c = shape[1]
        for v, r in zip(values[1:5], roles[1:5], strict=True):
            s = shape_of(v, r)
            if s != (c,):
                raise VerifyException(f"{r} shape {fmt_shape(s)} must be {c} (one per channel of axis 1)")
        eps = self.epsilon_value
        if not 0 <= eps < float("inf"):
            raise VerifyException(f"epsilon must be non-negative and finite, got {eps}")

    def infer_shapes(self) -> list[Shape]:
        return [shape_of(self.input, "input")]


OPS: list[type[NNOp]] = [Conv2dOp, ConvTranspose2dOp, MatMulOp, FullyConnectedOp, BatchNormOp]
__all__ = [
    "OPS",
    "BatchNormOp",
    "Conv2dOp",
    "ConvTranspose2dOp",
    "FullyConnectedOp",
    "MatMulOp",
    "conv_transpose_out_dim",
    "matmul_shape",
]
