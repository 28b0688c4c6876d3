"""`nn.const`."""

from __future__ import annotations

from typing import Any

from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from kcc.dialects.nn.const import ConstOp


@register_impls
class ConstFunctions(InterpreterFunctions):
    @impl(ConstOp)
    def run_const(self, interpreter: Interpreter, op: ConstOp, args: tuple[Any, ...]) -> PythonValues:
        return (op.to_numpy(),)
