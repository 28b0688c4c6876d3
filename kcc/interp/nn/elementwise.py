"""Elementwise ops."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.nn.elementwise import AddOp, ReluOp
from kcc.dialects.nn.types import is_quantized
from kcc.interp.quant import dequantize, quantize


@register_impls
class ElementwiseFunctions(InterpreterFunctions):
    @impl(ReluOp)
    def run_relu(self, interpreter: Interpreter, op: ReluOp, args: tuple[Any, ...]) -> PythonValues:
        (x,) = args
        if is_quantized(op.input.type):
            return (quantize(np.maximum(dequantize(x, op.input), 0), op.output),)
        return (np.maximum(x, np.float32(0)),)

    @impl(AddOp)
    def run_add(self, interpreter: Interpreter, op: AddOp, args: tuple[Any, ...]) -> PythonValues:
        a, b = args
        if is_quantized(op.lhs.type):
            return (quantize(dequantize(a, op.lhs) + dequantize(b, op.rhs), op.output),)
        return ((a + b).astype(np.float32),)
