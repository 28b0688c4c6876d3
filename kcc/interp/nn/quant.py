"""Interpreter functions of the quant family."""

from __future__ import annotations

from typing import Any

from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp, RequantizeOp
from kcc.interp.quant import dequantize, quantize, requantize


@register_impls
class QuantFunctions(InterpreterFunctions):
    @impl(QuantizeOp)
    def run_quantize(self, interpreter: Interpreter, op: QuantizeOp, args: tuple[Any, ...]) -> PythonValues:
        return (quantize(args[0], op.output, op.rounding_mode),)

    @impl(DequantizeOp)
    def run_dequantize(self, interpreter: Interpreter, op: DequantizeOp, args: tuple[Any, ...]) -> PythonValues:
        return (dequantize(args[0], op.input),)

    @impl(RequantizeOp)
    def run_requantize(self, interpreter: Interpreter, op: RequantizeOp, args: tuple[Any, ...]) -> PythonValues:
        return (requantize(args[0], op.input, op.output),)
