"""Quantization TFLite operators: QUANTIZE (float -> quantized, or requantize) and DEQUANTIZE.

A DEQUANTIZE of a constant (float16 weights, or int8 weights of a weight-only quantized model) is folded at
import: its output becomes a float32 constant (TFLite computes `scale * (q - zero_point)` in float32, and
float16 -> float32 is exact).
"""

from __future__ import annotations

import numpy as np

from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp, RequantizeOp
from kcc.dialects.nn.types import is_float, is_quantized
from kcc.frontends.tflite.builder import OpContext
from kcc.frontends.tflite.ops_conv import dequantized
from kcc.frontends.tflite.registry import converter


@converter("DEQUANTIZE")
def convert_dequantize(ctx: OpContext) -> None:
    ctx.expect_inputs(1)
    info = ctx.input_tensor(0)
    const = ctx.maybe_const(0)
    if const is not None:
        if info.type_name == "FLOAT16":
            ctx.set_const_output(0, const.astype(np.float32))
            return
        if info.quant is not None:
            ctx.set_const_output(0, dequantized(const, info.quant))
            return
        raise ctx.error(f"cannot dequantize a {info.type_name} constant without quantization parameters")
    x = ctx.input(0)
    if info.type_name == "FLOAT16":
        raise ctx.error("float16 activations are not supported", hint="only float16 constants (weights) are")
    if not is_quantized(x.type):
        raise ctx.error(f"input has type {info.type_name} without quantization parameters")
    ctx.set_output(0, ctx.emit(DequantizeOp(x, ctx.output_type(0))))


@converter("QUANTIZE")
def convert_quantize(ctx: OpContext) -> None:
    """Float input: nn.quantize (round half away from zero, as TFLite); quantized input: nn.requantize."""
    ctx.expect_inputs(1)
    x = ctx.input(0)
    out_t = ctx.output_type(0)
    if not is_quantized(out_t):
        raise ctx.error(f"output has type {ctx.output_tensor(0).type_name} without quantization parameters")
    if is_float(x.type):
        ctx.set_output(0, ctx.emit(QuantizeOp(x, out_t, "half_away")))
    elif is_quantized(x.type):
        ctx.set_output(0, ctx.emit(RequantizeOp(x, out_t)))
    else:
        raise ctx.error(f"input has type {ctx.input_tensor(0).type_name} without quantization parameters")
