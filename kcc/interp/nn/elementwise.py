"""Elementwise ops."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.nn.elementwise import AddOp, ReluOp
from kcc.interp.quantized import any_quantized, run_quantized


@register_impls
class ElementwiseFunctions(InterpreterFunctions):
    @impl(ReluOp)
    def run_relu(self, interpreter: Interpreter, op: ReluOp, args: tuple[Any, ...]) -> PythonValues:
        def f(x: np.ndarray) -> np.ndarray:
            return np.maximum(x, np.float32(0))

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)

    @impl(AddOp)
    def run_add(self, interpreter: Interpreter, op: AddOp, args: tuple[Any, ...]) -> PythonValues:
        def f(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return (a + b).astype(np.float32)

        return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)
