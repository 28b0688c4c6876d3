"""Convolution-like ops."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.nn.base import ints
from kcc.dialects.nn.conv import Conv2dOp
from kcc.dialects.nn.types import is_quantized
from kcc.interp.activation import apply_activation
from kcc.interp.kernels.conv import conv2d_nchw
from kcc.interp.quant import dequantize, quantize


@register_impls
class ConvFunctions(InterpreterFunctions):
    @impl(Conv2dOp)
    def run_conv2d(self, interpreter: Interpreter, op: Conv2dOp, args: tuple[Any, ...]) -> PythonValues:
        x, w, b = args
        quant = is_quantized(op.input.type)
        if quant:
            x, w, b = dequantize(x, op.input), dequantize(w, op.weight), dequantize(b, op.bias)
        y = conv2d_nchw(x, w, b, ints(op.strides), ints(op.pads), ints(op.dilations), op.group_count)
        y = apply_activation(y, op.act)
        if quant:
            return (quantize(y, op.output),)
        return (y.astype(np.float32),)
