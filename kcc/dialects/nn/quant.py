"""Quantization `nn` ops: conversions between float and quantized tensors, and between quantizations.

    %q = nn.quantize %x rounding "half_away" : tensor<1x8xf32> -> tensor<1x8x!nn.q<i8, 0.05, -3>>
    %x = nn.dequantize %q : tensor<1x8x!nn.q<i8, 0.05, -3>> -> tensor<1x8xf32>
    %r = nn.requantize %q : tensor<1x8x!nn.q<i8, 0.05, -3>> -> tensor<1x8x!nn.q<ui8, 0.1, 128>>

`real = scale * (q - zero_point)`, per tensor (`!nn.q`) or per channel (`!nn.qc`, along its axis).
- `nn.quantize`: `q = saturate(round(x / scale) + zero_point)`; `rounding` "half_even" is ONNX
  QuantizeLinear, "half_away" (ties away from zero) TFLite QUANTIZE.
- `nn.dequantize`: ONNX DequantizeLinear / TFLite DEQUANTIZE.
- `nn.requantize`: TFLite QUANTIZE with a quantized input: `q' = saturate(zero_point' +
  MultiplyByQuantizedMultiplier(q - zero_point, scale / scale'))`, the fixed-point multiplier of the
  float32 scales (per channel: one multiplier per channel).
"""

from __future__ import annotations

from xdsl.dialects.builtin import Float32Type, StringAttr, TensorType
from xdsl.ir import SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, prop_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.base import (
    NNOp,
    Shape,
    element_type,
    expect_float,
    expect_one_of,
    per_channel_axis_ok,
    quant_params,
    shape_of,
)
from kcc.dialects.nn.types import PerChannelQuantType, is_quantized

ROUNDING_MODES = ("half_even", "half_away")


def _expect_quantized(value: SSAValue, role: str) -> None:
    if not is_quantized(value.type):
        raise VerifyException(f"{role} must be quantized, got {element_type(value)}")


def _expect_f32(value: SSAValue, role: str) -> None:
    if not isinstance(element_type(value), Float32Type):
        raise VerifyException(f"{role} must be f32, got {element_type(value)}")


class _QuantConversionOp(NNOp):
    """One tensor in, one out, same shape; element types differ."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())

    def infer_shapes(self) -> list[Shape]:
        return [shape_of(self.input, "input")]


@irdl_op_definition
class QuantizeOp(_QuantConversionOp):
    """Float -> the quantized element type of the result (ONNX QuantizeLinear, TFLite QUANTIZE)."""

    name = "nn.quantize"
    rounding = prop_def(StringAttr)
    assembly_format = "$input `rounding` $rounding attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: TensorType, rounding: str = "half_even"):
        super().__init__(operands=[input], result_types=[result_type], properties={"rounding": StringAttr(rounding)})

    @property
    def rounding_mode(self) -> str:
        return self.rounding.data

    def check(self) -> None:
        expect_float(self.input, "input")
        _expect_quantized(self.output, "result")
        per_channel_axis_ok(self.output, "result")
        expect_one_of(self.rounding_mode, ROUNDING_MODES, "rounding")


@irdl_op_definition
class DequantizeOp(_QuantConversionOp):
    """Quantized -> f32 (ONNX DequantizeLinear, TFLite DEQUANTIZE)."""

    name = "nn.dequantize"
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: TensorType):
        super().__init__(operands=[input], result_types=[result_type])

    def check(self) -> None:
        _expect_quantized(self.input, "input")
        _expect_f32(self.output, "result")


@irdl_op_definition
class RequantizeOp(_QuantConversionOp):
    """Quantized -> another quantization, in fixed point (TFLite QUANTIZE of a quantized tensor)."""

    name = "nn.requantize"
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: TensorType):
        super().__init__(operands=[input], result_types=[result_type])

    def check(self) -> None:
        _expect_quantized(self.input, "input")
        _expect_quantized(self.output, "result")
        per_channel_axis_ok(self.output, "result")
        ti, to = quant_params(self.input), quant_params(self.output)
        assert ti is not None and to is not None
        if isinstance(ti, PerChannelQuantType) and isinstance(to, PerChannelQuantType) and ti.axis.data != to.axis.data:
            raise VerifyException(f"input is quantized along axis {ti.axis.data} but the result along axis {to.axis.data}")
        for et, role in ((ti, "input"), (to, "result")):
            if et.storage.width.data == 32:
                raise VerifyException(f"{role} storage must be at most 16 bits wide, got {et}")


OPS: list[type[NNOp]] = [QuantizeOp, DequantizeOp, RequantizeOp]
__all__ = ["OPS", "ROUNDING_MODES", "DequantizeOp", "QuantizeOp", "RequantizeOp"]
